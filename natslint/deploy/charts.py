"""Helm values files: what the charts a wasmCloud lattice is installed with render from them.

Shapes read (each at the top of a values file, or under a sub-chart key of an umbrella chart,
`nats:` for example, unless that sub-chart is `enabled: false`):

- the NATS chart >= 1.0: `config.jetstream.enabled`, the domain from `config.jetstream.merge`,
  `config.merge.jetstream` or a `config.patch` op on `/jetstream/domain`; `config.leafnodes`,
  `config.nats.port`, `config.cluster`;
- the NATS chart 0.x: `nats.jetstream.{enabled,domain}`, `nats.client.port`, `leafnodes`,
  `cluster`;
- wadm's chart: `wadm.config.nats.{server,jetstreamDomain}` (set only when not empty);
- the wasmcloud-host chart: `config.{jetstreamDomain,leafNodeDomain,natsAddress,lattice}`, a
  host and its NATS leaf sidecar per replica; the platform chart's `hostConfig` (a
  WasmCloudHostConfig).

A release's Services follow the chart's naming: the full name is `fullnameOverride`, else the
release name when it holds the chart's name, else `<release>-<chart>`; the NATS chart adds
`<fullname>-headless`.  The release name comes from ``release`` (natslint.toml
`[[releases]]`, a helmfile or an Argo CD Application in the tree); without it the names are
unknown and never guessed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from natslint.defaults import DEFAULT_CLIENT_PORT, DEFAULT_LEAF_PORT
from natslint.deploy.workload import (
    ChartSpec,
    EnvVar,
    HostConfigSpec,
    Located,
    Workload,
)
from natslint.deploy.yamlfiles import as_list, as_map, key_span, value_span


@dataclass(slots=True)
class Release:
    name: str
    namespace: str | None = None
    source: str = ""  # where the name was declared, for messages


def fullname(values: dict, chart: str, release: str | None) -> str | None:
    """Helm's usual `<chart>.fullname` helper; None when the release name is not known."""
    override = values.get("fullnameOverride")
    if isinstance(override, str) and override:
        return override[:63].rstrip("-")
    name = values.get("nameOverride") if isinstance(values.get("nameOverride"), str) and values.get("nameOverride") \
        else chart
    if release is None:
        return None
    return (release if name in release else f"{release}-{name}")[:63].rstrip("-")


def _is_nats1(v: dict) -> bool:
    config = v.get("config")
    return isinstance(config, dict) and any(
        isinstance(config.get(k), dict) and "enabled" in config[k] for k in ("jetstream", "leafnodes", "cluster"))


def _is_nats0(v: dict) -> bool:
    nats = v.get("nats")
    return isinstance(nats, dict) and (isinstance(nats.get("jetstream"), dict) or isinstance(nats.get("image"), str)) \
        and not isinstance(nats.get("config"), dict)


def _is_wadm(v: dict) -> bool:
    return isinstance(as_map(as_map(v.get("wadm")).get("config")).get("nats"), dict)


def _is_host(v: dict) -> bool:
    config = v.get("config")
    return isinstance(config, dict) and any(k in config for k in ("jetstreamDomain", "leafNodeDomain", "natsAddress"))


def looks_like_values(doc) -> bool:
    """A values file of a chart natslint reads, at the top or under a sub-chart key."""
    if not isinstance(doc, dict) or "apiVersion" in doc or "kind" in doc:
        return False
    if any(f(doc) for f in (_is_nats1, _is_nats0, _is_wadm, _is_host)):
        return True
    return any(isinstance(v, dict) and any(f(v) for f in (_is_nats1, _is_wadm, _is_host))
               for v in doc.values()) or isinstance(doc.get("hostConfig"), dict)


def read_values(path: str, doc: dict, release: Release | None, chart: str | None = None,
                aliases: dict[str, str] | None = None, skip_nats: bool = False) -> list[Workload]:
    """The workloads a values file installs.  ``chart``: the chart these are the values of
    (a `Chart.yaml` beside them); ``aliases``: sub-chart key -> chart name (its dependencies),
    which tells a NATS sub-chart installed under another key.  ``skip_nats``: a declared
    release renders the NATS chart from this file with its other values sources."""
    rel = release.name if release is not None else None
    out: list[Workload] = []
    if _is_nats1(doc) or _is_nats0(doc):
        out += [] if skip_nats and _is_nats1(doc) else _nats(path, doc, doc, chart or "nats", rel, release)
    elif _is_wadm(doc):
        out.append(_wadm(path, doc, rel))
    elif _is_host(doc):
        out.append(_host(path, doc, doc, rel))
    else:
        for key, sub in doc.items():
            if not isinstance(sub, dict) or sub.get("enabled") is False:
                continue
            # a dependency's alias is its chart name inside the release (`.Chart.Name`)
            if _is_nats1(sub) or (aliases or {}).get(str(key)) == "nats" and _is_nats0(sub):
                out += [] if skip_nats and _is_nats1(sub) else _nats(path, sub, doc, str(key), rel, release)
            elif _is_wadm(sub):
                out.append(_wadm(path, sub, rel))
            elif _is_host(sub):
                out.append(_host(path, sub, doc, rel))
        host_config = as_map(doc.get("hostConfig"))
        if host_config.get("enabled"):
            out.append(_platform_host_config(path, doc, host_config))
    return out


def _located(path: str, parent: dict, key: str) -> Located | None:
    return Located(parent[key], value_span(path, parent, key)) if key in parent else None


def _nats(path: str, values: dict, top: dict, chart: str, rel: str | None, release: Release | None
          ) -> list[Workload]:
    """The chart >= 1.0 rendered pod by pod (natslint.deploy.chartrelease); the 0.x chart, whose
    templates natslint does not render, read by shape as one server for the release."""
    where = key_span(path, top, next(iter(top), None))
    if _is_nats1(values):
        from natslint.deploy.chartrelease import release_workloads

        return release_workloads(path, [(path, values)], where, chart, rel,
                                 release.namespace if release is not None else None)
    w = Workload(f"{path}#{chart}", "helm-nats", path, where, runs_nats=True)
    spec = w.chart = ChartSpec()
    _nats0(path, values, spec)
    name = fullname(values, chart, rel)
    if name is not None:
        spec.fullname = name
        w.names |= {name.lower(), f"{name}-headless".lower()}
    spec.release = release
    return [w]


def _nats0(path: str, values: dict, spec: ChartSpec) -> None:
    nats = as_map(values.get("nats"))
    js = as_map(nats.get("jetstream"))
    if js.get("enabled"):
        spec.jetstream = Located(True, value_span(path, js, "enabled"))
        if isinstance(js.get("domain"), str) and js["domain"]:
            spec.domain = Located(js["domain"], value_span(path, js, "domain"))
    client = as_map(nats.get("client"))
    if "port" in client:
        spec.client_port = Located(_port(client["port"], DEFAULT_CLIENT_PORT), value_span(path, client, "port"))
    leaf = as_map(values.get("leafnodes"))
    if leaf.get("enabled"):
        spec.leafnodes_port = Located(_port(leaf.get("port"), DEFAULT_LEAF_PORT), value_span(path, leaf, "enabled"))
    cluster = as_map(values.get("cluster"))
    if cluster.get("enabled"):
        spec.replicas = Located(_port(cluster.get("replicas"), 3), value_span(path, cluster, "enabled"))


def _port(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _wadm(path: str, values: dict, rel: str | None) -> Workload:
    """wadm as its chart starts it: each env var only when its value is set."""
    wadm = values["wadm"]
    nats = wadm["config"]["nats"]
    # an empty `server` leaves wadm's default (127.0.0.1:4222): point there
    where = key_span(path, nats, "server") if "server" in nats else key_span(path, values, "wadm")
    w = Workload(f"{path}#wadm", "k8s", path, where, netns=f"helm:{path}#wadm")
    w.image = "ghcr.io/wasmcloud/wadm"
    for key, env in (("server", "WADM_NATS_SERVER"), ("jetstreamDomain", "WADM_JETSTREAM_DOMAIN")):
        if isinstance(nats.get(key), str) and nats[key]:
            w.env[env] = EnvVar(env, nats[key], value_span(path, nats, key))
    replicas = wadm.get("replicas", 1)
    w.replicas = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0 else None
    return w


_HOST_FIELDS = {"jetstreamDomain": "jetstream_domain", "leafNodeDomain": "leaf_node_domain",
                "natsAddress": "nats_address", "lattice": "lattice"}


def _host(path: str, values: dict, top: dict, rel: str | None) -> Workload:
    """The wasmcloud-host chart: hosts, each with a NATS leaf sidecar that dials `natsAddress`
    (by default `nats://nats-headless.<namespace>.svc.cluster.local`)."""
    config = values["config"]
    w = Workload(f"{path}#wasmcloud-host", "whc", path, key_span(path, values, "config"),
                 netns=f"helm:{path}#wasmcloud-host")
    hc = HostConfigSpec(key_span(path, values, "config"))
    for key, attr in _HOST_FIELDS.items():
        if key in config and config[key] not in ("", None):
            setattr(hc, attr, Located(config[key], value_span(path, config, key)))
    if hc.nats_address is None:
        hc.nats_address = Located("nats://nats-headless", key_span(path, values, "config"))
    replicas = values.get("replicas", 1)
    w.replicas = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0 else None
    w.host_config = hc
    return w


def _platform_host_config(path: str, doc: dict, spec: dict) -> Workload:
    """The platform chart's `hostConfig`: a WasmCloudHostConfig with the CRD's defaults."""
    from natslint.deploy.kubernetes import host_config_workload

    name = spec.get("name") if isinstance(spec.get("name"), str) else "wasmcloud-host"
    return host_config_workload(path, {"spec": spec, "kind": "WasmCloudHostConfig"}, name, "default",
                                key_span(path, doc, "hostConfig"))
