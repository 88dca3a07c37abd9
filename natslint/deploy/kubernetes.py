"""Kubernetes manifests: containers with their env and envFrom, Services (the DNS names a
pod answers to), and WasmCloudHostConfig resources (a host plus its nats-leaf sidecar)."""

from __future__ import annotations

import re

from natslint.deploy.workload import (
    EnvVar,
    HostConfigSpec,
    Located,
    ReadResult,
    Workload,
    runs_nats_image,
)
from natslint.deploy.yamlfiles import as_list, as_map, key_span, value_span

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job"}
ConfigMaps = dict[tuple[str, str], dict[str, EnvVar]]  # (namespace, name) -> data


def looks_like_kubernetes(docs: list) -> bool:
    return any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs)


def config_maps(path: str, docs: list) -> ConfigMaps:
    """The ConfigMaps of one file, their data as env vars located in it."""
    out: ConfigMaps = {}
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
            meta = as_map(doc.get("metadata"))
            data = doc["data"]
            out[(str(meta.get("namespace", "default")), str(meta.get("name", "")))] = {
                str(k): EnvVar(str(k), str(v), key_span(path, data, k)) for k, v in data.items()}
    return out


def _services(docs: list) -> list[tuple[str, str, dict]]:
    """(name, namespace, selector) of every Service in the file."""
    out = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "Service":
            meta = as_map(doc.get("metadata"))
            spec = as_map(doc.get("spec"))
            out.append((str(meta.get("name", "")), str(meta.get("namespace", "default")),
                        dict(as_map(spec.get("selector")))))
    return out


def read_kubernetes(path: str, docs: list, maps: ConfigMaps | None = None) -> ReadResult:
    """``path`` is the display path; ``docs`` the file's parsed YAML documents."""
    result = ReadResult()
    services = _services(docs)
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
            continue
        kind = doc["kind"]
        meta = as_map(doc.get("metadata"))
        name = str(meta.get("name", "?"))
        ns = str(meta.get("namespace", "default"))
        if kind == "WasmCloudHostConfig":
            result.workloads.append(_host_config(doc, path, name, ns))
        elif kind in WORKLOAD_KINDS:
            result.workloads.extend(_containers(doc, path, kind, name, ns, services, maps or {}))
    return result


def replicas_of(kind: str, spec: dict) -> int | None:
    """How many pods a workload runs; None when the cluster decides (a DaemonSet: one a node)."""
    if kind == "DaemonSet":
        return None
    if kind in ("Pod", "Job"):
        return 1
    replicas = spec.get("replicas", 1)
    return min(replicas, 1000) if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0 \
        else None


def _pod_names(kind: str, name: str, ns: str, spec: dict, labels: dict, services,
               replicas: int | None) -> tuple[set[str], list[set[str]]]:
    """The DNS names of the Services that select these pods, and each StatefulSet pod's own."""
    names: set[str] = set()
    per_pod: list[set[str]] = []
    for sname, sns, selector in services:
        if selector and sns == ns and all(labels.get(k) == v for k, v in selector.items()):
            names.update({sname, f"{sname}.{sns}", f"{sname}.{sns}.svc", f"{sname}.{sns}.svc.cluster.local"})
            if kind == "StatefulSet" and spec.get("serviceName") == sname:
                for i in range(replicas if replicas else 1):
                    pod = {f"{name}-{i}.{sname}", f"{name}-{i}.{sname}.{sns}.svc.cluster.local"}
                    if i < len(per_pod):
                        per_pod[i] |= pod
                    else:
                        per_pod.append(pod)
    return names, per_pod


def _containers(doc: dict, path: str, kind: str, name: str, ns: str, services, maps: ConfigMaps) -> list[Workload]:
    spec = as_map(doc.get("spec"))
    template = as_map(spec.get("template") if kind != "Pod" else doc)
    pod_spec = as_map(template.get("spec"))
    labels = dict(as_map(as_map(template.get("metadata")).get("labels")))
    replicas = replicas_of(kind, spec)
    names, per_pod = _pod_names(kind, name, ns, spec, labels, services, replicas)
    netns = f"k8s:{path}#{ns}/{kind}/{name}"
    out = []
    for c in as_list(pod_spec.get("containers")):
        if not isinstance(c, dict):
            continue
        w = Workload(f"{path}#{kind}/{name}/{c.get('name', '?')}", "k8s", path, key_span(path, c),
                     {n.lower() for n in names}, netns)
        w.image = str(c["image"]) if isinstance(c.get("image"), str) else None
        w.replicas = replicas
        w.instance_names = [set(p) for p in per_pod]
        w.pod_name = name if kind == "StatefulSet" else None
        w.namespace = ns
        _env(c, w, path, ns, maps)
        w.command = [(expand(str(x), w.env) or str(x), key_span(path, c))
                     for x in [*as_list(c.get("command")), *as_list(c.get("args"))]]
        w.runs_nats = runs_nats_image(w.image) or any(x.rsplit("/", 1)[-1] == "nats-server" for x, _ in w.command[:1])
        words = [x for x, _ in w.command]
        for i, word in enumerate(words):  # the config it runs (the file of that name in the tree)
            if word in ("-c", "--config") and i + 1 < len(words):
                w.config_paths.append(w.command[i + 1])
            elif word.startswith(("-c=", "--config=")):
                w.config_paths.append((word.split("=", 1)[1], w.command[i][1]))
        w.bundled_config = w.runs_nats and not w.command
        out.append(w)
    return out


_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text: str, env: dict[str, EnvVar]) -> str | None:
    """Kubernetes' `$(VAR)` expansion: a variable defined earlier is replaced, `$$` is one `$`,
    an undefined reference stays as written; None when a referenced value is not known."""
    unknown = False

    def sub(m: re.Match) -> str:
        nonlocal unknown
        if m.group(0) == "$$":
            return "$"
        var = env.get(m.group(1))
        if var is None:
            return m.group(0)
        if var.value is None:
            unknown = True
            return ""
        return var.value

    out = _REF.sub(sub, text)
    return None if unknown else out


def _env(c: dict, w: Workload, path: str, ns: str, maps: ConfigMaps) -> None:
    for src in as_list(c.get("envFrom")):  # first: `env` entries override them
        if not isinstance(src, dict):
            continue
        ref = as_map(src.get("configMapRef") or src.get("secretRef"))
        key = (ns, str(ref.get("name", "")))
        prefix = str(src.get("prefix", ""))
        if "configMapRef" in src and key in maps:
            for var in maps[key].values():
                w.env[prefix + var.name] = EnvVar(prefix + var.name, var.value, var.span)
        else:
            w.opaque_env.append(f"{'Secret' if 'secretRef' in src else 'ConfigMap'} {key[1]!r}")
    for item in as_list(c.get("env")):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            name, value = item["name"], item.get("value")
            span = value_span(path, item, "value") if "value" in item else key_span(path, item, "name")
            field_path = as_map(as_map(as_map(item.get("valueFrom")).get("fieldRef"))).get("fieldPath")
            expanded = None if value is None else expand(str(value), w.env)
            w.env[name] = EnvVar(name, expanded, span, str(field_path) if isinstance(field_path, str) else None,
                                 str(value) if value is not None and expanded is None else None)


_HOST_CONFIG_FIELDS = {
    "jetstreamDomain": "jetstream_domain", "leafNodeDomain": "leaf_node_domain", "natsAddress": "nats_address",
    "natsLeafnodePort": "nats_leafnode_port", "lattice": "lattice", "secretName": "secret_name",
    "version": "version", "natsClientPort": "nats_client_port",
}


def _host_config(doc: dict, path: str, name: str, ns: str) -> Workload:
    spec = as_map(doc.get("spec"))
    w = Workload(f"{path}#WasmCloudHostConfig/{name}", "whc", path, key_span(path, doc, "kind"),
                 netns=f"k8s:{path}#{ns}/whc/{name}")
    hc = HostConfigSpec(key_span(path, doc, "spec") if "spec" in doc else key_span(path, doc))
    replicas = spec.get("hostReplicas", 1)
    w.replicas = min(replicas, 1000) if isinstance(replicas, int) and not isinstance(replicas, bool) \
        and replicas >= 0 else None
    for key, attr in _HOST_CONFIG_FIELDS.items():
        if key in spec:
            setattr(hc, attr, Located(spec[key], value_span(path, spec, key)))
    w.host_config = hc
    return w
