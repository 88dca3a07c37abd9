"""NL407 port-conflict: two servers in one network namespace bind one port."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import PORT_CONFLICT
from natslint.deploy.ports import Published
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


def _together(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two compose services can run at once: a service without profiles always starts;
    two with profiles only when they share one."""
    return not a or not b or bool(set(a) & set(b))


def check_published(ctx: Context) -> Iterator[Finding]:
    """Two services of one compose project publish one host port: `docker compose up` cannot
    start the second (`port is already allocated`)."""
    seen: list[tuple[str, str, tuple[str, ...], Published]] = []
    for service, project, profiles, p in sorted(ctx.fleet.published, key=lambda x: (x[3].span.path, x[3].span.line)):
        clash = next((o for o in seen if o[1] == project and o[0] != service and _together(o[2], profiles)
                      and o[3].overlaps(p)), None)
        seen.append((service, project, profiles, p))
        if clash is None:
            continue
        port = f"{p.first}" if p.first == p.last else f"{p.first}-{p.last}"
        yield PORT_CONFLICT.at(
            p.span, f"{service} publishes host port {port}/{p.protocol}, which {clash[0]} of the same compose "
            f"project already publishes ({clash[3].written})",
            "`docker compose up` cannot start the second (`port is already allocated`): it and whatever "
            "depends on it never run",
            related=(Related(clash[3].span, f"{clash[0]} publishes it here"),),
            fix="publish each host port once (another host port, or a specific host_ip for each)")


def _check(ctx: Context) -> Iterator[Finding]:
    yield from check(ctx)
    yield from check_published(ctx)


RULE = Rule(PORT_CONFLICT, _check)
