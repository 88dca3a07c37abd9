"""What a change does to each paired server: the options that differ between REF and now.

Options are compared as nats-server reads them (names case-insensitive, the last assignment
winning), one dotted path each: `jetstream.domain`, `cluster.name`.  Some values are compared
whole (`accounts`, `cluster.routes`); leaf remotes are matched one by one, so that an added,
a removed, a changed and a disabled remote are told apart, as nats-server's reload tells them.
JetStream on or off is read from the model (a `-js` flag turns it on too).
"""

from __future__ import annotations

from dataclasses import dataclass

from natslint.fleet.model import Server
from natslint.since import reload
from natslint.span import Span
from natslint.syntax.document import Document
from natslint.fleet.flat import Flat, flatten
from natslint.syntax.model import Array, Node

# read from the model instead (JetStream on or off)
SEMANTIC = {"jetstream", "jetstream.enabled"}


@dataclass(slots=True)
class Change:
    before: Server
    after: Server
    option: str  # dotted, lower case: `jetstream.domain`; `leafnodes.remotes+` for an added remote
    old: object
    new: object
    span: Span  # where the new value is written; for a removed option, its block or server
    cls: reload.ReloadClass | None
    verdict: reload.Verdict | None
    rule: str | None = None  # the code of the finding it led to, when one did
    node: Node | None = None  # the new value as parsed

    @property
    def shown_option(self) -> str:
        return self.option.rstrip("+-")


def document_of(s: Server, documents: dict[str, Document]) -> Document | None:
    doc = s.document if isinstance(s.document, Document) else documents.get(s.path)
    return doc if doc is not None and doc.root is not None else None


def version_of(s: Server, given: str | None) -> str | None:
    """The version a server runs: its image tag's, else the one given on the command line."""
    return s.image_version or given


def changes_of(before: Server, after: Server, old_doc: Document | None, new_doc: Document | None,
               version: str | None) -> list[Change]:
    out: list[Change] = []

    def add(option: str, old: object, new: object, span: Span, cid: str | None = None,
            node: Node | None = None) -> None:
        cls = reload.by_id(cid) if cid else reload.class_of(option)
        out.append(Change(before, after, option, old, new, span, cls,
                          reload.verdict(cls, version) if cls is not None else None, node=node))

    old = flatten(old_doc.root) if old_doc is not None else None
    new = flatten(new_doc.root) if new_doc is not None else None
    if bool(before.js_enabled.value) != bool(after.js_enabled.value):
        written = new.values.get("jetstream.enabled") if new is not None else None  # `enabled: false`
        add("jetstream", bool(before.js_enabled.value), bool(after.js_enabled.value),
            written[1] if written else after.js_enabled.span or _where_server(after), "jetstream_on_off")
    if old is None or new is None:
        return out  # a config not read on one side: its options are not known there
    for key in sorted(set(old.values) | set(new.values)):
        if key in SEMANTIC or key == "leafnodes.remotes":
            continue
        was, now = old.values.get(key), new.values.get(key)
        if was is not None and now is not None and was[0] == now[0]:
            continue
        span = now[1] if now is not None else _block(new, key) or _where_server(after)
        add(key, was[0] if was else None, now[0] if now else None, span, node=now[2] if now else None)
    _remotes(old, new, after, add)
    return out


def _where_server(s: Server) -> Span:
    """Where a server is defined: a change with no line of its own (an option removed with its
    whole block) is reported there."""
    return s.span


def _block(flat: Flat, key: str) -> Span | None:
    """The deepest block that still holds where ``key`` was."""
    parts = key.split(".")
    for n in range(len(parts) - 1, -1, -1):
        hit = flat.blocks.get(".".join(parts[:n]))
        if hit is not None:
            return hit
    return None


def _remote_key(item: object) -> str:
    if isinstance(item, dict):
        return repr(sorted((k.lower(), repr(v)) for k, v in item.items() if k.lower() != "disabled"))
    return repr(item)


def _disabled(item: object) -> bool:
    return isinstance(item, dict) and any(k.lower() == "disabled" and v is True for k, v in item.items())


def _remotes(old: Flat, new: Flat, after: Server, add) -> None:
    """Remotes matched by everything but `disabled`; the rest paired in order as changed, and
    what is left over added or removed."""
    was = old.values.get("leafnodes.remotes")
    now = new.values.get("leafnodes.remotes")
    olds = list(was[0]) if was is not None and isinstance(was[0], list) else []
    news = list(now[0]) if now is not None and isinstance(now[0], list) else []
    spans = list(now[2].items) if now is not None and isinstance(now[2], Array) else []
    where = now[1] if now is not None else _block(new, "leafnodes.remotes") or after.span
    unmatched_old = list(range(len(olds)))
    unmatched_new: list[int] = []
    for j, item in enumerate(news):
        i = next((i for i in unmatched_old if _remote_key(olds[i]) == _remote_key(item)), None)
        if i is None:
            unmatched_new.append(j)
            continue
        unmatched_old.remove(i)
        if _disabled(olds[i]) != _disabled(item):
            add("leafnodes.remotes.disabled", _disabled(olds[i]), _disabled(item), _item_span(spans, j, where))
    for i, j in zip(list(unmatched_old), list(unmatched_new)):
        add("leafnodes.remotes", olds[i], news[j], _item_span(spans, j, where))
        unmatched_old.remove(i)
        unmatched_new.remove(j)
    for j in unmatched_new:
        add("leafnodes.remotes+", None, news[j], _item_span(spans, j, where))
    for i in unmatched_old:
        add("leafnodes.remotes-", olds[i], None, where)


def _item_span(spans: list[Node], j: int, where: Span) -> Span:
    return spans[j].span if j < len(spans) else where
