"""Kubernetes manifests: containers with their env and envFrom, Services (the DNS names a
pod answers to), and WasmCloudHostConfig resources (a host plus its nats-leaf sidecar)."""

from __future__ import annotations

import re

from natslint.deploy.configmaps import ConfigMap, Naming
from natslint.deploy.workload import (
    EnvVar,
    HostConfigSpec,
    Located,
    ReadResult,
    Workload,
    runs_nats_image,
)
from natslint.deploy.yamlfiles import as_list, as_map, key_span, value_span
from natslint.span import Span

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job"}
ConfigMaps = dict[tuple[str, str], ConfigMap]  # (namespace, name) -> the ConfigMap
# where the official nats images keep the config they run without a --config of ours
IMAGE_CONFIGS = ("/nats-server.conf", "/etc/nats/nats-server.conf")


def looks_like_kubernetes(docs: list) -> bool:
    return any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs)


def services_of(docs: list, naming: Naming) -> list[tuple[str, str, dict]]:
    """(name, namespace, selector) of every Service in the file, as deployed."""
    out = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "Service":
            meta = as_map(doc.get("metadata"))
            spec = as_map(doc.get("spec"))
            out.append((naming.name(str(meta.get("name", ""))), naming.ns(meta.get("namespace")),
                        dict(as_map(spec.get("selector")))))
    return out


def read_kubernetes(path: str, docs: list, maps: ConfigMaps | None = None, naming: Naming | None = None,
                    services: list | None = None) -> ReadResult:
    """``path`` is the display path; ``docs`` the file's parsed YAML documents; ``maps`` the
    ConfigMaps of its unit; ``naming`` what the kustomizations above it do to names;
    ``services`` the Services of the other files of its unit (applied together)."""
    naming = naming or Naming()
    result = ReadResult()
    services = [*services_of(docs, naming), *(services or [])]
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
            continue
        kind = doc["kind"]
        meta = as_map(doc.get("metadata"))
        ns = naming.ns(meta.get("namespace"))
        if kind == "WasmCloudHostConfig":
            result.workloads.append(host_config_workload(path, doc, str(meta.get("name", "?")), ns))
        elif kind in WORKLOAD_KINDS:
            result.workloads.extend(_containers(doc, path, kind, str(meta.get("name", "?")), ns, services,
                                                maps or {}, naming))
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
               replicas: int | None, naming: Naming) -> tuple[set[str], list[set[str]]]:
    """The DNS names of the Services that select these pods, and each StatefulSet pod's own
    (``name``: the StatefulSet's name as deployed)."""
    names: set[str] = set()
    per_pod: list[set[str]] = []
    governing = naming.name(str(spec.get("serviceName"))) if isinstance(spec.get("serviceName"), str) else None
    for sname, sns, selector in services:
        if selector and sns == ns and all(labels.get(k) == v for k, v in selector.items()):
            names.update({sname, f"{sname}.{sns}", f"{sname}.{sns}.svc", f"{sname}.{sns}.svc.cluster.local"})
            if kind == "StatefulSet" and governing == sname:
                for i in range(replicas if replicas else 1):
                    pod = {f"{name}-{i}.{sname}{tail}" for tail in ("", f".{sns}", f".{sns}.svc",
                                                                   f".{sns}.svc.cluster.local")}
                    if i < len(per_pod):
                        per_pod[i] |= pod
                    else:
                        per_pod.append(pod)
    return names, per_pod


def _containers(doc: dict, path: str, kind: str, name: str, ns: str, services, maps: ConfigMaps,
                naming: Naming) -> list[Workload]:
    spec = as_map(doc.get("spec"))
    template = as_map(spec.get("template") if kind != "Pod" else doc)
    pod_spec = as_map(template.get("spec"))
    labels = dict(as_map(as_map(template.get("metadata")).get("labels")))
    replicas = replicas_of(kind, spec)
    deployed = naming.name(name)
    names, per_pod = _pod_names(kind, deployed, ns, spec, labels, services, replicas, naming)
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
        w.pod_name = deployed if kind == "StatefulSet" else None
        w.namespace = ns
        _env(c, w, path, ns, maps)
        w.command = [(expand(str(x), w.env) or str(x), key_span(path, c))
                     for x in [*as_list(c.get("command")), *as_list(c.get("args"))]]
        w.runs_nats = runs_nats_image(w.image) or any(x.rsplit("/", 1)[-1] == "nats-server" for x, _ in w.command[:1])
        words = [x for x, _ in w.command]
        written: list[tuple[str, Span]] = []
        for i, word in enumerate(words):  # the config it runs
            if word in ("-c", "--config", "-config") and i + 1 < len(words):
                written.append(w.command[i + 1])
            elif word.startswith(("-c=", "--config=", "-config=")):
                written.append((word.split("=", 1)[1], w.command[i][1]))
        if w.runs_nats:
            for config, span in written:
                _locate_config(w, config, span, c, pod_spec, ns, maps)
        elif "reloader" not in (w.image or ""):  # another program's config (nats-streaming's -sc): not ours
            for word in words:
                source = mounted_source(word, c, pod_spec) if word.startswith("/") else None
                cm = maps.get((ns, source[1])) if source is not None and source[0] == "configMap" else None
                entry = cm.entries.get(source[2] or "") if cm is not None and source is not None else None
                if entry is not None and entry.config is not None:
                    w.other_configs.append(entry.config)
        w.bundled_config = w.bundled_config or (w.runs_nats and not w.command)
        out.append(w)
    sidecar = next((w for w in out if not w.runs_nats and "config-reloader" in (w.image or "")), None)
    for w in out if sidecar is not None else ():
        if w.runs_nats:
            w.reloader = f"the config-reloader sidecar `{sidecar.id.rsplit('/', 1)[-1]}`"
    return out


def _locate_config(w: Workload, config: str, span: Span, c: dict, pod_spec: dict, ns: str, maps: ConfigMaps
                   ) -> None:
    """The config file a container runs, followed from its path to where its text is written:
    volumeMounts (with subPath) -> volume -> ConfigMap (items) -> data key.  A ConfigMap of
    the unit gives the file natslint parses; a Secret, another volume, a ConfigMap not in the
    tree or a file of the image leaves the config unknown (``w.config_unknown``)."""
    source = mounted_source(config, c, pod_spec)
    if source is None:
        if config in IMAGE_CONFIGS and runs_nats_image(w.image):
            w.bundled_config = True
            return
        w.config_unknown = (f"config {config} is no volume of the pod: it comes from the image "
                            f"{w.image or '?'}, which natslint cannot see", span)
        return
    kind, name, key = source
    if kind == "configMap":
        cm = maps.get((ns, name))
        entry = cm.entries.get(key) if cm is not None and key is not None else None
        if entry is not None and entry.config is not None:
            w.config_paths.append((entry.config, span))
            _sub_mounts(w, config, entry.config, c, pod_spec, ns, maps)
        elif cm is None:
            w.config_unknown = (f"config {config} comes from ConfigMap {name!r}, which is not in the "
                                "checked files", span)
        else:
            w.config_unknown = (f"config {config} comes from ConfigMap {name!r}, which has no readable key "
                                f"{key!r}", span)
    elif kind == "secret":
        w.config_unknown = (f"config {config} comes from Secret {name!r}: natslint does not read "
                            "Secrets", span)
    else:
        w.config_unknown = (f"config {config} lives on {'an' if kind[:1] in 'aeiou' else 'a'} {kind} volume, "
                            "which natslint cannot see", span)


def _sub_mounts(w: Workload, config: str, parsed: str, c: dict, pod_spec: dict, ns: str, maps: ConfigMaps) -> None:
    """The other volumes mounted inside the config's folder, as seen from the file natslint
    parses for it (``parsed``): an include of `accounts/x.conf` opens what is mounted there."""
    folder = config.rsplit("/", 1)[0]
    here = parsed.rsplit("/", 1)[0] if "/" in parsed else "."
    for m in as_list(c.get("volumeMounts")):
        mount = m.get("mountPath") if isinstance(m, dict) else None
        if not isinstance(mount, str) or not mount.startswith(folder + "/") or \
                mount == config or config.startswith(mount.rstrip("/") + "/"):
            continue  # outside the config's folder, or the mount that holds the config itself
        sub = m.get("subPath") if isinstance(m.get("subPath"), str) else ""
        kind, name, _ = _volume_source(_volume(pod_spec, m.get("name")), sub)
        cm = maps.get((ns, name)) if kind == "configMap" else None
        target: dict[str, str | None] | str
        if cm is not None and sub:  # one key, mounted as a file
            entry = cm.entries.get(sub)
            target = {"": entry.config if entry is not None else None}
        elif cm is not None:
            target = {k: e.config for k, e in cm.entries.items()}
        elif kind == "configMap":
            target = f"ConfigMap {name!r}, which is not in the checked files"
        elif kind == "secret":
            target = f"Secret {name!r}, which natslint does not read"
        else:
            target = f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} volume, which natslint cannot see"
        w.mounts.append((f"{here}/{mount[len(folder) + 1:].rstrip('/')}", target))


def _volume(pod_spec: dict, name: object) -> dict | None:
    return next((v for v in as_list(pod_spec.get("volumes")) if isinstance(v, dict) and v.get("name") == name), None)


def _volume_source(volume: dict | None, rel: str) -> tuple[str, str, str | None]:
    """What file ``rel`` of a volume is: ("configMap" | "secret", name, data key), or (volume
    kind, "", None) for a volume of another kind."""
    if volume is None:
        return ("undeclared", "", None)
    for kind, name_key in (("configMap", "name"), ("secret", "secretName")):
        if isinstance(volume.get(kind), dict):
            src = volume[kind]
            return (kind, str(src.get(name_key, "")), _item_key(src, rel))
    if isinstance(volume.get("projected"), dict):
        for src in as_list(volume["projected"].get("sources")):
            for kind in ("configMap", "secret"):
                inner = as_map(src.get(kind)) if isinstance(src, dict) else {}
                key = _item_key(inner, rel) if inner else None
                if inner and key is not None:
                    return (kind, str(inner.get("name", "")), key)
        return ("projected", "", None)
    return (next((k for k in volume if k != "name"), "unknown"), "", None)


def mounted_source(path: str, c: dict, pod_spec: dict) -> tuple[str, str, str | None] | None:
    """Where a file the container opens lives: ("configMap" | "secret", name, data key), or
    (volume kind, "", None) for another volume; None when no volumeMount holds ``path``."""
    best: tuple[int, dict, str] | None = None
    for m in as_list(c.get("volumeMounts")):
        if not isinstance(m, dict) or not isinstance(m.get("mountPath"), str):
            continue
        mount = m["mountPath"].rstrip("/") or "/"
        sub = m.get("subPath")
        if isinstance(sub, str) and sub:
            if path != mount:
                continue
            rel = sub
        elif path.startswith(mount + "/") or mount == "/":
            rel = path[len(mount):].lstrip("/")
        else:
            continue
        if best is None or len(mount) > best[0]:
            best = (len(mount), m, rel)
    if best is None:
        return None
    _, m, rel = best
    return _volume_source(_volume(pod_spec, m.get("name")), rel)


def _item_key(src: dict, rel: str) -> str | None:
    """The data key a ConfigMap or Secret volume shows as file ``rel`` (its ``items``, if any)."""
    items = as_list(src.get("items"))
    if items:
        return next((str(i.get("key")) for i in items if isinstance(i, dict) and i.get("path") == rel), None)
    return rel if rel and "/" not in rel else None


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
            for name, entry in maps[key].entries.items():
                w.env[prefix + name] = EnvVar(prefix + name, entry.value, entry.span)
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


def host_config_workload(path: str, doc: dict, name: str, ns: str, span: Span | None = None) -> Workload:
    """A WasmCloudHostConfig (``span``: where it is written, when not a resource of its own)."""
    spec = as_map(doc.get("spec"))
    w = Workload(f"{path}#WasmCloudHostConfig/{name}", "whc", path, span or key_span(path, doc, "kind"),
                 netns=f"k8s:{path}#{ns}/whc/{name}")
    hc = HostConfigSpec(span or (key_span(path, doc, "spec") if "spec" in doc else key_span(path, doc)))
    replicas = spec.get("hostReplicas", 1)
    w.replicas = min(replicas, 1000) if isinstance(replicas, int) and not isinstance(replicas, bool) \
        and replicas >= 0 else None
    for key, attr in _HOST_CONFIG_FIELDS.items():
        if key in spec:
            setattr(hc, attr, Located(spec[key], value_span(path, spec, key)))
    w.host_config = hc
    return w
