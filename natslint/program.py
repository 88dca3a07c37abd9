"""The natslint program: one entry point above both front ends.

The command line (natslint.cli) and the language server (natslint.lsp) know nothing of each
other; this module puts them under one name.  Each command line module registers its command
on import; the language server is registered here as `natslint server`.
"""

from __future__ import annotations

# command name -> the module that defines it
COMMANDS = {"check": "natslint.cli.check", "dump": "natslint.cli.dump", "graph": "natslint.cli.graph",
            "model": "natslint.cli.model",
            "prove": "natslint.cli.prove", "rules": "natslint.cli.rules", "rule": "natslint.cli.rules",
            "server": "natslint.lsp"}


def register(app, module: str) -> None:
    """Load one command's module onto the typer app."""
    import importlib

    loaded = importlib.import_module(module)
    if module == "natslint.lsp":
        app.command(name="server")(loaded.serve_stdio)


def main() -> None:
    import gc
    import os
    import sys

    # A lint run builds one large object graph and then exits: the cyclic collector would
    # walk it again and again for nothing (it made N = 10,000 grow faster than linear).
    gc.disable()
    if sys.argv[1:] == ["server"]:  # the language server's first check starts before anything loads
        from natslint.lsp import first, handshake

        first.early = first.start()
        # `initialize` answered, and the first check published, before pygls has loaded
        first.shake = handshake.early_initialize(sys.stdin.buffer, sys.stdout.buffer, first.early)
        first.early = None
    from natslint.cli.app import app

    # typer builds every registered command before it runs one: when the command line names
    # one, load that one only.
    named = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    for module in [named] if named else sorted(set(COMMANDS.values())):
        register(app, module)

    code: object = 0
    try:
        # not standalone: click's own usage errors come back here, to be printed as ours are
        result = app(standalone_mode=False, prog_name="natslint")
        code = result if isinstance(result, int) else 0
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:
        if not _click_error(exc):
            raise
        code = _show_click_error(exc)
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


def _click_error(exc: Exception) -> bool:
    # click's exceptions (vendored inside typer since 0.20, a package of their own before it)
    # share this interface; `Abort` is click's Ctrl-D at a prompt
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code") or type(exc).__name__ == "Abort"


def _show_click_error(exc) -> int:
    """A usage error, in the one style every natslint usage error has: `natslint: error: ...`."""
    import sys

    name = type(exc).__name__
    if name == "Abort":
        sys.stderr.write("natslint: error: aborted\n")
        return 1
    if name == "NoArgsIsHelpError":  # `natslint` alone: the help, as --help prints it
        exc.show()
        return int(exc.exit_code)
    message = exc.format_message()
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    where = f"; see `{ctx.command_path} --help`" if ctx is not None else ""
    sys.stderr.write(f"natslint: error: {message.rstrip('.')}{where}\n")
    return int(exc.exit_code)
