"""The links of a fleet: every leaf remote, route, gateway and host connection resolved to a
server explicitly (by compose service, DNS name, config file name, listen address or loopback
in one network namespace) or reported as unresolved, never guessed; then the clusters."""

from __future__ import annotations

import ipaddress
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from natslint.deploy.workload import Workload
from natslint.fleet.groups import Groups
from natslint.fleet.model import (
    DEFAULT_LEAF_PORT,
    GLOBAL_ACCOUNT,
    UNKNOWN_ACCOUNT,
    Cluster,
    Fleet,
    Host,
    Listener,
    Remote,
    Server,
)
from natslint.fleet.servers import (
    LOOPBACK_HOSTS,
    WILDCARD_HOSTS,
    parse_url,
)
from natslint.sources import SourceCache
from natslint.span import Span

T = TypeVar("T")


@dataclass(slots=True)
class Resolution:
    server: Server | None
    listener: Listener | None
    how: str  # how it was resolved, or why not
    candidates: list[Server] = field(default_factory=list)  # when several match: all of them
    unseen: Server | None = None  # it reaches a server whose config natslint could not read


def alias_fix(host: str, port: int | None, candidates: list[Server]) -> str:
    """The natslint.toml lines that would each pick one candidate (paste one)."""
    key = f"{host}:{port}" if port is not None else host
    picks = " or ".join(f'"{key}" = "{c.server_name.value if isinstance(c.server_name.value, str) else c.path}"'
                        for c in candidates[:4])
    return f"pick one under [aliases] in natslint.toml: {picks}"


def kind_of_miss(host: str, res: Resolution) -> str:
    """ambiguous (several candidates), unknown_config (a server whose config natslint could
    not read), external (a public DNS name outside the fleet), or unresolved (a loopback
    address, a single-label or cluster-local name natslint cannot match)."""
    if res.unseen is not None:
        return "unknown_config"
    if res.candidates:
        return "ambiguous"
    if "." in host and not host.endswith((".svc.cluster.local", ".svc", ".local", ".internal")) and \
            not is_loopback(host) and not _is_ip(host):
        return "external"
    return "unresolved"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def dns_variants(host: str) -> list[str]:
    """k8s names: svc.ns.svc.cluster.local -> svc.ns.svc -> svc.ns -> svc."""
    host = host.lower().rstrip(".")
    out = [host]
    for suffix in (".svc.cluster.local", ".svc"):
        if host.endswith(suffix):
            out.append(host[: -len(suffix)])
    return out


class Resolver:
    def __init__(self, fleet: Fleet, sources: SourceCache, aliases: dict[str, str] | None = None,
                 machine_aliases: dict[str, dict[str, str]] | None = None) -> None:
        self.fleet = fleet
        self.unseen = _Names(fleet.unseen)
        # machine:<id> -> alias -> the servers it names, on that machine only
        self.on_machine: dict[str, dict[str, list[Server]]] = {
            f"machine:{mid}": {key: [s for s in fleet.servers if s.netns == f"machine:{mid}" and
                                     (target.lower() in s.names or sources.realpath(s.path) == sources.realpath(target))]
                               for key, target in table.items()}
            for mid, table in (machine_aliases or {}).items()}
        self.by_name: dict[str, list[Server]] = {}
        self.by_bare: dict[str, list[Server]] = {}  # Helm releases: `<svc>.<any namespace>`
        self.by_file: dict[str, list[Server]] = {}
        self.by_scoped: dict[tuple[str, str], list[Server]] = {}
        for s in fleet.servers:
            for n in s.names:
                self.by_name.setdefault(n.lower(), []).append(s)
                if s.any_namespace:
                    self.by_bare.setdefault(n.lower(), []).append(s)
            for n in s.file_names:
                self.by_file.setdefault(n.lower(), []).append(s)
            for scope, names in s.scoped_names.items():
                for n in names:
                    self.by_scoped.setdefault((scope, n.lower()), []).append(s)
        for alias, target in (aliases or {}).items():
            target_path = sources.realpath(target)
            for s in fleet.servers:
                if target.lower() in s.names or sources.realpath(s.path) == target_path:
                    self.by_name.setdefault(alias.lower(), []).append(s)

    def resolve(self, host: str, port: int | None, netns: str, scope: str = "") -> Resolution:
        res = self._resolve(host, port, netns, scope)
        if res.server is None and not res.candidates and not is_loopback(host):
            res.how += self._release_hint(host.lower())
        if res.server is None and not res.candidates:
            unseen = self.unseen.find(host.lower().strip("[]"), port, netns, scope)
            if unseen is not None:
                why = f": {unseen.config_unseen_why}" if unseen.config_unseen_why else ""
                return Resolution(None, None, f"it reaches {unseen.label}, whose config natslint could not "
                                              f"read{why}", unseen=unseen)
        return res

    def _release_hint(self, host: str) -> str:
        """A chart release whose name is not known may be the server ``host`` names: say which
        release names would make it so (never pick one)."""
        hints = []
        for s in self.fleet.servers:
            names = release_names(host, s.unnamed_release) if s.unnamed_release else []
            if names:
                hints.append(f"{s.label} would be, if its release were named "
                             + " or ".join(f"`{n}`" for n in names))
        return ("; " + "; ".join(hints) + " (declare it under [[releases]] in natslint.toml, or in a helmfile)"
                if hints else "")

    def _resolve(self, host: str, port: int | None, netns: str, scope: str = "") -> Resolution:
        host = host.lower().strip("[]")
        key = f"{host}:{port}" if port is not None else host
        aliased = self.on_machine.get(netns, {}).get(key) or self.on_machine.get(netns, {}).get(host) or \
            (self.by_name.get(key) if port is not None else None)
        if aliased and port is None:
            return Resolution(aliased[0], None, f"alias {host}") if len(set(map(id, aliased))) == 1 else \
                Resolution(None, None, f"alias {host} names {len(aliased)} servers", aliased)
        if aliased:  # an alias with a port names one listener exactly
            return self._on_port(list(dict.fromkeys(aliased)), host, port, f"alias {key}")
        if is_loopback(host):
            if not netns:
                return Resolution(None, None, f"{host} means the machine itself, and which machine "
                                              "this runs on is not known")
            cands = [s for s in self.fleet.servers if s.netns == netns]
            if not cands:
                return Resolution(None, None, "no NATS server runs beside it (same compose service, "
                                              "sidecar, pod or machine) in the checked files")
            if port is not None:  # as the kernel connects: the listener bound to that address and port
                bound = [(s, li) for s in cands for li in s.listeners if li.port == port and accepts(li.host, host)]
                return self._pick(bound, host, port, "loopback on its machine")
            how = "loopback in the same network namespace"
        else:
            # most specific first: the compose project's own service names, then global DNS
            # names (server_name, Kubernetes Services, aliases), then config file names
            cands = self.by_scoped.get((scope, host), []) if scope else []
            how = f"compose service {host!r}"
            if not cands:
                how = f"name {host!r}"
                for variant in dns_variants(host):
                    cands = self.by_name.get(variant, [])
                    if cands:
                        break
            if not cands and self.by_bare and NAMESPACED.fullmatch(host):
                cands = self.by_bare.get(host.split(".", 1)[0], [])
            if not cands:
                cands = self.by_file.get(host, [])
                how = f"config file name {host!r}"
            if not cands:
                cands = [s for s in self.fleet.servers for li in s.listeners if li.host.lower() == host]
                how = f"listen address {host}"
        cands = list(dict.fromkeys(cands))
        if not cands:
            return Resolution(None, None, f"no server in the fleet is named {host!r}")
        if port is None:
            return Resolution(cands[0], None, how) if len(cands) == 1 else \
                Resolution(None, None, f"{host!r} names {len(cands)} servers")
        return self._on_port(cands, host, port, how)

    def _on_port(self, cands: list[Server], host: str, port: int, how: str) -> Resolution:
        on_port = [(s, li) for s in cands for li in s.listeners if li.port == port]
        if not on_port and len(cands) == 1:
            return Resolution(cands[0], None, how)  # the server is known, nothing listens there
        if not on_port:
            return Resolution(None, None, f"{host!r} names {len(cands)} servers, none listening on {port}")
        return self._pick(on_port, host, port, how)

    @staticmethod
    def _pick(on_port: list[tuple[Server, Listener]], host: str, port: int, how: str) -> Resolution:
        if not on_port:
            return Resolution(None, None, f"nothing on its machine listens on {host}:{port}")
        servers = {id(s) for s, _ in on_port}
        # the replicas of one workload behind one Service are interchangeable: take the first
        if len(servers) == 1 or len({s.instance_of for s, _ in on_port} - {""}) == 1 and \
                all(s.instance_of for s, _ in on_port):
            return Resolution(on_port[0][0], on_port[0][1], how)
        names = ", ".join(f"{s.label} ({li.kind} listener at {s.path}:{li.span.line if li.span else 1})"
                          for s, li in on_port[:4])
        return Resolution(None, None, f"{host}:{port} matches {len(servers)} servers: {names}",
                          list(dict.fromkeys(s for s, _ in on_port)))

NAMESPACED = re.compile(r"[a-z0-9-]+\.[a-z0-9-]+(\.svc(\.cluster\.local)?)?")


def release_names(host: str, chart: str = "nats") -> list[str]:
    """The release names under which the NATS chart would answer to ``host`` (its Service
    `<fullname>` or `<fullname>-headless`, `<fullname>` being the release name when it holds
    the chart's name, else `<release>-<chart>`)."""
    base = host.split(".", 1)[0]
    base = base.removesuffix("-headless")
    out = [base] if chart in base else []
    if base.endswith(f"-{chart}") and base[: -len(chart) - 1]:
        out.append(base[: -len(chart) - 1])
    return out


class _Names:
    """Servers by every name they answer to, without their listeners: for the servers whose
    config is unknown, which a link can reach but whose ports natslint cannot see."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = servers
        self.by_name: dict[str, Server] = {}
        for s in servers:
            for n in [*(n.lower() for n in s.names),
                      *(f"{scope}\x00{n.lower()}" for scope, ns in s.scoped_names.items() for n in ns)]:
                self.by_name.setdefault(n, s)

    def find(self, host: str, port: int | None, netns: str, scope: str) -> Server | None:
        if not self.servers:
            return None
        if is_loopback(host):
            return next((s for s in self.servers if netns and s.netns == netns), None)
        hit = self.by_name.get(f"{scope}\x00{host}") if scope else None
        for variant in dns_variants(host):
            hit = hit or self.by_name.get(variant)
        return hit


def is_loopback(host: str) -> bool:
    """A target address that means the machine itself: 127.0.0.0/8, localhost, ::1, and the
    wildcards 0.0.0.0 and :: used as a target."""
    if host in LOOPBACK_HOSTS or host in ("0.0.0.0", "::"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def accepts(listen_host: str, target: str) -> bool:
    """Linux bind semantics: a wildcard listener accepts any local address, a specific one
    only itself (`localhost` is 127.0.0.1 and ::1)."""
    listen = listen_host.lower().strip("[]")
    if listen in WILDCARD_HOSTS:
        return True
    same = {"localhost", "127.0.0.1", "::1"}
    return listen == target or (listen in same and target in same) or \
        (target in ("0.0.0.0", "::") and is_loopback(listen))


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
    for s in plain:
        if s.netns:
            continue
        for port in _loopback_ports(s):
            for other in plain:
                if other is not s and not other.netns and any(li.port == port for li in other.listeners):
                    groups.join(s.id, other.id)
    members: dict[str, list[Server]] = {}
    for s in plain:
        if not s.netns:
            members.setdefault(groups.find(s.id), []).append(s)
    for group in members.values():
        if len(group) > 1 or _loopback_ports(group[0]):
            name = min(s.path for s in group)
            for s in group:
                s.netns = f"machine:{name}"


def _loopback_ports(s: Server) -> list[int]:
    urls = [url for r in s.remotes for url, _ in r.urls] + [r.url for r in s.routes] + [u for u, _ in s.gateway_urls]
    out = []
    for url in urls:
        host, port, _ = parse_url(url, DEFAULT_LEAF_PORT if any(url == u for r in s.remotes for u, _ in r.urls)
                                  else None)
        if port is not None and is_loopback(host):
            out.append(port)
    return out


def link(fleet: Fleet, sources: SourceCache, aliases: dict[str, str] | None = None,
         machines: dict[str, str] | None = None, machine_aliases: dict[str, dict[str, str]] | None = None) -> None:
    place(fleet, machines)
    resolver = Resolver(fleet, sources, aliases, machine_aliases)
    reported: set[tuple[str, str]] = set()

    def unresolved(span: Span, what: str, key: tuple[str, str], fix: str = "", needed: bool = True) -> None:
        if key not in reported:
            reported.add(key)
            fleet.unresolved.append((span, what, fix, needed))

    def count(kind: str, host: str, res: Resolution, needed: bool = True) -> None:
        tally = fleet.coverage.setdefault(kind, Counter())
        tally["total"] += 1
        miss = "resolved" if res.server is not None else kind_of_miss(host, res)
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
                unresolved(span, f"gateway URL {url} of {s.label}: {res.how}", (s.netns, url),
                           alias_fix(ghost, gport, res.candidates) if res.candidates else "", needed)
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
        unresolved(h.endpoint_host.span or h.span, f"{h.label}: its NATS address comes from outside "
                   "the repository", (h.id, "?"))
        return
    res = resolver.resolve(host, port, h.netns, h.scope)
    count(kind, host, res)
    if res.server is not None and res.listener is not None and res.listener.kind == "client":
        h.server = res.server
        return
    h.unresolved = True
    if res.unseen is not None:  # NL406 already names that server's unknown config
        return
    unresolved(h.endpoint_host.span or h.span, f"{h.label} connects to {host}:{port}: {res.how}"
               if res.server is None else f"{h.label} connects to {host}:{port}, which is not a "
               f"client port of {res.server.label}", (h.netns, f"{host}:{port}"),
               alias_fix(host, port, res.candidates) if res.candidates else "")


def _link_remote(s: Server, remote: Remote, resolver: Resolver, unresolved, count) -> None:
    """Every URL of the remote is resolved (the leaf dials whichever answers); the first that
    resolves is the hub the model follows."""
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
            unresolved(span, f"leaf remote {url} of {s.label}: {res.how}; treated as external",
                       (s.netns, f"{host}:{port}"), alias_fix(host, port, res.candidates) if res.candidates else "")
            missed = missed or (host, res)
            continue
        remote.targets.append((url, span, res.server, res.listener))
        if remote.hub is not None:
            continue
        remote.hub = res.server
        remote.resolved_url = (url, span)
        remote.resolved_listener = res.listener
        hub = res.server
        if remote.credentials and not user:
            remote.hub_account = hub.leaf_default_account or UNKNOWN_ACCOUNT
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

