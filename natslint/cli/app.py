"""The typer application object, alone, so command modules can import it without cycles."""

import typer

app = typer.Typer(
    name="natslint",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="A static linter for fleets of NATS servers (JetStream domains, leaf links, wasmCloud hosts).",
)
