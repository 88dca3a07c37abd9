"""`natslint rules` and `natslint rule CODE|NAME`: the rules as a product."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from natslint.cli.app import app
from natslint.cli.options import fail


@app.command("rules")
def rules_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """List every rule: code, name, default severity, what it catches."""
    from natslint.codes import CODES as codes
    from natslint.codes import doc_url

    if as_json:
        typer.echo(json.dumps([{"code": c.code, "name": c.name, "severity": str(c.severity), "summary": c.summary,
                                "url": doc_url(c.code, c.name)} for c in codes], indent=2))
        return
    width = max(len(c.name) for c in codes)
    for c in codes:
        typer.echo(f"{c.code}  {c.name.ljust(width)}  {str(c.severity).ljust(7)}  {c.summary}")


@app.command("rule")
def rule_show(code: Annotated[str, typer.Argument(help="A code (NL202) or a name (leaf-reuses-domain).")]) -> None:
    """Show a rule's documentation."""
    from natslint.codes import get
    from natslint.resources import rule_docs

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
