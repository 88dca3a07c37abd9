"""A release of the NATS chart as Kubernetes runs it: the manifests helm would apply (the
StatefulSet, the headless Service and the Service, the ConfigMap holding `nats.conf`), read
as any manifest is read, so each pod is a server of its own with its own name and routes.

The config is the one natslint.deploy.natschart renders; each of its lines is located at the
values line that wrote its value (a chart default: the release's first values key).
"""

from __future__ import annotations

import posixpath
from typing import Callable, Mapping

from natslint.deploy import natschart as chart
from natslint.deploy.configmaps import ConfigMap, Entry, Naming, virtual_path
from natslint.deploy.jsonpatch import PatchError
from natslint.deploy.releases import (
    ChartRelease,
    ValuesSource,
    argo_releases,
    chart_of,
    flux_release,
    helmfile_releases,
    known_version,
)
from natslint.deploy.workload import ChartDefault, Embedded, Workload
from natslint.span import Span

# what `helm template` calls a release it is given no name for
PLACEHOLDER_RELEASE = "release-name"
HELMFILES = ("helmfile.yaml", "helmfile.yml", "helmfile.yaml.gotmpl")


def release_workloads(path: str, sources: list[tuple[str, Mapping]], where: Span, chart_name: str,
                      release: str | None, namespace: str | None) -> list[Workload]:
    """The nats container of each pod of the release, with the config it runs rendered.
    ``sources``: (file, values) in helm's order; ``where``: the release, for chart defaults."""
    values = chart.layered(sources)
    full = chart.fullname(values, chart_name, release)
    known = full is not None
    if full is None:  # its Services' names are unknown: rendered under helm template's name, never matched
        full = chart.fullname(values, chart_name, PLACEHOLDER_RELEASE) or chart_name
    names = chart.names_of(values, full)
    ns = str(values.get("namespaceOverride") or namespace or "") or None
    try:
        config, origins = chart.render_config(values, names, ns)
    except PatchError as exc:
        return [_unknown(path, chart_name, where, f"helm cannot render the release: {exc}")]
    if values.unknown:  # a template natslint does not evaluate: what it makes is unknown
        at, span = values.unknown[0]
        return [_unknown(path, chart_name, span, f"`{'.'.join(at)}` is a `$tplYaml` template, which natslint "
                                                 "does not evaluate")]
    text, pointers = chart.format_config(config)
    default = ChartDefault(where.path, 0, 0, where.line, where.col, where.end_line, where.end_col)
    lines = [_origin(origins, p, default) or where for p in pointers]
    vpath = virtual_path(path, names.config_map, "nats.conf")
    cm = ConfigMap(names.config_map, Naming().ns(ns), path, where)
    cm.entries["nats.conf"] = Entry(text, where, vpath)
    rendered = {vpath: Embedded(text, path, lines)}
    extra = values.get("configMap", "merge", "data", default={})
    for key, data in (extra.items() if isinstance(extra, dict) else ()):  # files the config includes
        if isinstance(data, str):
            kpath = virtual_path(path, names.config_map, str(key))
            cm.entries[str(key)] = Entry(data, values.origin(("configMap", "merge", "data", key)) or where, kpath)
            origin = values.origin(("configMap", "merge", "data", key)) or where
            rendered[kpath] = Embedded(data, path, [origin] * (data.count("\n") + 1))
    from natslint.deploy.kubernetes import read_kubernetes

    maps = {(cm.namespace, cm.name): cm}
    out = read_kubernetes(path, _manifests(values, names, ns, chart_name, release or PLACEHOLDER_RELEASE),
                          maps).workloads
    for w in out:
        w.span, w.rendered = where, rendered
        w.release = f"{release or PLACEHOLDER_RELEASE} ({chart_name} chart)"
        w.any_namespace = ns is None
        if not known:
            w.unnamed_release, w.names = chart_name, set()
    return out


def _origin(origins: dict, pointer: tuple, default: Span) -> Span | None:
    """Where the node at ``pointer`` was written: its own origin, the chart's default, or (a
    closing brace) the nearest node above it."""
    while True:
        if pointer in origins:
            return origins[pointer] or default
        if not pointer:
            return None
        pointer = pointer[:-1]


def _unknown(path: str, chart_name: str, span: Span, why: str) -> Workload:
    w = Workload(f"{path}#{chart_name}", "k8s", path, span, runs_nats=True)
    w.config_unknown = (f"the config of the release is unknown: {why}", span)
    return w


def _manifests(values: chart.Values, names: chart.Names, ns: str | None, chart_name: str, release: str) -> list:
    labels = {"app.kubernetes.io/name": str(values.get("nameOverride") or chart_name),
              "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "nats"}
    cluster = ("config", "cluster")
    replicas = chart._int(values.get(*cluster, "replicas")) if values.get(*cluster, "enabled") else 1
    env = [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "SERVER_NAME", "value": f"{values.get('config', 'serverNamePrefix', default='')}$(POD_NAME)"}]
    for k, v in (values.get("container", "env", default={}) or {}).items():
        env.append({"name": k, "value": v} if isinstance(v, str) else {"name": k, **v})
    container = {"name": "nats", "image": _image(values), "args": ["--config", "/etc/nats-config/nats.conf"],
                 "env": env, "volumeMounts": [{"name": "config", "mountPath": "/etc/nats-config"}]}
    meta = {"namespace": ns} if ns else {}
    docs = [
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": names.statefulset, **meta},
         "spec": {"replicas": replicas, "serviceName": names.headless,
                  "template": {"metadata": {"labels": labels},
                               "spec": {"containers": [container, *_reloader(values)],
                                        "volumes": [{"name": "config",
                                                     "configMap": {"name": names.config_map}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": names.headless, **meta},
         "spec": {"selector": labels, "clusterIP": "None"}},
    ]
    if values.get("service", "enabled"):
        docs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": names.service, **meta},
                     "spec": {"selector": labels}})
    return docs


def _reloader(values: chart.Values) -> list[dict]:
    """`reloader.enabled` (on by default): the sidecar that sends nats-server a reload when the
    ConfigMap changes."""
    if values.get("reloader", "enabled") is False:
        return []
    return [{"name": "reloader", "image": f"{values.get('reloader', 'image', 'repository', default='natsio/nats-server-config-reloader')}"
                                          f":{values.get('reloader', 'image', 'tag', default='latest')}"}]


def _image(values: chart.Values) -> str:
    """`nats.image`: the container's image as the chart writes it."""
    image = ("container", "image")
    if values.get(*image, "fullImageName"):
        return str(values.get(*image, "fullImageName"))
    repo = values.get(*image, "repository", default="nats")
    name = f"{repo}@{values.get(*image, 'digest')}" if values.get(*image, "digest") \
        else f"{repo}:{values.get(*image, 'tag')}"
    registry = values.get(*image, "registry") or values.get("global", "image", "registry")
    return f"{registry}/{name}" if registry else name


# -- releases declared in the tree ------------------------------------------------------------

def declared_releases(files: dict[str, list], texts: Callable[[str], str], config_maps: dict) -> list[ChartRelease]:
    """Every release a helmfile, an Argo CD Application or a Flux HelmRelease of the tree declares."""
    out: list[ChartRelease] = []
    for path, docs in sorted(files.items()):
        for doc in docs:
            if not isinstance(doc, Mapping):
                continue
            if posixpath.basename(path) in HELMFILES or posixpath.basename(posixpath.dirname(path)) == "helmfile.d":
                out += helmfile_releases(path, doc, files)
            elif doc.get("kind") == "Application" and str(doc.get("apiVersion", "")).startswith("argoproj.io/"):
                out += argo_releases(path, doc, files, texts(path))
            elif doc.get("kind") == "HelmRelease" and "fluxcd.io" in str(doc.get("apiVersion", "")):
                rel = flux_release(path, doc, files, config_maps)
                if rel is not None:
                    out.append(rel)
    return out


def nats_sources(rel: ChartRelease, aliases: dict[str, str]) -> list[ValuesSource] | None:
    """The values of the NATS chart (>= 1.0) a release installs: its own, or those under the
    sub-chart key of an umbrella chart (`nats:` or its alias, with `global:`); None when the
    release installs no NATS chart natslint renders (another chart, or the 0.x chart)."""
    if rel.chart == "nats":
        docs = rel.sources
    else:
        key = next((k for k, name in aliases.items() if name == "nats"), None) or \
            ("nats" if any(isinstance(s.doc.get("nats"), Mapping) and "config" in s.doc["nats"]
                           for s in rel.sources) else None)
        if key is None:
            return None
        docs = []
        for s in rel.sources:  # a sub-chart sees the parent's `global:` as its own
            if isinstance(s.doc.get("global"), Mapping):
                docs.append(ValuesSource(s.path, {"global": s.doc["global"]}, s.line_shift, s.col_shift, s.fixed))
            if isinstance(s.doc.get(key), Mapping):
                docs.append(ValuesSource(s.path, s.doc[key], s.line_shift, s.col_shift, s.fixed))
        if any(s.doc.get("enabled") is False for s in docs):
            return None
    if any(isinstance(s.doc.get("nats"), Mapping) and "config" not in s.doc for s in docs):
        return None  # the 0.x chart (`nats.jetstream`, `nats.image`): read by shape, as before
    return docs


def release_unit(rel: ChartRelease) -> str:
    return f"helm:{rel.declared}#{rel.name or '?'}"


def rendered_releases(releases: list[ChartRelease], files: dict[str, list]) -> tuple[list[Workload], set[str]]:
    """The pods of every declared release of the NATS chart, and the values files they read
    (their NATS values are read here, not again file by file)."""
    workloads: list[Workload] = []
    consumed: set[str] = set()
    for rel in releases:
        aliases = chart_of(rel.values_files[0], files)[1] if rel.values_files else {}
        sources = nats_sources(rel, aliases)
        if sources is None:
            continue
        key = rel.chart if rel.chart == "nats" else next((k for k, c in aliases.items() if c == "nats"), "nats")
        path = rel.values_files[0] if rel.values_files else rel.declared
        if rel.chart == "nats" and not known_version(rel.version):
            rel.unknown.insert(0, (rel.where, f"chart version {rel.version}, whose templates natslint does not know"))
        if rel.unknown:
            w = Workload(f"{path}#{rel.name}", "k8s", path, rel.where, runs_nats=True)
            span, why = rel.unknown[0]
            w.config_unknown = (f"the config of release `{rel.name}` is unknown: {why}", span)
            got = [w]
        else:
            got = release_workloads(path, sources, rel.where, key, rel.name, rel.namespace)
        for w in got:
            w.unit = release_unit(rel)
            w.kube_cluster = rel.cluster
        workloads += got
        consumed |= set(rel.values_files)
    return workloads, consumed
