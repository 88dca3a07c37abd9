"""The links of a fleet: every leaf remote, route, gateway and host connection resolved to a
server explicitly (by compose service, DNS name, config file name, listen address or loopback
in one network namespace) or reported as unresolved, never guessed; then the clusters."""

from __future__ import annotations

import os
from collections import Counter
from typing import TypeVar

from natslint.deploy.workload import Workload
from natslint.findings import Severity
from natslint.fleet.groups import Groups
from natslint.fleet.model import (
    DEFAULT_LEAF_PORT,
    GLOBAL_ACCOUNT,
    UNKNOWN_ACCOUNT,
    Cluster,
    Fleet,
    Host,
    Remote,
    Server,
    serves_leaf,
)
from natslint.fleet.leaftls import tls_mismatch
from natslint.fleet.operator import refused_user
from natslint.fleet.resolve import (
    Resolution,
    Resolver,
    alias_fix,
    is_loopback,
    kind_of_miss,
)
from natslint.fleet.servers import parse_url
from natslint.sources import SourceCache
from natslint.span import Span

T = TypeVar("T")


def config_of(w: Workload, path: str, by_path: dict[str, T], sources: SourceCache) -> T | None:
    """What ``by_path`` (real path -> item) holds for config ``path`` that workload ``w`` runs."""
    return by_path.get(sources.realpath(path)) or _by_basename(by_path, path, sources.realpath(os.path.dirname(w.path)))


def _by_basename(by_path: dict[str, T], path: str, folder: str) -> T | None:
    """An absolute path from a unit (/etc/nats/leaf.conf) matched to the file of that name
    kept beside the unit (in ``folder``, the unit's real folder) in the repository, when
    exactly one such file exists there."""
    if not os.path.isabs(path):
        return None
    base = os.path.basename(path)
    parent = os.path.dirname(folder)
    hits = [s for real_path, s in by_path.items() if os.path.basename(real_path) == base
            and (real_path.startswith(folder + os.sep) or os.path.dirname(real_path) == parent)]
    return hits[0] if len(hits) == 1 else None

# -- links -----------------------------------------------------------------------------------

def place(fleet: Fleet, machines: dict[str, str] | None = None) -> None:
    """Which plain configs (run by no deployment) share a machine: those `[[machines]]` lists
    together (``machines``: config path -> machine name), and those one of which dials another
    over a loopback address (a leaf remote, route or gateway to 127.0.0.1:P names whatever
    listens on P beside it).  Configs that reach each other by name stay apart."""
    plain = [s for s in fleet.servers if not s.netns and not s.instance_of and not s.synthetic]
    for s in plain:
        if machines and s.path in machines:
            s.netns = f"machine:{machines[s.path]}"
    groups = Groups(s.id for s in plain)
    dials = {id(s): _loopback_ports(s) for s in plain}
    for s in plain:
        if s.netns:
            continue
        for port in dials[id(s)]:
            for other in plain:
                if other is not s and not other.netns and any(li.port == port for li in other.listeners):
                    groups.join(s.id, other.id)
    members: dict[str, list[Server]] = {}
    for s in plain:
        if not s.netns:
            members.setdefault(groups.find(s.id), []).append(s)
    for group in members.values():
        if len(group) > 1 or dials[id(group[0])]:
            name = min(s.path for s in group)
            for s in group:
                s.netns = f"machine:{name}"


def _loopback_ports(s: Server) -> list[int]:
    leaf_urls = [url for r in s.remotes for url, _ in r.urls]
    urls = leaf_urls + [r.url for r in s.routes] + [u for u, _ in s.gateway_urls]
    leaf = set(leaf_urls)
    out = []
    for url in urls:
        host, port, _ = parse_url(url, DEFAULT_LEAF_PORT if url in leaf else None)
        if port is not None and is_loopback(host):
            out.append(port)
    return out


def link(fleet: Fleet, sources: SourceCache, aliases: dict[str, str] | None = None,
         machines: dict[str, str] | None = None, machine_aliases: dict[str, dict[str, str]] | None = None) -> None:
    place(fleet, machines)
    resolver = Resolver(fleet, sources, aliases, machine_aliases)
    reported: set[tuple[str, str]] = set()

    def unresolved(span: Span, what: str, key: tuple[str, str], fix: str = "", needed: bool = True,
                   notes: tuple[str, ...] = (), severity: Severity | None = None) -> None:
        if key not in reported:
            reported.add(key)
            fleet.unresolved.append((span, what, notes, fix, needed, severity))

    def count(kind: str, host: str, res: Resolution, needed: bool = True, wrong_port: bool = False) -> None:
        tally = fleet.coverage.get(kind)
        if tally is None:
            tally = fleet.coverage[kind] = Counter()
        tally["total"] += 1
        miss = "wrong_port" if wrong_port else "resolved" if res.server is not None else kind_of_miss(host, res)
        tally[miss] += 1
        if needed and miss in ("ambiguous", "unresolved", "unknown_config"):  # the domain rules needed this link
            fleet.coverage.setdefault("needed", Counter())[kind] += 1

    for s in fleet.servers:
        needed = bool(s.js_enabled.value)
        for r in s.routes:
            res = resolver.resolve(r.host, r.port, s.netns, s.scope)
            count("routes", r.host, res, needed)
            r.reaches, r.how, r.unseen = res.server, res.how, res.unseen is not None
            if res.server is not None and res.listener is not None and res.listener.kind == "cluster":
                r.target = res.server
        for remote in s.remotes:
            _link_remote(s, remote, resolver, unresolved, count)  # leaf links carry every domain question
        for url, span in s.gateway_urls:
            ghost, gport, _ = parse_url(url, None)
            res = resolver.resolve(ghost, gport, s.netns, s.scope)
            count("gateways", ghost, res, needed)
            if res.server is not None and res.listener is not None and res.listener.kind == "gateway":
                if res.server is not s:
                    s.gateway_targets.append(res.server)
            elif res.server is None and res.unseen is None:
                unresolved(span, f"gateway URL {url} of {s.label} does not resolve to one server of the fleet",
                           (s.netns, url), alias_fix(ghost, gport, res.candidates) if res.candidates else "",
                           needed, (res.how,))
    for h in fleet.hosts:
        _link_host(fleet, h, resolver, unresolved, count)
    _clusters(fleet)


def _link_host(fleet: Fleet, h: Host, resolver: Resolver, unresolved, count) -> None:
    """A host's or wadm's NATS connection: to a client listener, or reported."""
    host, port = h.endpoint_host.value, h.endpoint_port.value
    kind = "wadm" if h.kind == "wadm" else "hosts"
    if not isinstance(host, str) or not isinstance(port, int):
        fleet.coverage.setdefault(kind, Counter()).update(["total", "unresolved"])
        fleet.coverage.setdefault("needed", Counter())[kind] += 1
        h.unresolved = True
        unresolved(h.endpoint_host.span or h.span, f"the NATS address of {h.label} comes from outside "
                   "the repository", (h.id, "?"), notes=("the domain rules cannot tell which server it uses",))
        return
    res = resolver.resolve(host, port, h.netns, h.scope)
    wrong_port = res.server is not None and (res.listener is None or res.listener.kind != "client")
    count(kind, host, res, wrong_port=wrong_port)
    if res.server is not None and not wrong_port:
        h.server = res.server
        return
    h.unresolved = True
    if res.unseen is not None:  # NL406 already names that server's unknown config
        return
    severity, fix = None, alias_fix(host, port, res.candidates) if res.candidates else ""
    if res.server is None:
        what, notes = f"{h.label} connects to {host}:{port}, which does not resolve to one server", (res.how,)
        meant = _meant(resolver, host, h.scope) if not res.candidates else None
        if meant is not None:  # a compose project resolves only its own services and aliases: a typo
            severity, fix = Severity.ERROR, f"did you mean `{meant}`? Set {_setting(h)} to {meant}"
            notes = (f"`{host}` is no service or network alias of this compose project",)
    else:
        clients = [li.port for li in res.server.listeners if li.kind == "client"]
        on = f"listens for clients on {clients[0]}" if clients else "has no client listener"
        what = f"{h.label} connects to {host}:{port}, which is not a client port: {res.server.label} {on}"
        notes = (f"port {port} is its {res.listener.kind} listener" if res.listener is not None else
                 f"nothing of {res.server.label} listens on {port}",)
        severity, fix = Severity.ERROR, f"connect to {host}:{clients[0]}" if clients else ""
    unresolved(h.endpoint_host.span or h.span, what, (h.netns, f"{host}:{port}"), fix, notes=notes,
               severity=severity)


def _setting(h: Host) -> str:
    """The setting that names the host's NATS server, as its file writes it."""
    return next((n for n, sp in h.env_names.items() if sp == h.endpoint_host.span), "its NATS address")


def _meant(resolver: Resolver, host: str, scope: str) -> str | None:
    """The service or alias of the host's own compose project that ``host`` is a typo of; None
    outside compose, for a dotted name, or with no close name."""
    import difflib

    if not scope or "." in host or is_loopback(host):
        return None
    names = sorted({n for sc, n in resolver.by_scoped if sc == scope})
    close = difflib.get_close_matches(host.lower(), names, n=1, cutoff=0.8)
    return close[0] if close else None


def _link_remote(s: Server, remote: Remote, resolver: Resolver, unresolved, count) -> None:
    """Every URL of the remote is resolved (the leaf dials them in turn); the hub the model
    follows is the first that reaches a leafnode listener, else the first that reaches a server."""
    missed = None
    for url, span in remote.urls:
        host, port, user = parse_url(url, DEFAULT_LEAF_PORT)
        if not host:
            continue
        res = resolver.resolve(host, port, s.netns, s.scope)
        if res.server is None and res.unseen is not None:
            missed = missed or (host, res)
            continue
        if res.server is None:
            unresolved(span, f"leaf remote {url} of {s.label} does not resolve to one server of the fleet",
                       (s.netns, f"{host}:{port}"), alias_fix(host, port, res.candidates) if res.candidates else "",
                       notes=(res.how, "it is treated as external"))
            missed = missed or (host, res)
            continue
        remote.targets.append((url, span, res.server, res.listener))
    # the leaf dials its URLs in turn until one answers as a leafnode listener: the model
    # follows the first that would, else the first that reaches a server at all
    working = [t for t in remote.targets if serves_leaf(t[0], t[3], t[2])]
    chosen = (working or remote.targets or [None])[0]
    if chosen is not None:
        url, span, hub, listener = chosen
        _, _, user = parse_url(url, DEFAULT_LEAF_PORT)
        remote.hub, remote.resolved_url, remote.resolved_listener = hub, (url, span), listener
        if listener is not None and listener.kind == "leafnode":  # a websocket port has TLS of its own
            wrong = tls_mismatch(s, remote, hub)
            remote.tls_failure = wrong.headline if wrong is not None and wrong.surely else None
        if remote.credentials and not user:  # a creds file's user belongs to the account that signed it
            # only an account the hub is known to hold: another resolver's accounts stay unknown
            remote.hub_account = remote.creds_account if hub.operator_mode and remote.creds_account in hub.accounts \
                else hub.leaf_default_account or UNKNOWN_ACCOUNT
            remote.refused = refused_user(remote, hub)
        elif user:
            remote.hub_account = hub.leaf_users.get(user, UNKNOWN_ACCOUNT)
        else:
            # an anonymous leaf connection logs in as the hub's no_auth_user, like a client
            # (verified live by `natslint prove` on bench/gen_fleet.py fleets)
            remote.hub_account = hub.leaf_default_account or hub.no_auth_account or GLOBAL_ACCOUNT
    if remote.hub is not None:
        count("leaf_links", parse_url(remote.resolved_url[0], None)[0], Resolution(remote.hub, None, ""))
    elif missed is not None:
        count("leaf_links", *missed)


def _clusters(fleet: Fleet) -> None:
    """Servers joined by routes between cluster listeners, under one cluster name."""
    groups = Groups(s.id for s in fleet.servers)
    for s in fleet.servers:
        if s.cluster_listen is None:
            continue
        for r in s.routes:
            t = r.target
            if t is not None and t is not s and t.cluster_listen is not None and \
                    t.cluster_name.value == s.cluster_name.value:
                groups.join(s.id, t.id)
    members: dict[str, list[Server]] = {}
    for s in fleet.servers:
        members.setdefault(groups.find(s.id), []).append(s)
    for i, servers in enumerate(members.values()):
        name = servers[0].cluster_name.value if servers[0].cluster_listen else None
        c = Cluster(i, servers, name if isinstance(name, str) else None)
        fleet.clusters.append(c)
        for m in servers:
            fleet.cluster_of[m.id] = c

