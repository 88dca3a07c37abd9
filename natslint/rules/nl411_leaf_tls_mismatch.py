"""NL411 leaf-tls-mismatch: the two sides of a leaf link do not agree on TLS."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import LEAF_TLS_MISMATCH
from natslint.findings import Finding, Related, Severity
from natslint.fleet.leaftls import tls_mismatch
from natslint.rules.base import Rule
from natslint.rules.context import Context, as_leaf


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in s.remotes:
            hub, li = r.hub, r.resolved_listener
            if hub is None or li is None or li.kind != "leafnode" or r.resolved_url is None:
                continue
            wrong = tls_mismatch(s, r, hub)
            if wrong is None:
                continue
            where = r.tls.span if r.tls is not None else r.resolved_url[1]
            related = [Related(hub.leaf_tls.span, f"`leafnodes.tls` of {hub.label}")] if hub.leaf_tls else []
            if s.leaf_tls is not None and r.tls is None:
                related.append(Related(s.leaf_tls.span, f"`leafnodes.tls` of {s.label}: for leaves that connect to it"))
            yield LEAF_TLS_MISMATCH.at(
                where, f"leaf remote {r.resolved_url[0]} of {as_leaf(s)}: {wrong.headline}",
                wrong.effect, "the link never comes up" if wrong.surely else
                "it comes up only if the hub's certificate chains to a CA the system trusts",
                severity=None if wrong.surely else Severity.WARNING, related=tuple(related), fix=wrong.fix)


RULE = Rule(LEAF_TLS_MISMATCH, check)
