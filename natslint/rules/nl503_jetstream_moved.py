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
from natslint.words import listing


def _place(s: Server) -> tuple[str, str] | None:
    place = s.store_place()
    if place is None:
        return None
    where, path = place
    return ("own", path) if where.startswith("own:") else place  # its own filesystem, whatever its id


def check(ctx: ChangeContext) -> Iterator[Finding]:
    seen: set[tuple] = set()
    for b, a, _ in ctx.pairing.pairs:
        for f in (*_domain(ctx, b, a), *_store(ctx, b, a), *_off(ctx, b, a)):
            key = (f.span.path, f.span.line, f.span.col, f.message.split(":")[0])
            if key not in seen:
                seen.add(key)
                yield f


def _mark(ctx: ChangeContext, a: Server, *options: str) -> None:
    for c in ctx.changes:
        if c.after is a and c.option in options:
            c.rule = JETSTREAM_MOVED.code


def _domain(ctx: ChangeContext, b: Server, a: Server) -> list[Finding]:
    old, new = b.domain.value, a.domain.value
    if not (b.js_enabled.value and a.js_enabled.value) or old == new or b.domain_unknown or a.domain_unknown:
        return []
    _mark(ctx, a, "jetstream.domain")
    old_api = f"$JS.{old}.API" if old else "$JS.API"
    users = [h for h in ctx.hosts_now() if h.domain.value == old and old]
    span = a.domain.span or a.js_enabled.span or a.span
    shown = f"`{new}`" if new else "none"
    if users:
        return [JETSTREAM_MOVED.at(
            span, f"the JetStream domain of {a.label} changes from `{old}` to {shown}: "
            f"{listing([h.label for h in users])} still {'uses' if len(users) == 1 else 'use'} `{old}`",
            f"every stream and KV bucket moves from `{old_api}` to `$JS.{new}.API`" if new else
            f"every stream and KV bucket moves from `{old_api}` to `$JS.API`",
            "those requests go unanswered: the lattice's hosts lose their links, config and state",
            f"nats-server does not reload a domain: it takes {restart_words(ctx, [a])}",
            related=tuple(Related(h.domain.span or h.span, f"{h.label} names `{old}` here") for h in users[:5]),
            fix=f"keep `{old}`, or change the hosts' and wadm's domain in the same change")]
    return [JETSTREAM_MOVED.at(
        span, f"the JetStream domain of {a.label} changes from `{old}` to {shown}" if old else
        f"{a.label} gains the JetStream domain {shown}",
        f"every stream and KV bucket moves from `{old_api}` to `$JS.{new}.API`" if new else
        f"every stream moves from `{old_api}` to `$JS.API`",
        "no host or wadm in the tree names the old domain, but every client outside it that does loses its streams",
        f"nats-server does not reload a domain: it takes {restart_words(ctx, [a])}",
        severity=Severity.WARNING)]


def _store(ctx: ChangeContext, b: Server, a: Server) -> list[Finding]:
    if not (b.js_enabled.value and a.js_enabled.value):
        return []
    was, now = _place(b), _place(a)
    if was is None or now is None or was == now:
        return []
    _mark(ctx, a, "jetstream.store_dir", "jetstream.store")
    moved_dir = b.store_dir.value != a.store_dir.value
    what = (f"the JetStream store of {a.label} moves from `{b.store_dir.value}` to `{a.store_dir.value}`"
            if moved_dir else f"the volume under the JetStream store `{a.store_dir.value}` of {a.label} changes "
            f"from `{was[0]}` to `{now[0]}`")
    return [JETSTREAM_MOVED.at(
        a.store_dir.span or a.js_enabled.span or a.span, what,
        "the streams stay where they were; the server starts with an empty store, and a stream it held "
        "alone is gone from the fleet",
        f"nats-server does not reload a store_dir: it takes {restart_words(ctx, [a])}" if moved_dir else "",
        fix="move the data with the server stopped, or keep the old store")]


def _off(ctx: ChangeContext, b: Server, a: Server) -> list[Finding]:
    if not b.js_enabled.value or a.js_enabled.value:
        return []
    _mark(ctx, a, "jetstream")
    cluster = ctx.cluster_of(a)
    others = [s for s in (cluster.servers if cluster else []) if s is not a and s.js_enabled.value]
    replicated = len(others) >= 3
    return [JETSTREAM_MOVED.at(
        a.js_enabled.span or a.span, f"JetStream is turned off on {a.label}, which had it",
        "its streams stay on disk and nobody serves them; a reload applies this at once (nats-server#2990)",
        f"its cluster keeps {len(others)} JetStream servers: streams with replicas there live on, streams "
        "it held alone do not" if replicated else "",
        severity=Severity.WARNING if replicated else None,
        fix="keep JetStream on, or move its streams away first")]


RULE = Rule(JETSTREAM_MOVED, check)
