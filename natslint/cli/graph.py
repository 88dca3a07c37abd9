"""`natslint graph PATH...`: draw the fleet's topology with its findings."""

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
from natslint.defaults import DEFAULT_NATS_VERSION


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    text = "text"


@app.command()
def graph(
    paths: Annotated[list[str], typer.Argument(help="Files and folders of one fleet.")],
    fmt: Annotated[GraphFormat, typer.Option("--format", "-f", help="mermaid (renders on GitHub), dot, text.")]
    = GraphFormat.text,
    config: Annotated[Optional[Path], typer.Option("--config", help="Use this config file.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore every config file.")] = False,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    nats_version: NatsVersionOpt = DEFAULT_NATS_VERSION,
    debug: DebugOpt = False,
) -> None:
    """Clusters, leaf links, hosts and the JetStream each reaches; findings marked (the same
    settings as `check`)."""
    import os

    from natslint.check import check_paths
    from natslint.workspace import settings_for
    from natslint.report.graph import render_dot, render_mermaid, render_tree

    with reported_errors(debug):
        settings, resolver = settings_for(paths, config=config, isolated=isolated, env=env, env_file=env_file,
                                          use_process_env=use_process_env, nats_version=nats_version,
                                          debug=debugging(debug))
        result = check_paths(paths, settings, root=os.getcwd(), settings_for=resolver, exclude=resolver.exclude,
                             declared=resolver.declared_fleet, machines=resolver.declared_machine,
                             machine_aliases=resolver.machine_aliases, releases=resolver.declared_release)
    render = {GraphFormat.mermaid: render_mermaid, GraphFormat.dot: render_dot, GraphFormat.text: render_tree}[fmt]
    typer.echo(render(result), nl=False)
