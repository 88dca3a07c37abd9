"""`natslint graph PATH...`: draw the fleet's topology with its findings."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from natslint.cli.app import app
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    debugging,
    reported_errors,
)


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    text = "text"


@app.command()
def graph(
    paths: Annotated[list[str], typer.Argument(help="Files and folders of one fleet.")],
    fmt: Annotated[GraphFormat, typer.Option("--format", "-f", help="mermaid (renders on GitHub), dot, text.")]
    = GraphFormat.text,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Clusters, leaf links, hosts and the JetStream each reaches; findings marked."""
    import os

    from natslint.check import check_paths
    from natslint.cli.settings import settings_for
    from natslint.report.graph import render_dot, render_mermaid, render_tree

    with reported_errors(debug):
        settings, resolver = settings_for(paths, env=env, env_file=env_file, debug=debugging(debug))
        result = check_paths(paths, settings, root=os.getcwd(), settings_for=resolver, exclude=resolver.exclude,
                             declared=resolver.declared_fleet, machines=resolver.declared_machine,
                             machine_aliases=resolver.machine_aliases, releases=resolver.declared_release)
    render = {GraphFormat.mermaid: render_mermaid, GraphFormat.dot: render_dot, GraphFormat.text: render_tree}[fmt]
    typer.echo(render(result), nl=False)
