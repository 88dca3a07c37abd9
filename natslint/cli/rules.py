"""`natslint rules` and `natslint rule CODE|NAME`: the rules as a product."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from natslint.cli.app import app
from natslint.cli.options import fail


def _codes() -> list:
    """natslint's codes, the installed plugins' and those of the project config in force here."""
    import os

    from natslint.cli.options import reported_errors
    from natslint.codes import CODES
    from natslint.config import find_config, load_config
    from natslint.custom.plugins import plugin_rules

    with reported_errors(False):
        project = load_config(find_config(os.getcwd()))
    return [*CODES, *(r.code for r in plugin_rules()[0]), *(d.code for d in project.custom_rules)]


@app.command("rules")
def rules_list(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="The same as --format json.")] = False,
) -> None:
    """List every rule in code order: code, name, default severity, what it catches."""
    from natslint.codes import doc_url

    if fmt not in ("text", "json"):
        raise fail(f"--format {fmt!r}: expected text or json")
    codes = sorted(_codes(), key=lambda c: c.code)
    if as_json or fmt == "json":
        typer.echo(json.dumps([{"code": c.code, "name": c.name, "severity": str(c.severity),
                                "severities": [str(s) for s in c.severities], "summary": c.summary,
                                "url": doc_url(c.code, c.name)} for c in codes], indent=2))
        return
    from natslint.report.rule_table import severity_text

    width = max(len(c.name) for c in codes)
    sev = max(len(severity_text(c)) for c in codes)
    for c in codes:
        typer.echo(f"{c.code}  {c.name.ljust(width)}  {severity_text(c).ljust(sev)}  {c.summary}")


@app.command("rule")
def rule_show(code: Annotated[str, typer.Argument(help="A code (NL202) or a name (leaf-reuses-domain).")]) -> None:
    """Show a rule's documentation."""
    from natslint.codes import get
    from natslint.custom.plugins import plugin_rules
    from natslint.resources import rule_docs

    plugin_rules()

    found = get(code)
    if found is None:
        raise fail(f"no rule {code!r} (see `natslint rules`)")
    path = rule_docs().get(found.code)
    if path is None:
        raise fail(f"{found.code} has no documentation in this installation")
    text = path.read_text(encoding="utf-8")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        typer.echo(text, nl=False)
