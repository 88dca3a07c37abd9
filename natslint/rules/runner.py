"""Run the rules over one fleet: each rule once, a crash contained, duplicates dropped."""

from __future__ import annotations

from natslint.crash import Crashes
from natslint.findings import Finding
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.rules.registry import RULES


def run_rules(ctx: Context, crashes: Crashes, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Every rule's findings in rule order.  A rule that raises becomes NL000 (the others
    still run), or raises on ``--debug``.  A finding in a file that several servers include
    is reported once."""
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for rule in (*rules, *ctx.extra_rules):
        got = crashes.guard(".", f"rule {rule.code.code} {rule.code.name} failed",
                            "please report it; the other rules ran", _collect, rule, ctx)
        for f in got or ():
            key = (f.code, f.span.path, f.span.start, f.span.line, f.span.col, f.message)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return findings


def _collect(rule: Rule, ctx: Context) -> list[Finding]:
    return list(rule.check(ctx))
