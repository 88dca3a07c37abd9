"""`natslint model PATH...`: the fleet model as JSON, a documented interface for other tools."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from natslint.cli.app import app
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    NatsVersionOpt,
    ProcessEnvOpt,
    debugging,
    reported_errors,
)


class ModelFormat(str, Enum):
    json = "json"


@app.command()
def model(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files and folders to model (default: .).")] = None,
    fmt: Annotated[ModelFormat, typer.Option("--format", "-f", help="json (schema: natslint-model/1).")]
    = ModelFormat.json,
    config: Annotated[Optional[Path], typer.Option("--config", help="Use this config file.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every config file.")] = False,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    nats_version: NatsVersionOpt = None,  # type: ignore[assignment]
    debug: DebugOpt = False,
) -> None:
    """Each fleet as natslint models it: servers with the options the rules read, clusters, leaf
    links, accounts, JetStreams and their domains, hosts and wadm, and what reaches what."""
    from natslint.report.model_json import render_model
    from natslint.workspace import run_check, settings_for

    paths = paths or ["."]
    with reported_errors(debug):
        settings, resolver = settings_for(paths, config=config, isolated=isolated, env=env, env_file=env_file,
                                          use_process_env=use_process_env, nats_version=nats_version,
                                          debug=debugging(debug))
        result = run_check(paths, settings, resolver)
        typer.echo(render_model(result), nl=False)
