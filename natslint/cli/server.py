"""`natslint server`: the language server, over stdio."""

from __future__ import annotations

from natslint.cli.app import app


@app.command()
def server() -> None:
    """Run the language server over stdio (diagnostics, fixes, hover, completion)."""
    from natslint.lsp.server import serve

    serve()
