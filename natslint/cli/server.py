"""`natslint server`: the language server, over stdio."""

from __future__ import annotations

from natslint.cli.app import app


@app.command()
def server() -> None:
    """Run the language server over stdio (diagnostics, fixes, hover, completion)."""
    from natslint.lsp import first

    early = first.start()  # the working folder checked while the protocol library loads
    from natslint.lsp.server import serve

    serve(early)
