"""Servers and hosts from deployments: one server instance per process a deployment starts
(each compose service, replica, pod, unit and operator sidecar), with its own flags, names and
environment, and the wasmCloud hosts and wadm beside them."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from natslint.deploy.flags import parse_command
from natslint.deploy.workload import EnvVar, Located, Workload
from natslint.findings import Finding
from natslint.fleet.build import config_of
from natslint.fleet.model import (
    DEFAULT_CLIENT_PORT,
    DEFAULT_LEAF_PORT,
    GLOBAL_ACCOUNT,
    Fleet,
    Host,
    Listener,
    Remote,
    Server,
    Value,
    short_name,
)
from natslint.fleet.servers import (
    apply_cli,
    bare_server,
    parse_url,
    server_from_document,
    split_hostport,
)
from natslint.sources import SourceCache
from natslint.span import Span
from natslint.syntax.document import Document
from natslint.syntax.model import UnknownValue

UNKNOWN_REPLICAS = 2  # a count natslint cannot see (a DaemonSet): two identical instances


def instances(w: Workload) -> int:
    return UNKNOWN_REPLICAS if w.replicas is None else w.replicas


def instance_env(w: Workload, i: int) -> dict[str, str]:
    """The environment replica ``i`` of ``w`` runs with, as far as the files tell it."""
    env: dict[str, str] = {}
    for name, var in w.env.items():
        if var.value is not None:
            env[name] = var.value
        elif var.field == "metadata.name" and w.pod_name:
            env[name] = f"{w.pod_name}-{i}"
        elif var.field == "metadata.namespace" and w.namespace:
            env[name] = w.namespace
        elif var.template is not None:  # `$(POD_NAME)` over a value this pod knows
            from natslint.deploy.kubernetes import expand

            value = expand(var.template, {k: EnvVar(k, v, var.span) for k, v in env.items()})
            if value is not None and "$(" not in value:
                env[name] = value
        elif var.field is None:  # set from outside the tree (a Secret, compose `${VAR:?err}`): set, unknown
            env[name] = UnknownValue("")
    return env


# (config, the instance's environment) -> the config as that instance reads it, and the
# variables it still lacks (NL004 findings)
Reparse = Callable[[str, dict[str, str]], tuple[Document, list[Finding]]]


def servers_from_workloads(fleet: Fleet, workloads: list[Workload], roots: dict[str, str],
                           documents: dict[str, Document], sources: SourceCache,
                           reparse: Reparse | None = None) -> set[str]:
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
                fleet.servers.append(_instance(fleet, w, i, root, documents, root in shared, reparse))
    return {r for r in runs if r}


def _instance(fleet: Fleet, w: Workload, i: int, root: str, documents: dict[str, Document], shared: bool,
              reparse: Reparse | None) -> Server:
    """Replica ``i`` of workload ``w``, running config ``root`` (or none), read with the
    environment that process has."""
    n = instances(w)
    iid = w.id if n == 1 else f"{w.id}[{i}]"
    if root:
        doc = documents[root]
        if reparse is not None:
            doc, lacking = reparse(root, instance_env(w, i))
            fleet.instance_findings += [replace(f, message=f"{f.message} (in {iid})") for f in lacking]
        s = server_from_document(doc, root)
        s.document = doc if doc is not documents[root] else None
        if shared:  # several processes run this file: each is a server of its own
            s.id, s.display = iid, f"server `{short_name(iid)}`"
    elif w.bundled_config:
        s = _bundled(iid, w)
    else:
        s = bare_server(iid, w.path, w.span)
        s.display = f"server `{short_name(iid)}`"  # by its service, pod or unit: it has no config file
        why = w.config_unknown or ((f"config file {w.config_paths[0][0]} is not in the checked files",
                                    w.config_paths[0][1]) if w.config_paths else None)
        if why is not None:
            s.config_unseen, s.config_unseen_why = True, why[0]
            if i == 0:
                fleet.unresolved.append((why[1], why[0], (f"the settings of server `{short_name(w.id)}` are unknown, and "
                                                          "rules that need them skip it",),
                                         "add the config to the checked files to check it", True, None))
    s.instance_of = w.id
    s.image_version = nats_image_version(w.image)
    s.reloader = w.reloader
    if w.unnamed_release:  # its pods' names hold a release name natslint does not know
        s.unnamed_release = w.unnamed_release
        s.display = f"the NATS chart release of {w.path}" + (f" (pod {i})" if n > 1 else "")
    s.any_namespace = s.any_namespace or w.any_namespace
    s.kube_cluster, s.release = w.kube_cluster, w.release
    s.storage = list(w.storage)
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


# What the official `nats` image runs with no command: its bundled /nats-server.conf
# (nats-io/nats-docker): clients on 4222, monitoring on 8222, a cluster listener on 6222 in
# cluster `my_cluster`, protected routes and none solicited.
BUNDLED_CONFIG = "the nats image's bundled config"


def _bundled(iid: str, w: Workload) -> Server:
    s = bare_server(iid, w.path, w.span)
    s.display = f"server `{short_name(iid)}` ({BUNDLED_CONFIG})"
    s.listeners.append(Listener("monitor", "", 8222, w.span))
    s.cluster_listen = Listener("cluster", "", 6222, w.span)
    s.listeners.append(s.cluster_listen)
    s.cluster_name = Value("my_cluster", w.span)
    return s


def _or(field: Located | None, default: object, span: Span) -> tuple[object, Span]:
    """A WasmCloudHostConfig field with the operator's default where it is not set."""
    return (field.value, field.span) if field is not None else (default, span)


def _whc_name(w: Workload) -> str:
    """How messages name a WasmCloudHostConfig, or the wasmcloud-host chart values that
    install hosts the same way."""
    if w.id.rsplit("#", 1)[-1] == "wasmcloud-host":
        return "the wasmcloud-host chart release"  # the finding's location names its values file
    return f"WasmCloudHostConfig `{w.id.rsplit('/', 1)[-1]}`"


def _whc_sidecar(w: Workload, i: int = 0) -> Server:
    """The NATS leaf sidecar the wasmCloud operator runs beside each host (replica ``i``)."""
    hc = w.host_config
    assert hc is not None
    span = hc.span
    many = instances(w) > 1
    s = bare_server(f"{w.id} (nats-leaf sidecar{f' {i}' if many else ''})", w.path, span)
    s.display = f"the nats-leaf sidecar of {_whc_name(w)}" + \
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
    """A NATS chart release: one server stands for its pods (one cluster, one JetStream)."""
    chart = w.chart
    assert chart is not None
    s = bare_server(w.id, w.path, w.span)
    s.display = f"the NATS chart release `{chart.fullname}`" if chart.fullname else f"the NATS chart release of {w.path}"
    s.names.update(w.names)
    s.any_namespace = True
    s.unnamed_release = w.id.rsplit("#", 1)[-1] if chart.fullname is None else ""
    s.listeners = [li for li in s.listeners if li.kind != "client"]
    port = chart.client_port
    s.listeners.append(Listener("client", "", port.value if port else DEFAULT_CLIENT_PORT, port.span if port else w.span))
    if chart.jetstream is not None:
        s.js_enabled = Value(True, chart.jetstream.span)
    if chart.domain is not None:
        s.domain = Value(chart.domain.value, chart.domain.span)
    if chart.leafnodes_port is not None:
        s.listeners.append(Listener("leafnode", "", chart.leafnodes_port.value, chart.leafnodes_port.span))
    return s


def hosts_from_workloads(fleet: Fleet, workloads: list[Workload]) -> None:
    # pods that run a NATS server beside the host: each replica's host uses its own sidecar
    with_sidecar = {w.netns for w in workloads if w.runs_nats and w.kind == "k8s"}
    for w in workloads:
        if w.kind == "whc":
            fleet.hosts += [_whc_host(w, i) for i in range(instances(w))]
            continue
        if w.runs_nats:
            continue
        if w.is_wadm and not any(k.startswith("WASMCLOUD_") for k in w.env):
            fleet.hosts.append(_wadm(w))
        elif w.is_host and w.netns in with_sidecar and instances(w) > 1:
            fleet.hosts += [_replica(_kept_host(w), w, i) for i in range(instances(w))]
        elif w.is_host:
            fleet.hosts.append(_kept_host(w))


def _kept_host(w: Workload) -> Host:
    """The host a workload describes, read once (the workload keeps it) and copied for each
    use: linking sets a copy's server."""
    h = w.derived.get("host")
    if h is None:
        h = w.derived["host"] = _host(w)
    return h.fresh()


def _replica(h: Host, w: Workload, i: int) -> Host:
    """Host replica ``i``: in its own pod, beside its own sidecar."""
    h.netns, h.instance_of = f"{w.netns}[{i}]", w.id
    h.display = f"host {i} of `{short_name(w.id)}`"
    return h


_VERSION = re.compile(r":v?(\d+)\.(\d+)")


def nats_image_version(image: str | None) -> str | None:
    """The nats-server version a NATS image's tag names (`nats:2.10-alpine` -> 2.10)."""
    name = (image or "").rsplit("/", 1)[-1]
    return _image_version(name) if name.startswith("nats") else None


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
    h.env_mapped = any(v.mapped for v in w.env.values())
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
    var = w.env.get("WASMCLOUD_JS_DOMAIN")
    h.domain_origin = var.origin if var is not None else None
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
    var = w.env.get("WADM_JETSTREAM_DOMAIN")
    h.domain_origin = var.origin if var is not None else None
    old = h.version is not None and h.version.split(".")[:2] in (["0", "1"], ["0", "2"], ["0", "3"])
    if (old or "WADM_NATS_SERVER" not in w.env and h.version is None) and "WADM_NATS_HOST" in w.env:
        # wadm before 0.4 reads WADM_NATS_HOST and WADM_NATS_PORT (WADM_NATS_SERVER came with 0.4)
        h.endpoint_host = _value(w, "WADM_NATS_HOST", default="127.0.0.1")
        port = _value(w, "WADM_NATS_PORT", default=DEFAULT_CLIENT_PORT)
        h.endpoint_port = Value(int(port.value), port.span) if str(port.value).isdigit() else Value(None, port.span)
        return h
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
    h.display = (f"host {i} of {_whc_name(w)}" if instances(w) > 1 else f"the host of {_whc_name(w)}")
    h.instance_of = w.id if instances(w) > 1 else ""
    chart = w.id.rsplit("#", 1)[-1] == "wasmcloud-host"
    h.domain_setting = "config.jetstreamDomain" if chart else "spec.jetstreamDomain"
    dom, dspan = _or(hc.jetstream_domain, "default", span)
    h.domain = Value(str(dom), dspan)
    lat, lspan = _or(hc.lattice, "default", span)
    h.lattice = Value(str(lat), lspan)
    h.endpoint_host = Value("127.0.0.1", span)
    h.endpoint_port = Value(DEFAULT_CLIENT_PORT, span)
    ver = hc.version.value if hc.version is not None else None
    h.version = str(ver) if ver else None
    return h
