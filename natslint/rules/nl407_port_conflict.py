"""NL407 port-conflict: two servers in one network namespace bind one port."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import PORT_CONFLICT
from natslint.findings import Finding, Related
from natslint.fleet.model import Listener, Server
from natslint.fleet.resolve import accepts
from natslint.rules.base import Rule
from natslint.rules.context import Context


def _clash(a: Listener, b: Listener) -> bool:
    """Linux refuses the second bind: a wildcard clashes with any address on the port."""
    return a.port == b.port and a.port > 0 and (accepts(a.host, b.host or "0.0.0.0") or accepts(b.host, a.host or "0.0.0.0"))


def check(ctx: Context) -> Iterator[Finding]:
    by_netns: dict[str, list[Server]] = {}
    for s in ctx.fleet.servers:
        if s.netns:
            by_netns.setdefault(s.netns, []).append(s)
    for servers in by_netns.values():
        taken: list[tuple[Server, Listener]] = []
        for s in servers:
            for li in s.listeners:
                other = next(((o, ol) for o, ol in taken if o is not s and _clash(ol, li)), None)
                if other is not None:
                    o, ol = other
                    yield PORT_CONFLICT.at(
                        li.span or s.span,
                        f"{s.label} binds port {li.port} ({li.kind}), which {o.label} on the same machine already "
                        f"binds ({ol.kind})",
                        "the second to start exits with `address already in use`",
                        related=(Related(ol.span or o.span, f"{o.label} binds port {ol.port} here"),),
                        fix="give each server on one machine its own ports")
            taken += [(s, li) for li in s.listeners]


RULE = Rule(PORT_CONFLICT, check)
