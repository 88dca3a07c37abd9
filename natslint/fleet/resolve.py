"""Resolving an address to a server: by compose service, DNS name (Kubernetes Services and
pods, Helm releases in any namespace), alias, config file name, listen address, or loopback
inside one network namespace (a container, pod or machine, with Linux bind semantics).
Several candidates are ambiguous and never guessed between; a server whose config natslint
could not read is reported as such (its ports are not known)."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field

from natslint.fleet.model import Fleet, Listener, Server
from natslint.fleet.servers import LOOPBACK_HOSTS, WILDCARD_HOSTS
from natslint.sources import SourceCache


@dataclass(slots=True)
class Resolution:
    """What an address a server dials reached: a server and listener, or why none."""

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
        self._answers: dict[tuple, Resolution] = {}
        self.unseen = _Names(fleet.unseen)
        self.unnamed = [s for s in fleet.servers if s.unnamed_release]  # Helm releases with no known name
        # machine:<id> -> alias -> the servers it names, on that machine only
        self.on_machine: dict[str, dict[str, list[Server]]] = {
            f"machine:{mid}": {key: [s for s in fleet.servers if s.netns == f"machine:{mid}" and
                                     (target.lower() in s.names or sources.realpath(s.path) == sources.realpath(target))]
                               for key, target in table.items()}
            for mid, table in (machine_aliases or {}).items()}
        # network namespace -> the Kubernetes cluster it is in, where a release names one
        self.kube_of = {s.netns: s.kube_cluster for s in fleet.servers if s.kube_cluster}
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
            for s in fleet.servers:  # a config held in a manifest or rendered from values: named by that file
                if target.lower() in s.names or target_path in (sources.realpath(s.path),
                                                                 sources.realpath(sources.file_of(s.path))):
                    self.by_name.setdefault(alias.lower(), []).append(s)

    def resolve(self, host: str, port: int | None, netns: str, scope: str = "") -> Resolution:
        """The server (and listener) ``host:port`` reaches from network namespace ``netns`` and
        compose project ``scope``; asked once per address (every leaf of a site dials its hub)."""
        key = (host, port, netns, scope)
        hit = self._answers.get(key)
        if hit is None:
            hit = self._answers[key] = self._resolve_once(host, port, netns, scope)
        return hit

    def _resolve_once(self, host: str, port: int | None, netns: str, scope: str) -> Resolution:
        if host.startswith("$"):  # a `$VAR` inside quotes: nats-server dials the text itself
            return Resolution(None, None, f"the host is the literal text `{host}`: nats-server never "
                                          "interpolates variables inside strings")
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
        for s in self.unnamed:
            names = release_names(host, s.unnamed_release)
            label = s.label.split(" (pod ", 1)[0]  # a release's pods: one hint for the release
            hint = f"{label} would be, if its release were named " + " or ".join(f"`{n}`" for n in names)
            if names and hint not in hints:
                hints.append(hint)
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
        mine = self.kube_of.get(netns)
        if cands and mine and CLUSTER_LOCAL.fullmatch(host):  # a Service name: it resolves in its own cluster only
            other = [s for s in cands if s.kube_cluster and s.kube_cluster != mine]
            cands = [s for s in cands if s not in other]
            if not cands:
                return Resolution(None, None, f"{host!r} is a Service of Kubernetes cluster `{other[0].kube_cluster}`, "
                                              f"and Service names resolve only inside their own cluster: this "
                                              f"runs in `{mine}`")
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
# names the cluster's DNS answers: a Service, `<svc>.<ns>`, `...svc`, `...svc.cluster.local`, a pod's through a Service
CLUSTER_LOCAL = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+){0,2}(\.svc(\.cluster\.local)?)?")


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
        for s in servers:  # a config file's name, as the resolver matches it last
            for n in s.file_names:
                self.by_name.setdefault(n.lower(), s)

    def find(self, host: str, port: int | None, netns: str, scope: str) -> Server | None:
        if not self.servers:
            return None
        if is_loopback(host):
            return next((s for s in self.servers if netns and s.netns == netns), None)
        hit = self.by_name.get(f"{scope}\x00{host}") if scope else None
        for variant in dns_variants(host):
            hit = hit or self.by_name.get(variant)
        return hit


@functools.lru_cache(maxsize=8192)
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
