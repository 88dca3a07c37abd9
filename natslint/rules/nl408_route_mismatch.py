"""NL408 route-mismatch: a route to a server of another cluster, or to no server of the fleet."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import ROUTE_MISMATCH
from natslint.findings import Finding, Severity
from natslint.rules.base import Rule
from natslint.rules.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        if s.cluster_listen is None:
            continue
        mine = s.cluster_name.value
        for r in s.routes:
            t = r.reaches
            if t is None and r.unseen:
                continue  # NL406 names the server whose config is unknown
            if t is None:
                yield ROUTE_MISMATCH.at(r.span, f"route {r.url} of {s.label} reaches no server in the checked tree",
                                        r.how,
                                        severity=Severity.INFO, fix="add its config, or declare an alias")
            elif t is not s and t.cluster_listen is not None and isinstance(mine, str) and \
                    isinstance(t.cluster_name.value, str) and t.cluster_name.value != mine:
                yield ROUTE_MISMATCH.at(
                    r.span, f"route {r.url} of {s.label} (cluster `{mine}`) reaches {t.label} of cluster "
                    f"`{t.cluster_name.value}`",
                    "the route is refused, and the two clusters never join",
                    fix="route only to members of the same cluster; join clusters with gateways")


RULE = Rule(ROUTE_MISMATCH, check)
