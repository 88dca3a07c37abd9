"""The command line.  Each command lives in its own module; heavy imports stay inside commands."""

from __future__ import annotations


def main() -> None:
    import gc

    # A lint run builds one large object graph and then exits: the cyclic collector would
    # walk it again and again for nothing (it made N = 10,000 grow faster than linear).
    gc.disable()
    from natslint.cli.app import app
    from natslint.cli import check, dump, graph, prove, rules  # noqa: F401  (they register their commands)

    app()
