"""Options and error handling shared by several commands."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Annotated, Iterator, Optional

import typer

EnvOpt = Annotated[Optional[list[str]], typer.Option(
    "--env", "-e", metavar="KEY=VALUE",
    help="An environment variable the server will run with (for $VAR). Repeatable.")]
EnvFileOpt = Annotated[Optional[list[str]], typer.Option(
    "--env-file", metavar="FILE", help="A .env file the server will run with. Repeatable.")]
ProcessEnvOpt = Annotated[bool, typer.Option(
    "--use-process-env",
    help="Also take variables from natslint's own environment (off: the deploy environment "
         "is not the lint machine's).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
NatsVersionOpt = Annotated[str, typer.Option(
    "--nats-version", metavar="VERSION",
    help="The nats-server version whose config reading to reproduce (e.g. 2.14.3).")]


def fail(message: str, code: int = 2) -> "typer.Exit":
    typer.echo(f"natslint: error: {message}", err=True)
    return typer.Exit(code)


def debugging(flag: bool) -> bool:
    """--debug, or NATSLINT_DEBUG in the environment (for runs started by other tools)."""
    return flag or bool(os.environ.get("NATSLINT_DEBUG"))


@contextmanager
def reported_errors(debug: bool) -> Iterator[None]:
    """Usage and config errors: a short message, exit 2.  Anything else is natslint's own
    failure: a short message and exit 2, or the traceback and exit 2 with ``debug``."""
    from natslint.config import ConfigError
    from natslint.workspace import UsageError

    try:
        yield
    except (UsageError, ConfigError) as exc:
        raise fail(str(exc))
    except typer.Exit:
        raise
    except Exception as exc:
        if debugging(debug):
            import traceback

            traceback.print_exc(file=sys.stderr)
            raise typer.Exit(2)
        raise fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
