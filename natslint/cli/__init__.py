"""The command line.  Each command lives in its own module; heavy imports stay inside commands."""

from __future__ import annotations


def main() -> None:
    from natslint.cli.app import app
    from natslint.cli import check, dump, graph, prove, rules  # noqa: F401  (they register their commands)

    app()
