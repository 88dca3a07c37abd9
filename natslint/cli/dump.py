"""`natslint dump FILE`: exactly what nats-server will read, as typed JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from natslint.cli.app import app
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    NatsVersionOpt,
    ProcessEnvOpt,
    fail,
    reported_errors,
)
from natslint.defaults import DEFAULT_NATS_VERSION


@app.command()
def dump(
    file: Annotated[str, typer.Argument(help="A NATS server config file.")],
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    nats_version: NatsVersionOpt = DEFAULT_NATS_VERSION,
    show_secrets: Annotated[bool, typer.Option("--show-secrets",
                                               help="Print passwords, tokens and seeds instead of ••••.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Print the resolved config (includes inlined, $VARs resolved, last key wins) as JSON.

    Like nats-server, an unresolved $VAR is an error here: exit 1, findings on stderr.
    """
    import os

    from natslint.findings import Severity
    from natslint.sources import SourceCache
    from natslint.syntax.model import encode_typed, plain
    from natslint.syntax.parser import Loader
    from natslint.workspace import env_from

    if file.endswith((".yaml", ".yml")) and os.path.isfile(file):
        _dump_yaml(file, show_secrets)
        return
    with reported_errors(debug):
        loader = Loader(env=env_from(env or [], env_file or [], use_process_env), env_visible=True,
                        nats_version=nats_version, sources=SourceCache(os.getcwd()))
        doc = loader.load(file)
    if doc.server_error is not None or doc.root is None:
        errors = [f for d in loader.cache.values() for f in d.findings if f.severity == Severity.ERROR]
        for f in sorted(errors, key=lambda f: f.sort_key()):
            typer.echo(f"{f.span.path}:{f.span.line}:{f.span.col}: {f.code} [error] {f.message}", err=True)
        typer.echo(f"nats-server: {doc.server_error}", err=True)
        raise typer.Exit(1)
    value = plain(doc.root)
    if not show_secrets:
        from natslint.redact import mask_document

        value = mask_document(value)
    try:
        text = json.dumps(encode_typed(value), indent=2, sort_keys=True, ensure_ascii=False)
    except RecursionError:
        raise fail("the config nests too deeply to print as JSON (nats-server reads it)", 1)
    typer.echo(text)


def _dump_yaml(file: str, show_secrets: bool) -> None:
    """A YAML file is no NATS config: say what it is; for values of the NATS chart, print the
    config the chart renders from them (exit 0), else exit 2."""
    from natslint.deploy.whatfile import describe_yaml

    try:
        with open(file, encoding="utf-8") as fh:
            kind = describe_yaml(file, fh.read())
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}")
    if kind.rendered is None:
        raise fail(kind.what)
    typer.echo(f"natslint: {kind.what}", err=True)
    value = kind.rendered
    if not show_secrets:
        from natslint.redact import mask_document

        value = mask_document(value)
    typer.echo(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))
