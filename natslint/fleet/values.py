"""Reading option values from a parsed config as nats-server does: an option and its aliases
matched case-insensitively (the one written last wins), scalars, maps, and JetStream's
`enabled` forms."""

from __future__ import annotations

from natslint.span import Span
from natslint.syntax.model import Entry, Map, Node, Scalar


def opt(m: Map | None, *names: str) -> Entry | None:
    """The effective entry for an option and its aliases (case-insensitive, last wins).

    ``names`` are given in lower case, as the option table spells them."""
    if not isinstance(m, Map):
        return None
    index = m.ci_index()
    hit = None
    for n in names:
        e = index.get(n)
        if e is not None:
            if hit is not None:  # aliases both set: the one written last wins
                hits = [x for x in map(index.get, names) if x is not None]
                return max(hits, key=lambda x: next(i for i, y in enumerate(m.entries) if y is x))
            hit = e
    return hit


def scalar(e: Entry | None) -> object:
    if e is None or not isinstance(e.value, Scalar):
        return None
    return e.value.value


def value_span(e: Entry | None) -> Span | None:
    return None if e is None else e.value.span if isinstance(e.value, Scalar) else e.key.span


def as_map(e: Entry | None) -> Map | None:
    return e.value if e is not None and isinstance(e.value, Map) else None


def js_enabled_value(v: Node) -> bool:
    """`jetstream` (or `-js`): a map (unless `enabled: false`), true, or "enabled"."""
    if isinstance(v, Map):
        en = opt(v, "enabled", "enable")
        return scalar(en) is not False
    if isinstance(v, Scalar):
        if isinstance(v.value, bool):
            return v.value
        if isinstance(v.value, str):
            return v.value.lower() in ("enabled", "enable")
    return False


def account_js_enabled(v: Node) -> bool:
    """An account's `jetstream`: a map (limits) or enabled."""
    return isinstance(v, Map) or js_enabled_value(v)
