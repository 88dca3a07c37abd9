"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated, Optional

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


def fail(message: str, code: int = 2) -> "typer.Exit":
    typer.echo(f"natslint: error: {message}", err=True)
    return typer.Exit(code)

NatsVersionOpt = Annotated[str, typer.Option(
    "--nats-version", metavar="VERSION",
    help="The nats-server version whose config reading to reproduce (e.g. 2.14.3).")]
