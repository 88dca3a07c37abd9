"""Build the fleet: servers from configs and deployments, hosts from environments, and the
links between them, every one resolved explicitly or reported as unresolved (never guessed).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TypeVar

from natslint.deploy.flags import parse_command
from natslint.deploy.workload import Located, Workload
from natslint.fleet.groups import Groups
from natslint.fleet.model import (
    DEFAULT_CLIENT_PORT,
    DEFAULT_LEAF_PORT,
    GLOBAL_ACCOUNT,
    UNKNOWN_ACCOUNT,
    Cluster,
    Fleet,
    Host,
    Listener,
    Remote,
    Server,
    Value,
)
from natslint.fleet.servers import (
    LOOPBACK_HOSTS,
    apply_cli,
    bare_server,
    server_from_document,
    parse_url,
    split_hostport,
)
from natslint.sources import SourceCache
from natslint.syntax.document import Document
from natslint.span import Span

T = TypeVar("T")


@dataclass(slots=True)
class Resolution:
    server: Server | None
    listener: Listener | None
    how: str  # how it was resolved, or why not


def dns_variants(host: str) -> list[str]:
    """k8s names: svc.ns.svc.cluster.local -> svc.ns.svc -> svc.ns -> svc."""
    host = host.lower().rstrip(".")
    out = [host]
    for suffix in (".svc.cluster.local", ".svc"):
        if host.endswith(suffix):
            out.append(host[: -len(suffix)])
    return out


class Resolver:
    def __init__(self, fleet: Fleet, sources: SourceCache, aliases: dict[str, str] | None = None) -> None:
        self.fleet = fleet
        self.by_name: dict[str, list[Server]] = {}
        self.by_file: dict[str, list[Server]] = {}
        self.by_scoped: dict[tuple[str, str], list[Server]] = {}
        for s in fleet.servers:
            for n in s.names:
                self.by_name.setdefault(n.lower(), []).append(s)
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
        host = host.lower().strip("[]")
        if host in LOOPBACK_HOSTS:
            if not netns:
                return Resolution(None, None, "127.0.0.1 means the machine itself, and which machine "
                                              "this runs on is not known")
            cands = [s for s in self.fleet.servers if s.netns == netns]
            how = "loopback in the same network namespace"
            if not cands:
                return Resolution(None, None, "no NATS server runs beside it (same compose service, "
                                              "sidecar, pod or machine) in the checked files")
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
        on_port = [(s, li) for s in cands for li in s.listeners if li.port == port]
        if len(on_port) == 1:
            return Resolution(on_port[0][0], on_port[0][1], how)
        if len(on_port) > 1:
            servers = {id(s) for s, _ in on_port}
            if len(servers) == 1:
                return Resolution(on_port[0][0], on_port[0][1], how)
            return Resolution(None, None, f"{host}:{port} matches {len(servers)} servers")
        if len(cands) == 1:
            return Resolution(cands[0], None, how)  # the server is known, nothing listens there
        return Resolution(None, None, f"{host!r} names {len(cands)} servers, none listening on {port}")


UNKNOWN_REPLICAS = 2  # a count natslint cannot see (a DaemonSet): two identical instances


def instances(w: Workload) -> int:
    return UNKNOWN_REPLICAS if w.replicas is None else w.replicas


def servers_from_workloads(fleet: Fleet, workloads: list[Workload], roots: dict[str, str],
                           documents: dict[str, Document], sources: SourceCache) -> set[str]:
    """One server instance per process the deployments start (each service, replica, pod,
    unit and sidecar), each with its own flags and names; returns the root configs they run.
    ``roots``: real path -> display path of every root config."""
    runs: dict[str, list[Workload]] = {}
    for w in workloads:
        if w.kind not in ("whc", "helm-nats") and w.runs_nats:
            root = next((r for r in (config_of(w, p, roots, sources) for p, _ in w.config_paths) if r), None)
            runs.setdefault(root or "", []).append(w)
    shared = {root for root, ws in runs.items() if root and (len(ws) > 1 or instances(ws[0]) != 1)}
    for w in workloads:
        if w.kind == "whc":
            fleet.servers += [_whc_sidecar(w, i) for i in range(instances(w))]
        elif w.kind == "helm-nats":
            fleet.servers.append(_chart_server(w))
    for root, ws in runs.items():
        for w in ws:
            for i in range(instances(w)):
                fleet.servers.append(_instance(fleet, w, i, root, documents, root in shared))
    return {r for r in runs if r}


def _instance(fleet: Fleet, w: Workload, i: int, root: str, documents: dict[str, Document], shared: bool) -> Server:
    """Replica ``i`` of workload ``w``, running config ``root`` (or none)."""
    n = instances(w)
    iid = w.id if n == 1 else f"{w.id}[{i}]"
    if root:
        s = server_from_document(documents[root], root)
        if shared:  # several processes run this file: each is a server of its own
            s.id, s.display = iid, f"server {iid} (running {root})"
    else:
        s = bare_server(iid, w.path, w.span)
        if w.config_paths and i == 0:
            path, span = w.config_paths[0]
            fleet.unresolved.append((span, f"config file {path} is not in the checked tree; "
                                           f"server {w.id} is modeled from its command line only"))
    s.instance_of = w.id
    s.count_known = w.replicas is not None
    s.netns = w.netns if n == 1 else f"{w.netns}[{i}]"
    own = w.instance_names[i] if i < len(w.instance_names) else set()
    if w.kind == "compose":
        s.scoped_names.setdefault(w.project or w.path, set()).update(w.names | own)
        s.scope = w.project or w.path
    else:
        s.names.update(w.names | {n.lower() for n in own})
    apply_cli(s, parse_command(w.command))
    return s


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


def _or(field: Located | None, default: object, span: Span) -> tuple[object, Span]:
    """A WasmCloudHostConfig field with the operator's default where it is not set."""
    return (field.value, field.span) if field is not None else (default, span)


def _whc_sidecar(w: Workload, i: int = 0) -> Server:
    """The NATS leaf sidecar the wasmCloud operator runs beside each host (replica ``i``)."""
    hc = w.host_config
    assert hc is not None
    span = hc.span
    many = instances(w) > 1
    s = bare_server(f"{w.id} (nats-leaf sidecar{f' {i}' if many else ''})", w.path, span)
    s.display = f"the nats-leaf sidecar of WasmCloudHostConfig `{w.id.rsplit('/', 1)[-1]}`" + \
        (f" (host {i})" if many else "")
    s.netns = f"{w.netns}[{i}]" if many else w.netns
    s.instance_of, s.count_known = w.id, w.replicas is not None
    s.js_enabled = Value(True, span)  # the operator starts it with -js
    domain, dspan = _or(hc.leaf_node_domain, "leaf", span)
    s.domain = Value(str(domain), dspan)
    addr, aspan = _or(hc.nats_address, "nats://nats.default.svc.cluster.local", span)
    port, _ = _or(hc.nats_leafnode_port, DEFAULT_LEAF_PORT, span)
    host, _, _ = parse_url(str(addr), None)
    url = f"nats://{host}:{port}"
    s.remotes.append(Remote([(url, aspan)], GLOBAL_ACCOUNT, aspan, hc.secret_name is not None))
    return s


def _chart_server(w: Workload) -> Server:
    chart = w.chart
    assert chart is not None
    s = bare_server(w.id, w.path, w.span)
    s.display = f"the NATS chart release of {w.path}"
    s.names.update(w.names)
    if chart.jetstream is not None:
        s.js_enabled = Value(True, chart.jetstream.span)
    if chart.domain is not None:
        s.domain = Value(chart.domain.value, chart.domain.span)
    if chart.leafnodes_port is not None:
        s.listeners.append(Listener("leafnode", "", chart.leafnodes_port.value, chart.leafnodes_port.span))
    return s


def hosts_from_workloads(fleet: Fleet, workloads: list[Workload]) -> None:
    for w in workloads:
        if w.kind == "whc":
            fleet.hosts += [_whc_host(w, i) for i in range(instances(w))]
            continue
        if w.runs_nats:
            continue
        if w.is_wadm and not any(k.startswith("WASMCLOUD_") for k in w.env):
            fleet.hosts.append(_wadm(w))
        elif w.is_host:
            fleet.hosts.append(_host(w))


_VERSION = re.compile(r":v?(\d+)\.(\d+)")


def _image_version(image: str | None) -> str | None:
    m = _VERSION.search(image or "")
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _value(w: Workload, *names: str, default=None) -> Value:
    for n in names:
        var = w.env.get(n)
        if var is not None:
            return Value(var.value, var.span)
    return Value(default)


def _new_host(kind: str, w: Workload) -> Host:
    """What a host and a wadm take alike from their workload."""
    h = Host(kind, w.id, w.path, w.span, netns=w.netns)
    h.scope = (w.project or w.path) if w.kind == "compose" else ""
    h.opaque_env = list(w.opaque_env)
    h.version = _image_version(w.image)
    h.env_names = {k: v.span for k, v in w.env.items()}
    return h


def _host(w: Workload) -> Host:
    h = _new_host("host", w)
    h.lattice = _value(w, "WASMCLOUD_LATTICE", default="default")
    if h.lattice.value is None and h.lattice.span is not None:
        h.lattice = Value("default", h.lattice.span)
    legacy = h.version is not None and h.version.startswith("0.")
    if legacy and "WASMCLOUD_LATTICE" not in w.env and "WASMCLOUD_LATTICE_PREFIX" in w.env:
        h.lattice = _value(w, "WASMCLOUD_LATTICE_PREFIX")
    h.domain = _value(w, "WASMCLOUD_JS_DOMAIN")
    host_names = ["WASMCLOUD_CTL_HOST", "WASMCLOUD_NATS_HOST"] + (["NATS_HOST"] if legacy else [])
    port_names = ["WASMCLOUD_CTL_PORT", "WASMCLOUD_NATS_PORT"] + (["NATS_PORT"] if legacy else [])
    h.endpoint_host = _value(w, *host_names, default="127.0.0.1")
    port = _value(w, *port_names, default=DEFAULT_CLIENT_PORT)
    if isinstance(port.value, str):
        port = Value(int(port.value) if port.value.isdigit() else None, port.span)
    h.endpoint_port = port
    return h


def _wadm(w: Workload) -> Host:
    h = _new_host("wadm", w)
    h.lattice = Value(None)  # wadm serves every lattice it sees
    h.domain = _value(w, "WADM_JETSTREAM_DOMAIN")
    server = _value(w, "WADM_NATS_SERVER", default="127.0.0.1:4222")
    if isinstance(server.value, str):
        text = server.value
        if "://" in text:
            host, port, _ = parse_url(text, DEFAULT_CLIENT_PORT)
        else:
            host, port = split_hostport(text, DEFAULT_CLIENT_PORT)
        h.endpoint_host = Value(host or "127.0.0.1", server.span)
        h.endpoint_port = Value(port, server.span)
    else:
        h.endpoint_host = Value(None, server.span)
    return h


def _whc_host(w: Workload, i: int = 0) -> Host:
    hc = w.host_config
    assert hc is not None
    span = hc.span
    h = Host("host", w.id, w.path, span, netns=f"{w.netns}[{i}]" if instances(w) > 1 else w.netns)
    h.display = (f"host {i} of WasmCloudHostConfig `{w.id.rsplit('/', 1)[-1]}`" if instances(w) > 1
                 else f"the hosts of WasmCloudHostConfig `{w.id.rsplit('/', 1)[-1]}`")
    h.instance_of = w.id if instances(w) > 1 else ""
    dom, dspan = _or(hc.jetstream_domain, "default", span)
    h.domain = Value(str(dom), dspan)
    lat, lspan = _or(hc.lattice, "default", span)
    h.lattice = Value(str(lat), lspan)
    h.endpoint_host = Value("127.0.0.1", span)
    h.endpoint_port = Value(DEFAULT_CLIENT_PORT, span)
    ver = hc.version.value if hc.version is not None else None
    h.version = str(ver) if ver else None
    return h


# -- links -----------------------------------------------------------------------------------

def link(fleet: Fleet, sources: SourceCache, aliases: dict[str, str] | None = None) -> None:
    resolver = Resolver(fleet, sources, aliases)
    reported: set[tuple[str, str]] = set()

    def unresolved(span: Span, what: str, key: tuple[str, str]) -> None:
        if key not in reported:
            reported.add(key)
            fleet.unresolved.append((span, what))

    for s in fleet.servers:
        for r in s.routes:
            res = resolver.resolve(r.host, r.port, s.netns, s.scope)
            if res.server is not None and res.listener is not None and res.listener.kind == "cluster":
                r.target = res.server
        for remote in s.remotes:
            _link_remote(s, remote, resolver, unresolved)
        for url, span in s.gateway_urls:
            ghost, gport, _ = parse_url(url, None)
            res = resolver.resolve(ghost, gport, s.netns, s.scope)
            if res.server is not None and res.listener is not None and res.listener.kind == "gateway":
                if res.server is not s:
                    s.gateway_targets.append(res.server)
            elif res.server is None:
                unresolved(span, f"gateway URL {url} of {s.label}: {res.how}", (s.netns, url))
    for h in fleet.hosts:
        host, port = h.endpoint_host.value, h.endpoint_port.value
        if not isinstance(host, str) or not isinstance(port, int):
            h.unresolved = True
            unresolved(h.endpoint_host.span or h.span, f"{h.label}: its NATS address comes from outside "
                       "the repository", (h.id, "?"))
            continue
        res = resolver.resolve(host, port, h.netns, h.scope)
        if res.server is not None and res.listener is not None and res.listener.kind == "client":
            h.server = res.server
        else:
            h.unresolved = True
            unresolved(h.endpoint_host.span or h.span, f"{h.label} connects to {host}:{port}: {res.how}"
                       if res.server is None else f"{h.label} connects to {host}:{port}, which is not a "
                       f"client port of {res.server.label}", (h.netns, f"{host}:{port}"))
    _clusters(fleet)


def _link_remote(s: Server, remote: Remote, resolver: Resolver, unresolved) -> None:
    for url, span in remote.urls:
        host, port, user = parse_url(url, DEFAULT_LEAF_PORT)
        if not host:
            continue
        res = resolver.resolve(host, port, s.netns, s.scope)
        if res.server is None:
            unresolved(span, f"leaf remote {url} of {s.label}: {res.how}; treated as external",
                       (s.netns, f"{host}:{port}"))
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
        return


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

