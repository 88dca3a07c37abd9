"""NL503 jetstream-moved: a change that moves a server's JetStream.

- A new domain moves every stream behind a new `$JS.<domain>.API` prefix; hosts and wadm that
  still name the old domain lose them.  An error when one of them does, else a warning.
- Another store_dir, or another volume under it: the streams stay where they were, and the
  server starts with an empty store.  An error.
- JetStream turned off: its streams stay on disk, served by nobody (nats-server#2990).  An
  error, a warning where its cluster keeps three JetStream servers (replicated streams live on).
"""

from __future__ import annotations

from typing import Iterator

from natslint.codes import JETSTREAM_MOVED
from natslint.findings import Finding, Related, Severity
from natslint.fleet.model import Server
from natslint.rules.base import Rule
from natslint.since.context import ChangeContext, restart_words
from natslint.span import Span
from natslint.words import listing


def _place(s: Server) -> tuple[str, str] | None:
    place = s.store_place()
    if place is None:
        return None
    where, path = place
    return ("own", path) if where.startswith("own:") else place  # its own filesystem, whatever its id


Members = list[tuple[Server, Server, Span]]  # (before, after, where) of the servers one config moves


def check(ctx: ChangeContext) -> Iterator[Finding]:
    """One finding per place and kind of move: a config that three servers run is said once,
    naming the three."""
    groups: dict[tuple, Members] = {}
    for b, a, _ in ctx.pairing.pairs:
        for kind, span in _moves(ctx, b, a):
            groups.setdefault((kind, span.path, span.line, span.col), []).append((b, a, span))
    for (kind, *_), members in groups.items():
        yield BUILD[kind](ctx, members)


def _moves(ctx: ChangeContext, b: Server, a: Server) -> list[tuple[str, Span]]:
    out = []
    both = b.js_enabled.value and a.js_enabled.value
    if both and b.domain.value != a.domain.value and not (b.domain_unknown or a.domain_unknown):
        _mark(ctx, a, "jetstream.domain")
        out.append(("domain", a.domain.span or a.js_enabled.span or a.span))
    if both and None not in (_place(b), _place(a)) and _place(b) != _place(a):
        _mark(ctx, a, "jetstream.store_dir", "jetstream.store")
        out.append(("store", a.store_dir.span or a.js_enabled.span or a.span))
    if b.js_enabled.value and not a.js_enabled.value:
        _mark(ctx, a, "jetstream")
        said = next((c.span for c in ctx.changes if c.after is a and c.option == "jetstream"), None)
        out.append(("off", said or a.js_enabled.span or a.span))
    return out


def _mark(ctx: ChangeContext, a: Server, *options: str) -> None:
    for c in ctx.changes:
        if c.after is a and c.option in options:
            c.rule = JETSTREAM_MOVED.code


def _names(members: Members) -> str:
    return listing([a.label for _, a, _ in members])


def _domain(ctx: ChangeContext, members: Members) -> Finding:
    b, a, span = members[0]
    old, new = b.domain.value, a.domain.value
    old_api = f"$JS.{old}.API" if old else "$JS.API"
    new_api = f"$JS.{new}.API" if new else "$JS.API"
    users = [h for h in ctx.hosts_now() if old and h.domain.value == old]
    shown = f"`{new}`" if new else "none"
    restart = f"nats-server does not reload a domain: it takes {restart_words(ctx, [m[1] for m in members])}"
    what = f"the JetStream domain of {_names(members)} changes from `{old}` to {shown}" if old else \
        f"{_names(members)} {'gains' if len(members) == 1 else 'gain'} the JetStream domain {shown}"
    if users:
        return JETSTREAM_MOVED.at(
            span, f"{what}: {listing([h.label for h in users])} still {'uses' if len(users) == 1 else 'use'} `{old}`",
            f"every stream and KV bucket moves from `{old_api}` to `{new_api}`",
            "those requests go unanswered: the lattice's hosts lose their links, config and state", restart,
            related=tuple(Related(h.domain.span or h.span, f"{h.label} names `{old}` here") for h in users[:5]),
            fix=f"keep `{old}`, or change the hosts' and wadm's domain in the same change")
    return JETSTREAM_MOVED.at(
        span, what, f"every stream and KV bucket moves from `{old_api}` to `{new_api}`",
        "no host or wadm in the tree names the old domain, but every client outside it that does loses its streams",
        restart, severity=Severity.WARNING)


def _store(ctx: ChangeContext, members: Members) -> Finding:
    b, a, span = members[0]
    moved_dir = b.store_dir.value != a.store_dir.value
    was, now = _place(b), _place(a)
    what = (f"the JetStream store of {_names(members)} moves from `{b.store_dir.value}` to `{a.store_dir.value}`"
            if moved_dir else f"the volume under the JetStream store `{a.store_dir.value}` of {_names(members)} "
            f"changes from `{was[0] if was else '?'}` to `{now[0] if now else '?'}`")
    return JETSTREAM_MOVED.at(
        span, what, "the streams stay where they were; the server starts with an empty store, and a stream it held "
        "alone is gone from the fleet",
        f"nats-server does not reload a store_dir: it takes {restart_words(ctx, [m[1] for m in members])}"
        if moved_dir else "",
        fix="move the data with the server stopped, or keep the old store")


def _off(ctx: ChangeContext, members: Members) -> Finding:
    _, a, span = members[0]
    cluster = ctx.cluster_of(a)
    off = {id(m[1]) for m in members}
    kept = [s for s in (cluster.servers if cluster else []) if id(s) not in off and s.js_enabled.value]
    replicated = len(kept) >= 3
    return JETSTREAM_MOVED.at(
        span, f"JetStream is turned off on {_names(members)}, which had it",
        "its streams stay on disk and nobody serves them; a reload applies this at once (nats-server#2990)",
        f"its cluster keeps {len(kept)} JetStream servers: streams with replicas there live on, streams it held "
        "alone do not" if replicated else "",
        severity=Severity.WARNING if replicated else None,
        fix="keep JetStream on, or move its streams away first")


BUILD = {"domain": _domain, "store": _store, "off": _off}

RULE = Rule(JETSTREAM_MOVED, check)
