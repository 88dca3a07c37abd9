"""`natslint graph PATH...`: draw the fleet's topology with its findings."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from natslint.cli.app import app
from natslint.cli.options import DebugOpt, EnvFileOpt, EnvOpt, fail


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
    from natslint.check import UsageError, check_paths
    from natslint.cli.settings import settings_for
    from natslint.config import ConfigError
    from natslint.report.graph import render_dot, render_mermaid, render_tree

    try:
        settings, _ = settings_for(paths, env=env, env_file=env_file)
        result = check_paths(paths, settings)
    except (UsageError, ConfigError) as exc:
        raise fail(str(exc))
    except Exception as exc:
        if debug:
            raise
        raise fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
    render = {GraphFormat.mermaid: render_mermaid, GraphFormat.dot: render_dot, GraphFormat.text: render_tree}[fmt]
    typer.echo(render(result), nl=False)
