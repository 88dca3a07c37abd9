"""The editor: `natslint server`, a language server built on pygls."""

from __future__ import annotations


def serve_stdio() -> None:
    """Run the language server over stdio (diagnostics, fixes, hover, completion)."""
    from natslint.lsp import first

    # the working folder checked while the protocol library loads (started already by main(),
    # which also answered `initialize` and publishes that check itself: natslint.lsp.handshake)
    shake = first.shake
    early, first.early = (first.early or first.start()) if shake is None else None, None
    from natslint.lsp.server import serve

    serve(early, shake)
