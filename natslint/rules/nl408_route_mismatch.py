"""NL408 route-mismatch: a route to a server of another cluster, or to no server of the fleet.

Once per route address as written: several servers sharing one config (or one include) write
the same route once, and one finding names them all."""

from __future__ import annotations

import re
from typing import Iterator

from natslint.codes import ROUTE_MISMATCH
from natslint.findings import Finding, Severity
from natslint.fleet.model import Route, Server
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.words import count

_SEVERAL = re.compile(r"\bmatches \d+ servers\b|\bnames \d+ servers\b")


def check(ctx: Context) -> Iterator[Finding]:
    unresolved: dict[tuple, list[tuple[Server, Route]]] = {}
    crossed: dict[tuple, list[tuple[Server, Route, Server]]] = {}
    for s in ctx.fleet.servers:
        if s.cluster_listen is None:
            continue
        mine = s.cluster_name.value
        for r in s.routes:
            t = r.reaches
            where = (r.span.path, r.span.line, r.span.col, r.url)
            if t is None and not r.unseen:  # an unseen target: NL406 names the server whose config is unknown
                unresolved.setdefault(where, []).append((s, r))
            elif t is not None and t is not s and t.cluster_listen is not None and isinstance(mine, str) and \
                    isinstance(t.cluster_name.value, str) and t.cluster_name.value != mine:
                crossed.setdefault(where + (t.cluster_name.value,), []).append((s, r, t))
    for group in unresolved.values():
        s, r = group[0]
        what = "does not resolve to one server" if _SEVERAL.search(r.how) else "reaches no server"
        yield ROUTE_MISMATCH.at(r.span, f"route {r.url} {what} in the checked tree", r.how, _of(group),
                                severity=Severity.INFO, fix="add its config, or declare an alias")
    for group in crossed.values():
        s, r, t = group[0]
        yield ROUTE_MISMATCH.at(
            r.span, f"route {r.url} of cluster `{s.cluster_name.value}` reaches {t.label} of cluster "
            f"`{t.cluster_name.value}`",
            "the route is refused, and the two clusters never join", _of(group),
            fix="route only to members of the same cluster; join clusters with gateways")


def _of(group: list[tuple]) -> str:
    names = [g[0].label for g in group]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"it is a route of {shown}" if len(names) == 1 else f"it is a route of {count(len(names), 'server')}: {shown}"


RULE = Rule(ROUTE_MISMATCH, check)
