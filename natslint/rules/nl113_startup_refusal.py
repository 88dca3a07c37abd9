"""NL113 startup-refusal: what nats-server refuses when it starts, after `-t` said "valid"."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import STARTUP_REFUSAL
from natslint.findings import Finding, Related
from natslint.fleet.startup import refusals_of
from natslint.fleet.startup_checks import Refusal
from natslint.rules.base import Rule
from natslint.rules.context import Context, roots


def refusals_with(ctx: Context, code: str | None) -> Iterator[Refusal]:
    """The refusals of each server's config that carry ``code`` (None: NL113's own; the others
    are reported by NL103, NL104, NL106 and NL114), each once: one config run by several
    instances is said once."""
    seen: set[tuple[str, int]] = set()
    for s, doc in roots(ctx):
        for r in refusals_of(s, doc.root):
            if r.code == code and (r.span.path, r.span.start) not in seen:
                seen.add((r.span.path, r.span.start))
                yield r


def check(ctx: Context) -> Iterator[Finding]:
    for r in refusals_with(ctx, None):
        yield STARTUP_REFUSAL.at(
            r.span, f"nats-server refuses to start: `{r.message}`",
            "`nats-server -t` says the file is valid: the server checks this only when it starts",
            related=tuple(Related(span, text) for span, text in r.related), fix=r.fix)


RULE = Rule(STARTUP_REFUSAL, check)
