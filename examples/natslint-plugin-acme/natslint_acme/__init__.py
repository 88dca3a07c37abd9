"""ACME's house rules.  Each is a natslint Rule: a Code, and a check(ctx) that yields findings.

The Context gives the fleet as the built-in rules see it (see README, "Rules of your own", for
the stable part of the model): here, each server's listeners and its JetStream.
"""

from __future__ import annotations

from typing import Iterator

from natslint.findings import Code, Finding, Severity
from natslint.rules.base import Rule
from natslint.rules.context import Context

NO_MONITORING = Code("ACME101", "jetstream-without-monitoring", Severity.WARNING,
                     "a JetStream server without a monitoring port: its /jsz cannot be scraped",
                     severities=(Severity.WARNING,), scope="server", since="1.0.0",
                     url="https://example.com/acme/nats-house-rules#acme101")


def no_monitoring(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        if s.js_enabled.value and s.listener("monitor") is None:
            yield NO_MONITORING.at(s.js_enabled.span or s.span, f"{s.label} runs JetStream without a monitoring port",
                                   "ACME's alerts read /jsz from every JetStream server",
                                   fix="set `http_port: 8222`")


RULES = [Rule(NO_MONITORING, no_monitoring)]
