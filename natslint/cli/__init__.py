"""The command line.  Each command lives in its own module; heavy imports stay inside commands."""

from __future__ import annotations


def main() -> None:
    import gc

    # A lint run builds one large object graph and then exits: the cyclic collector would
    # walk it again and again for nothing (it made N = 10,000 grow faster than linear).
    gc.disable()
    import os
    import sys

    from natslint.cli.app import app
    from natslint.cli import check, dump, graph, prove, rules  # noqa: F401  (they register their commands)

    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    # The command is over and cleaned up after itself (every command stops what it started in
    # `finally`).  Leave without tearing the interpreter down: freeing a fleet's object graph
    # one object at a time costs more than checking a small fleet.
    if isinstance(code, str):
        sys.stderr.write(code + "\n")  # what SystemExit("message") prints
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # a reader that went away (`| head`): nothing more to say to it
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
