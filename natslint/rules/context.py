"""What fleet rules see: the fleet, its reachability, and small helpers for messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from natslint.fleet.model import GLOBAL_ACCOUNT, Fleet, Server
from natslint.fleet.reach import Reach
from natslint.span import Span


@dataclass(slots=True)
class Context:
    fleet: Fleet
    reach: Reach
    documents: dict = field(default_factory=dict)  # display path -> parsed Document
    expect_domain: str | None = None  # the lattice's intended domain, from the project config
    memo: dict = field(default_factory=dict)  # results rules share within one run

    def accounts_of(self, s: Server) -> list[str]:
        """The accounts a client can sit in on a server (the system account aside)."""
        apps = [a for a in s.accounts if a != s.system_account]
        return apps or [GLOBAL_ACCOUNT]


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
