"""NL405 remote-urls-split: one remote whose urls lead to different clusters or JetStreams."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import REMOTE_URLS_SPLIT
from natslint.findings import Finding, Related
from natslint.fleet.model import serves_leaf
from natslint.rules.base import Rule
from natslint.rules.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in s.remotes:
            leafward = [(url, span, t) for url, span, t, li in r.targets if serves_leaf(url, li, t)]
            if len(leafward) < 2:
                continue
            clusters = {id(ctx.fleet.cluster_of[t.id]) for _, _, t in leafward}
            jetstreams = {id(js) for js in (ctx.reach.jetstream_of(t) for _, _, t in leafward) if js is not None}
            if len(clusters) < 2 and len(jetstreams) < 2:
                continue
            (url, span, first), *others = leafward
            odd = next((o for o in others if ctx.fleet.cluster_of[o[2].id] is not ctx.fleet.cluster_of[first.id]
                        or ctx.reach.jetstream_of(o[2]) is not ctx.reach.jetstream_of(first)), others[0])
            yield REMOTE_URLS_SPLIT.at(
                odd[1], f"leaf remote of {s.label} lists URLs of "
                f"{'different clusters' if len(clusters) > 1 else 'different JetStreams'}",
                f"{odd[0]} reaches {odd[2].label}; {url} reaches {first.label}",
                "the leaf joins whichever answers first, and again after each reconnect",
                related=(Related(span, f"{url} reaches {first.label}"),),
                fix="list only the URLs of one cluster in one remote")


RULE = Rule(REMOTE_URLS_SPLIT, check)
