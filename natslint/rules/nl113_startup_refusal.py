"""NL113 startup-refusal: what nats-server refuses when it starts, after `-t` said "valid"."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import STARTUP_REFUSAL
from natslint.findings import Finding, Related
from natslint.fleet.startup import refusals_of
from natslint.rules.base import Rule
from natslint.rules.context import Context, roots


def check(ctx: Context) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()  # one config run by several instances: said once
    for s, doc in roots(ctx):
        for r in refusals_of(s, doc.root):
            if r.code is not None:
                continue  # reported by its own rule (NL103, NL104)
            if (r.span.path, r.span.start) in seen:
                continue
            seen.add((r.span.path, r.span.start))
            yield STARTUP_REFUSAL.at(
                r.span, f"nats-server refuses to start: `{r.message}`",
                "`nats-server -t` says the file is valid: the server checks this only when it starts",
                related=tuple(Related(span, text) for span, text in r.related), fix=r.fix)


RULE = Rule(STARTUP_REFUSAL, check)
