"""What fleet rules see: the fleet, its reachability, and small helpers for messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from natslint.fleet.model import GLOBAL_ACCOUNT, Fleet, Server
from natslint.fleet.reach import Reach
from natslint.span import Span
from natslint.syntax.document import Document


@dataclass(slots=True)
class Context:
    """What a rule reads: the fleet, what reaches what, and the parsed documents."""

    fleet: Fleet
    reach: Reach
    documents: dict[str, Document] = field(default_factory=dict)  # display path -> parsed Document
    expect_domain: str | None = None  # the lattice's intended domain, from the project config
    memo: dict = field(default_factory=dict)  # results rules share within one run
    require_resolved: bool = False  # NL406 is an error for links the domain rules need
    extra_rules: tuple = ()  # rules of the user's own, run after the built-in ones (natslint.custom)

    def copies(self, domain: str) -> set[int]:
        """JetStreams that carry `domain` only because a leaf copied the domain of the
        JetStream it connects to (NL202's mistake), worked out once for every domain."""
        if "copies" not in self.memo:
            found: dict[str, set[int]] = {}
            for leaf in self.fleet.servers:
                d = leaf.domain.value
                own = self.reach.jetstream_of(leaf)
                if not d or not leaf.js_enabled.value or own is None:
                    continue
                for r in leaf.remotes:
                    hub_js = self.reach.jetstream_of(r.hub) if r.hub is not None else None
                    if hub_js is not None and hub_js is not own and d in hub_js.domains:
                        found.setdefault(d, set()).add(own.id)
            self.memo["copies"] = found
        return self.memo["copies"].get(domain, set())

    def accounts_of(self, s: Server) -> list[str]:
        """The accounts a client can sit in on a server (the system account aside)."""
        return s.app_accounts or [GLOBAL_ACCOUNT]


def as_leaf(s: Server) -> str:
    """A server named in its leaf role: `leaf server `edge``, but `the nats-leaf sidecar of …`."""
    return f"leaf {s.label}" if s.label.startswith("server") else s.label


def domain_span(s: Server) -> Span:
    return s.domain.span or s.js_enabled.span or s.span


def js_span(s: Server) -> Span:
    return s.js_enabled.span or s.domain.span or s.span


def show_domain(d: object) -> str:
    if d is None:
        return "(unset)"
    if d == "":
        return '"" (empty)'
    return f"`{d}`"


def roots(ctx: Context) -> Iterator[tuple[Server, Document]]:
    """Each server with the config it reads (one that parsed)."""
    for s in ctx.fleet.servers:
        doc = ctx.documents.get(s.path) if not s.synthetic else None
        if doc is not None and doc.root is not None:
            yield s, doc
