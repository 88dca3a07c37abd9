"""NL409 duplicate-leaf-link: several remotes of one server into one cluster and one account.

Each remote is a leaf connection of its own, and the hub forwards every message over each of
them: a message crosses N times.  One remote with `urls: [...]` is the intended form (the leaf
connects through one URL and fails over to the others).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from natslint.codes import DUPLICATE_LEAF_LINK
from natslint.findings import Edit, Finding, Fix, Related
from natslint.fleet.model import UNKNOWN_ACCOUNT, Remote, Server
from natslint.fleet.values import as_map, opt
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.syntax.document import Document
from natslint.syntax.model import Array, Map

_URL_KEYS = ("url", "urls")


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        groups: dict[tuple[int, str, str], list[Remote]] = defaultdict(list)
        for r in s.remotes:
            if r.hub is not None and r.hub_account != UNKNOWN_ACCOUNT and s.link_comes_up(r):
                groups[(id(ctx.fleet.cluster_of[r.hub.id]), r.account, r.hub_account)].append(r)
        for (_, account, hub_account), remotes in groups.items():
            if len(remotes) < 2:
                continue
            first, second = remotes[0], remotes[1]
            n = len(remotes)
            target = ctx.fleet.cluster_of[first.hub.id].label  # type: ignore[union-attr]
            yield DUPLICATE_LEAF_LINK.at(
                second.urls[0][1] if second.urls else second.span,
                f"{s.label} has {n} leaf remotes into {target}, each from account {account} into {hub_account}: "
                f"every message crosses {n} times",
                "each remote is a link of its own, and each carries every message of the account, both ways",
                related=tuple(Related(r.urls[0][1] if r.urls else r.span, "a remote into the same cluster and "
                                      "account") for r in remotes if r is not second),
                fix="one remote with `urls: [...]`: the leaf connects through one URL and fails over to the others",
                autofix=_merge(ctx, s, remotes))


def _merge(ctx: Context, s: Server, remotes: list[Remote]) -> Fix | None:
    """The remotes merged into the first, when they differ only in their URLs and are written
    in one `remotes` array of the server's own config."""
    doc = ctx.documents.get(s.path) if not s.synthetic else None
    array = _remotes_array(doc)
    if doc is None or array is None:
        return None
    items = {m.span.start: (i, m) for i, m in enumerate(array.items)
             if isinstance(m, Map) and m.span.path == doc.path}
    picked = [items.get(r.span.start) for r in remotes if r.span.path == doc.path]
    if len(picked) != len(remotes) or any(p is None for p in picked):
        return None
    maps = [m for _, m in picked]  # type: ignore[misc]
    if len({_rest(doc.text, m) for m in maps}) != 1:
        return None  # they differ in more than a URL: merging would change what a link does
    head = [e for e in maps[0].live() if e.key.name.lower() in _URL_KEYS]
    if len(head) != 1:
        return None
    urls = list(dict.fromkeys(url for r in remotes for url, _ in r.urls))
    written = ", ".join(f'"{u}"' for u in urls)
    edits = [Edit(doc.path, head[0].key.span.start, head[0].value.span.end, f"urls: [{written}]")]
    for i, m in picked[1:]:  # type: ignore[misc]
        before = array.items[i - 1]  # the separator and the item go together
        edits.append(Edit(doc.path, before.span.end, m.span.end, ""))
    return Fix(f"merge the {len(remotes)} remotes into one with {len(urls)} urls", tuple(edits), keys=("remotes",))


def _remotes_array(doc: Document | None) -> Array | None:
    if doc is None or doc.root is None:
        return None
    remotes = opt(as_map(opt(doc.root, "leafnodes", "leaf")), "remotes")
    return remotes.value if remotes is not None and isinstance(remotes.value, Array) else None


def _rest(text: str, m: Map) -> tuple[tuple[str, str], ...]:
    """A remote's settings other than its URLs, as written."""
    return tuple(sorted((e.key.name.lower(), text[e.value.span.start:e.value.span.end]) for e in m.live()
                        if e.key.name.lower() not in _URL_KEYS))


RULE = Rule(DUPLICATE_LEAF_LINK, check)
