"""NL114 option-rejected: a value nats-server rejects as it reads its options."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import OPTION_REJECTED
from natslint.findings import Finding, Related
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.rules.nl113_startup_refusal import refusals_with


def check(ctx: Context) -> Iterator[Finding]:
    for r in refusals_with(ctx, OPTION_REJECTED.code):
        yield OPTION_REJECTED.at(
            r.span, f"nats-server rejects the config: `{r.message}`",
            "`nats-server -t` reports it too, and the server does not start",
            related=tuple(Related(span, text) for span, text in r.related), fix=r.fix)


RULE = Rule(OPTION_REJECTED, check)
