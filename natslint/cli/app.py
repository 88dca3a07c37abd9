"""The typer application object, alone, so command modules can import it without cycles."""

from typing import Annotated

import typer

app = typer.Typer(
    name="natslint",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="A static linter for fleets of NATS servers (JetStream domains, leaf links, wasmCloud hosts).",
)


def _version(value: bool) -> None:
    if value:
        import platform

        from natslint import __version__
        from natslint.defaults import DEFAULT_NATS_VERSION

        typer.echo(f"natslint {__version__} (Python {platform.python_version()}; reads configs as "
                   f"nats-server {DEFAULT_NATS_VERSION} does, --nats-version to change)")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Lint NATS server configs and the wasmCloud deployments that use them."""
