"""NL4xx: leaf links, cluster names, server names and addresses."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from natslint.codes import (
    DUPLICATE_SERVER_NAME,
    LEAF_CLUSTER_NAME_CLASH,
    LEAF_REMOTE_NO_LISTENER,
    LEAF_REMOTE_WRONG_PORT,
    UNRESOLVED_ADDRESS,
)
from natslint.findings import Finding, Related, Severity
from natslint.fleet.model import UNKNOWN_ACCOUNT, Server, leaf_port_kind, serves_leaf, short_name
from natslint.fleet.servers import parse_url
from natslint.rules.base import Rule
from natslint.rules.context import Context, as_leaf
from natslint.words import listing

_PORT_NAMES = {"client": "client", "cluster": "route (cluster)", "gateway": "gateway",
               "websocket": "websocket", "mqtt": "MQTT", "monitor": "monitoring"}


def _dead(r) -> list[tuple[str, object, object, object]]:
    """The remote's URLs that reach a server of the fleet but not the listener their scheme
    speaks to (leafnode, or websocket for `ws://`), and whether another URL of the remote does
    (the leaf then connects through that one)."""
    works = any(serves_leaf(url, li, t) for url, _, t, li in r.targets)
    return [(url, span, t, li, works) for url, span, t, li in r.targets if not serves_leaf(url, li, t)]


def _never(url: str, kind: str) -> str:
    """What the live servers do with a leaf URL at the wrong listener."""
    if leaf_port_kind(url) == "websocket" and kind == "websocket":
        return ("this URL never comes up: a websocket port takes leaf connections only on a server that has a "
                "leafnodes listener too (the hub logs `Not configured to accept leaf node connections`)")
    if leaf_port_kind(url) == "websocket" and kind == "leafnode":
        return ("this URL never comes up: the leaf speaks websocket to the leafnode port (`Error soliciting "
                "websocket connection: malformed HTTP status code`)")
    if kind == "websocket":
        return "this URL never comes up: the websocket port expects an HTTP upgrade, which a `nats-leaf://` URL never sends"
    return "this URL never comes up; the hub logs `attempted to connect to wrong port`"


def _port_fix(url: str, kind: str, leaf_li, hub: Server) -> str:
    if kind == "websocket" and leaf_port_kind(url) == "websocket":
        return f"add `leafnodes {{ port: 7422 }}` to {hub.label}"
    if kind == "websocket" and leaf_port_kind(url) == "leafnode":
        return "write ws:// (or wss://) for the websocket port, or use the leafnode port" + \
            (f" {hub.listener('leafnode').port}" if hub.listener("leafnode") else "")
    if leaf_li is None:
        return f"open a leafnodes listener on {hub.label}" if leaf_port_kind(url) == "leafnode" else \
            f"give {hub.label} a websocket listener, or write nats-leaf:// for its leafnode port"
    return f"use the {leaf_li.kind} port {leaf_li.port}"


def _through(r) -> str:
    url = r.resolved_url[0] if r.resolved_url else "another URL"
    return f"the leaf connects through {url} instead, until that one fails too"


def check_wrong_port(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in s.remotes:
            for url, span, hub, li, works in _dead(r):
                if li is None:
                    continue
                leaf_li = hub.listener(leaf_port_kind(url))
                yield LEAF_REMOTE_WRONG_PORT.at(
                    span,
                    f"leaf remote {url} of {s.label} points at the {_PORT_NAMES.get(li.kind, li.kind)} port "
                    f"{li.port} of {hub.label}",
                    _never(url, li.kind),
                    _through(r) if works else "",
                    severity=Severity.WARNING if works else None,
                    related=tuple(Related(x.span, f"{x.kind} listener of {hub.label}")
                                  for x in dict.fromkeys((li, leaf_li)) if x is not None and x.span is not None),
                    fix=_port_fix(url, li.kind, leaf_li, hub))


def check_no_listener(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in s.remotes:
            for url, span, hub, li, works in _dead(r):
                if li is not None:
                    continue
                _, port, _ = parse_url(url, 7422)
                leaf_li = hub.listener("leafnode")
                yield LEAF_REMOTE_NO_LISTENER.at(
                    span,
                    f"leaf remote {url} of {s.label} targets {hub.label}, which has no leafnode listener "
                    f"on port {port}",
                    "" if "://" in url and f":{port}" in url else "the URL names no port, so the leaf dials 7422",
                    "the connection is refused", _through(r) if works else "",
                    severity=Severity.WARNING if works else None,
                    related=((Related(leaf_li.span, f"leafnode listener on {leaf_li.port}"),)
                             if leaf_li is not None and leaf_li.span is not None else ()),
                    fix=f"use port {leaf_li.port}" if leaf_li else
                        f"add `leafnodes {{ port: 7422 }}` to {hub.label}")


def check_cluster_name_clash(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        mine = s.effective_cluster_name
        if not mine:
            continue
        for r in s.remotes:
            hub = r.hub
            if hub is None or not isinstance(hub.cluster_name.value, str) or hub.cluster_name.value != mine:
                continue
            where = s.cluster_name.span if isinstance(s.cluster_name.value, str) else s.server_name.span
            yield LEAF_CLUSTER_NAME_CLASH.at(
                where or s.span,
                f"{as_leaf(s)} presents cluster name `{mine}` to {hub.label}, whose cluster is also `{mine}`",
                "the hub rejects the link (`remote leafnode has same cluster name`) and the leaf retries "
                "every 30 s",
                related=(Related(hub.cluster_name.span or hub.span, f"the hub's cluster name `{mine}`"),),
                fix="rename the leaf's cluster" + ("" if isinstance(s.cluster_name.value, str)
                                                   else " (a standalone leaf uses its server_name)"))
    yield from _shared_leaf_cluster_name(ctx)


def _shared_leaf_cluster_name(ctx: Context) -> Iterator[Finding]:
    """Leaves that are not routed to each other but present one cluster name to the same hub
    cluster and account: the hub takes them for one cluster and forwards nothing between them."""
    groups: dict[tuple[str, int, str], list[Server]] = defaultdict(list)
    for s in ctx.fleet.servers:
        name = s.cluster_name.value
        if not isinstance(name, str) or not name:
            continue  # a standalone leaf presents its server_name: NL404 judges a shared one
        for key in {(name, id(ctx.fleet.cluster_of[r.hub.id]), r.hub_account) for r in s.remotes
                    if r.hub is not None and r.hub_account != UNKNOWN_ACCOUNT and s.link_comes_up(r)}:
            groups[key].append(s)
    for (name, _, account), servers in sorted(groups.items(), key=lambda kv: kv[0][::2]):
        apart: list[Server] = []  # one server of each cluster of leaves
        for s in sorted(servers, key=lambda s: s.path):
            if all(ctx.fleet.cluster_of[s.id] is not ctx.fleet.cluster_of[o.id] for o in apart):
                apart.append(s)
        if len(apart) < 2:
            continue
        first, hub = apart[0], next(r.hub for r in apart[0].remotes if r.hub is not None)
        names = listing([o.label for o in apart])
        for s in apart[1:]:
            yield LEAF_CLUSTER_NAME_CLASH.at(
                s.cluster_name.span or s.span,
                f"{s.label} presents cluster name `{name}` to {ctx.fleet.cluster_of[hub.id].label} in account "
                f"{account}, as {first.label} does, though they are not routed to each other",
                f"the hub takes {names} for one cluster `{name}` and forwards nothing from one of them to another: "
                "a message published behind one never reaches a subscriber behind another",
                related=(Related(first.cluster_name.span or first.span, f"{first.label} also presents `{name}`"),),
                fix="give each leaf server a cluster name of its own, or route them into one cluster")


def check_duplicate_names(ctx: Context) -> Iterator[Finding]:
    by_name: dict[str, list[Server]] = defaultdict(list)
    for s in ctx.fleet.servers:
        if isinstance(s.server_name.value, str) and s.server_name.value and s.server_name.span is not None:
            by_name[s.server_name.value].append(s)
    for name, servers in sorted(by_name.items()):
        if len(servers) < 2:
            continue
        servers.sort(key=lambda s: s.path)
        first = servers[0]
        for s in servers[1:]:
            same_cluster = ctx.fleet.cluster_of[s.id] is ctx.fleet.cluster_of[first.id] and \
                len(ctx.fleet.cluster_of[s.id].servers) > 1
            same_hub = any(r1.hub is not None and r1.hub is r2.hub and r1.hub_account == r2.hub_account
                           for r1 in s.remotes for r2 in first.remotes)
            severity = Severity.ERROR if same_cluster or same_hub else Severity.WARNING
            why = ("in one cluster the routes reject it (`Remote server has a duplicate name`)" if same_cluster
                   else "both solicit the same hub and account, so the hub keeps evicting one for the other"
                   if same_hub else "logs, reports and JetStream peer lists become ambiguous")
            js = ctx.reach.jetstream_of(s) if same_cluster and s.js_enabled.value else None
            stuck = ("their JetStream's meta group never elects a leader (its peer ids are made from the names), "
                     "so every API request gets `JetStream system temporarily unavailable` (10008)"
                     if js is not None and ctx.reach.leaderless(js) else "")
            yield DUPLICATE_SERVER_NAME.at(
                s.server_name.span, f"server_name `{name}` is used by {_where(s)} and {_where(first)}",
                _running(s, first), why, stuck,
                severity=severity,
                related=(Related(first.server_name.span, f"also `{name}`"),),
                fix="give every server a unique server_name")


def check_unresolved(ctx: Context) -> Iterator[Finding]:
    for span, what, notes, fix, needed, surely in ctx.fleet.unresolved:
        yield UNRESOLVED_ADDRESS.at(span, what, *notes,
                                    severity=surely or (Severity.ERROR if needed and ctx.require_resolved else None),
                                    fix=fix or "add the target's config to the checked tree, or declare an alias "
                                               "in [tool.natslint] aliases")


def _deployed(s: Server) -> bool:
    return s.id != s.path and not s.synthetic


def _where(s: Server) -> str:
    """A server as a place: its config, or the service or pod that runs it when several do."""
    return f"`{short_name(s.id)}`" if _deployed(s) else s.path


def _running(*servers: Server) -> str:
    paths = [s.path for s in servers if _deployed(s)]
    if not paths:
        return ""
    if len(set(paths)) == 1:
        return f"both run {paths[0]}"
    return "; ".join(f"{_where(s)} runs {s.path}" for s in servers if _deployed(s))


RULES = (
    Rule(LEAF_REMOTE_WRONG_PORT, check_wrong_port),
    Rule(LEAF_REMOTE_NO_LISTENER, check_no_listener),
    Rule(LEAF_CLUSTER_NAME_CLASH, check_cluster_name_clash),
    Rule(DUPLICATE_SERVER_NAME, check_duplicate_names),
    Rule(UNRESOLVED_ADDRESS, check_unresolved),
)
