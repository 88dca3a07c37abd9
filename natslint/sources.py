"""Deployment files: where hosts, wadm and nats-server processes get their environment.

Each reader turns one file into :class:`Workload` records (a compose service, a Kubernetes
container, a systemd unit, a .env file, a WasmCloudHostConfig), with every value located.
A value that comes from outside the repository (a shell variable, a Secret) is ``None``:
unknown, never guessed.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from typing import Mapping

from natslint.paths import read_text, real
from natslint.discover import display_path
from natslint.findings import Finding
from natslint.span import Span

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_YAML_ALIASES = 1000  # bounds alias expansion: no billion laughs


@dataclass(slots=True)
class EnvVar:
    name: str
    value: str | None  # None: set, but the value comes from outside the repository
    span: Span


@dataclass(slots=True)
class Workload:
    id: str
    kind: str  # compose | k8s | whc | systemd | envfile
    path: str
    span: Span
    names: set[str] = field(default_factory=set)
    netns: str = ""
    env: dict[str, EnvVar] = field(default_factory=dict)
    image: str | None = None
    command: list[tuple[str, Span]] = field(default_factory=list)
    config_paths: list[tuple[str, Span]] = field(default_factory=list)  # NATS configs it runs
    runs_nats: bool = False
    spec: dict = field(default_factory=dict)  # WasmCloudHostConfig fields, located
    opaque_env: list[str] = field(default_factory=list)  # env sources natslint cannot read

    @property
    def is_host(self) -> bool:
        return any(k.startswith("WASMCLOUD_") for k in self.env) or "wasmcloud/wasmcloud" in (self.image or "") \
            or self.kind == "whc"

    @property
    def is_wadm(self) -> bool:
        return any(k.startswith("WADM_") for k in self.env) or bool(
            self.image and re.search(r"(^|/)wadm(:|$)", self.image))


@dataclass(slots=True)
class SourceResult:
    workloads: list[Workload] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    env_files_used: set[str] = field(default_factory=set)


def _map(value) -> dict:
    """A YAML mapping, or an empty one when the file has something else there."""
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _yspan(path: str, node, key=None) -> Span:
    """A span from ruamel's line/column marks (0-based) for a map key or a node."""
    line = col = 0
    try:
        if key is not None:
            line, col = node.lc.key(key) if hasattr(node, "lc") else (0, 0)
        elif hasattr(node, "lc"):
            line, col = node.lc.line, node.lc.col
    except (KeyError, AttributeError, TypeError, IndexError):
        pass
    return Span(path, 0, 0, line + 1, col + 1, line + 1, col + 1)


def _vspan(path: str, parent, key) -> Span:
    """The span of the value under ``key`` (a map key or a list index)."""
    try:
        line, col = parent.lc.value(key) if not isinstance(key, int) else parent.lc.item(key)
        text = parent[key]
        width = len(str(text)) if not isinstance(text, (dict, list)) else 1
        return Span(path, 0, 0, line + 1, col + 1, line + 1, col + 1 + width)
    except (KeyError, AttributeError, TypeError, IndexError):
        return _yspan(path, parent)


def load_yaml_documents(path: str) -> tuple[list, str | None]:
    """Safe round-trip loading (keeps marks); anchors are bounded by ruamel's composer."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        if os.path.getsize(path) > MAX_YAML_BYTES:
            return [], f"over the {MAX_YAML_BYTES}-byte limit for YAML files"
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        return [], str(exc)
    aliases = text.count("*")
    if aliases > MAX_YAML_ALIASES and len(re.findall(r"(?<![\w*])\*[\w-]+", text)) > MAX_YAML_ALIASES:
        return [], f"more than {MAX_YAML_ALIASES} YAML aliases (an alias bomb?)"
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    try:
        docs = [d for d in yaml.load_all(text) if d is not None]
    except YAMLError as exc:
        return [], f"not valid YAML: {str(exc).splitlines()[0]}"
    except RecursionError:
        return [], "YAML nested too deeply"
    return docs, None


# -- interpolation (compose) --------------------------------------------------------------

_INTERP = re.compile(r"\$(?:\$|\{(?P<braced>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(text: str, env: Mapping[str, str]) -> str | None:
    """Compose interpolation; None when a variable's value is not known here."""
    unknown = False

    def sub(m: re.Match) -> str:
        nonlocal unknown
        if m.group(0) == "$$":
            return "$"
        expr = m.group("braced") if m.group("braced") is not None else m.group("bare")
        name, op, default = expr, "", ""
        for candidate in (":-", "-", ":?", "?", ":+", "+"):
            if candidate in expr:
                name, default = expr.split(candidate, 1)
                op = candidate
                break
        value = env.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return default if "$" not in default else (interpolate(default, {}) or "")
            return value
        if op in (":+", "+"):
            return default if value else ""
        if value is None:
            unknown = True
            return ""
        return value

    result = _INTERP.sub(sub, text)
    return None if unknown else result


_SIMPLE_ENV_LINE = re.compile(r"[ \t]*(?:#.*|(?:export[ \t]+)?(?P<k>[A-Za-z_][A-Za-z0-9_]*)=(?P<v>[^'\"\\\s#]*))?[ \t]*")


def read_env_file(path: str) -> list[EnvVar]:
    """KEY=VALUE lines through python-dotenv's own parser (it keeps line numbers); files of
    plain lines only (no quotes, escapes or comments after values) take a fast path."""
    out: list[EnvVar] = []
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError):
        return out
    shown = display_path(path)
    lines = text.split("\n")
    matches = [_SIMPLE_ENV_LINE.fullmatch(line) for line in lines]
    if all(matches):
        for n, m in enumerate(matches, 1):
            if m.group("k"):
                k = m.group("k")
                out.append(EnvVar(k, m.group("v"), Span(shown, 0, 0, n, 1, n, len(k) + 1)))
        return out
    import io

    from dotenv.parser import parse_stream

    bindings = list(parse_stream(io.StringIO(text)))
    for b in bindings:
        if b.key is None or b.error:
            continue
        line = b.original.line
        out.append(EnvVar(b.key, b.value if b.value is not None else None,
                          Span(shown, 0, 0, line, 1, line, len(b.key) + 1)))
    return out


# -- docker compose -----------------------------------------------------------------------

def read_compose(path: str, lint_env: Mapping[str, str]) -> SourceResult:
    result = SourceResult()
    docs, error = load_yaml_documents(path)
    shown = display_path(path)
    if error:
        from natslint.findings import UNREADABLE_FILE

        result.findings.append(UNREADABLE_FILE.at(Span(shown, 0, 0, 1, 1, 1, 1), f"skipped {shown}: {error}"))
        return result
    if not docs or not isinstance(docs[0], dict):
        return result
    doc = docs[0]
    base = os.path.dirname(path)
    dotenv_path = os.path.join(base, ".env")
    interp_env: dict[str, str] = {}
    if os.path.isfile(dotenv_path):
        result.env_files_used.add(real(dotenv_path))
        interp_env.update({v.name: v.value for v in read_env_file(dotenv_path) if v.value is not None})
    interp_env.update(lint_env)
    services = doc.get("services")
    if not isinstance(services, dict):
        return result
    netns_of: dict[str, str] = {}
    for name, svc in services.items():
        netns_of[str(name)] = f"compose:{shown}#{name}"
    for name, svc in services.items():
        name = str(name)
        if not isinstance(svc, dict):
            continue
        w = Workload(f"{shown}#{name}", "compose", shown, _yspan(shown, services, name))
        w.names.add(name.lower())
        for key in ("container_name", "hostname"):
            if isinstance(svc.get(key), str):
                w.names.add(svc[key].lower())
        nets = svc.get("networks")
        if isinstance(nets, dict):
            for net in nets.values():
                if isinstance(net, dict) and isinstance(net.get("aliases"), list):
                    w.names.update(str(a).lower() for a in net["aliases"])
        mode = svc.get("network_mode")
        w.netns = netns_of[name]
        if isinstance(mode, str) and mode.startswith("service:"):
            w.netns = netns_of.get(mode.split(":", 1)[1], w.netns)
        if isinstance(svc.get("image"), str):
            w.image = interpolate(svc["image"], interp_env) or svc["image"]
        _compose_env(svc, w, shown, base, interp_env, result)
        _compose_command(svc, w, shown, interp_env)
        _compose_volumes(svc, w, shown, base)
        result.workloads.append(w)
    return result


def _compose_env(svc, w: Workload, shown: str, base: str, env: Mapping[str, str], result: SourceResult) -> None:
    files = svc.get("env_file")
    if isinstance(files, (str, dict)):
        files = [files]
    for f in files if isinstance(files, list) else []:
        p = f.get("path") if isinstance(f, dict) else f
        if isinstance(p, str):
            full = os.path.join(base, p)
            result.env_files_used.add(real(full))
            for var in read_env_file(full):
                w.env[var.name] = var
    environment = svc.get("environment")
    if isinstance(environment, dict):
        for k, v in environment.items():
            span = _yspan(shown, environment, k)
            if v is None:  # `KEY:` with no value: taken from the shell
                w.env[str(k)] = EnvVar(str(k), env.get(str(k)), span)
            else:
                w.env[str(k)] = EnvVar(str(k), interpolate(str(v), env), span)
    elif isinstance(environment, list):
        for i, item in enumerate(environment):
            if not isinstance(item, str):
                continue
            span = _vspan(shown, environment, i)
            if "=" in item:
                k, v = item.split("=", 1)
                w.env[k] = EnvVar(k, interpolate(v, env), span)
            else:  # a bare name: the value comes from .env or the shell
                w.env[item] = EnvVar(item, env.get(item), span)


def _compose_command(svc, w: Workload, shown: str, env: Mapping[str, str]) -> None:
    parts: list[tuple[str, Span]] = []
    for key in ("entrypoint", "command"):
        cmd = svc.get(key)
        if isinstance(cmd, str):
            span = _vspan(shown, svc, key)
            try:
                words = shlex.split(cmd)
            except ValueError:
                words = cmd.split()
            parts.extend((interpolate(x, env) or x, span) for x in words)
        elif isinstance(cmd, list):
            parts.extend((interpolate(str(x), env) or str(x), _vspan(shown, cmd, i)) for i, x in enumerate(cmd))
    w.command = parts
    image = (w.image or "").split("@")[0]
    base = image.rsplit("/", 1)[-1].split(":")[0]
    w.runs_nats = base in ("nats", "nats-server") or any(p.endswith("nats-server") for p, _ in parts[:1])


def _compose_volumes(svc, w: Workload, shown: str, base: str) -> None:
    mounts: list[tuple[str, str]] = []  # (container path, host path)
    vols = svc.get("volumes")
    for v in vols if isinstance(vols, list) else []:
        if isinstance(v, str):
            bits = v.split(":")
            if len(bits) >= 2 and (bits[0].startswith(".") or bits[0].startswith("/")):
                mounts.append((bits[1], os.path.normpath(os.path.join(base, bits[0]))))
        elif isinstance(v, dict) and isinstance(v.get("source"), str) and isinstance(v.get("target"), str):
            if v["source"].startswith((".", "/")):
                mounts.append((v["target"], os.path.normpath(os.path.join(base, v["source"]))))
    if not w.runs_nats:
        return
    config = None
    for i, (word, span) in enumerate(w.command):
        if word in ("-c", "--config") and i + 1 < len(w.command):
            config = w.command[i + 1]
        elif word.startswith("--config="):
            config = (word.split("=", 1)[1], span)
    targets = [config] if config else [(t, _yspan(shown, svc, "volumes")) for t, _ in mounts
                                       if t.endswith((".conf", ".cfg"))]
    for target, span in targets:
        for container, host in sorted(mounts, key=lambda m: -len(m[0])):
            c = container.rstrip("/")
            if target == c or target.startswith(c + "/"):
                w.config_paths.append((display_path(host + target[len(c):]), span))
                break


# -- Kubernetes -----------------------------------------------------------------------------

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job"}


def config_maps(path: str, docs: list) -> dict[tuple[str, str], dict[str, EnvVar]]:
    """(namespace, name) -> its data, as env vars located in this file."""
    shown = display_path(path)
    out: dict[tuple[str, str], dict[str, EnvVar]] = {}
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
            meta = _map(doc.get("metadata"))
            data = doc["data"]
            out[(str(meta.get("namespace", "default")), str(meta.get("name", "")))] = {
                str(k): EnvVar(str(k), str(v), _yspan(shown, data, k)) for k, v in data.items()}
    return out


def read_kubernetes(path: str, docs: list,
                    maps: dict[tuple[str, str], dict[str, EnvVar]] | None = None) -> SourceResult:
    result = SourceResult()
    shown = display_path(path)
    maps = maps or {}
    services: list[tuple[str, str, dict]] = []  # (name, namespace, selector)
    for doc in docs:
        if isinstance(doc, dict) and isinstance(doc.get("kind"), str) and doc.get("kind") == "Service":
            meta = _map(doc.get("metadata"))
            spec = _map(doc.get("spec"))
            services.append((str(meta.get("name", "")), str(meta.get("namespace", "default")),
                             dict(_map(spec.get("selector")))))
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        kind = doc.get("kind")
        if not isinstance(kind, str):
            continue
        meta = _map(doc.get("metadata"))
        name = str(meta.get("name", "?"))
        ns = str(meta.get("namespace", "default"))
        if kind == "WasmCloudHostConfig":
            result.workloads.append(_whc(doc, shown, name, ns))
            continue
        if kind not in WORKLOAD_KINDS:
            continue
        spec = _map(doc.get("spec"))
        template = _map(spec.get("template") if kind != "Pod" else doc)
        pod_meta = _map(template.get("metadata"))
        pod_spec = _map(template.get("spec"))
        labels = dict(_map(pod_meta.get("labels")))
        names: set[str] = set()
        for sname, sns, selector in services:
            if selector and sns == ns and all(labels.get(k) == v for k, v in selector.items()):
                names.update({sname, f"{sname}.{sns}", f"{sname}.{sns}.svc", f"{sname}.{sns}.svc.cluster.local"})
                if kind == "StatefulSet" and spec.get("serviceName") == sname:
                    replicas = spec.get("replicas")
                    for i in range(min(replicas if isinstance(replicas, int) and replicas > 0 else 1, 1000)):
                        names.update({f"{name}-{i}.{sname}", f"{name}-{i}.{sname}.{sns}.svc.cluster.local"})
        netns = f"k8s:{shown}#{ns}/{kind}/{name}"
        for c in _list(pod_spec.get("containers")):
            if not isinstance(c, dict):
                continue
            cname = str(c.get("name", "?"))
            w = Workload(f"{shown}#{kind}/{name}/{cname}", "k8s", shown, _yspan(shown, c), set(names), netns)
            w.names.update(n.lower() for n in names)
            w.image = str(c["image"]) if isinstance(c.get("image"), str) else None
            env = c.get("env")
            for item in env if isinstance(env, list) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    value = item.get("value")
                    w.env[item["name"]] = EnvVar(item["name"], None if value is None else str(value),
                                                 _vspan(shown, item, "value") if "value" in item
                                                 else _yspan(shown, item, "name"))
            for src in _list(c.get("envFrom")):
                if not isinstance(src, dict):
                    continue
                ref = _map(src.get("configMapRef") or src.get("secretRef"))
                key = (ns, str(ref.get("name", "")))
                prefix = str(src.get("prefix", ""))
                if "configMapRef" in src and key in maps:
                    for var in maps[key].values():
                        w.env.setdefault(prefix + var.name, EnvVar(prefix + var.name, var.value, var.span))
                else:
                    kind_ = "Secret" if "secretRef" in src else "ConfigMap"
                    w.opaque_env.append(f"{kind_} {key[1]!r}")
            cmd = [*_list(c.get("command")), *_list(c.get("args"))]
            w.command = [(str(x), _yspan(shown, c)) for x in cmd]
            base = (w.image or "").rsplit("/", 1)[-1].split(":")[0]
            w.runs_nats = base in ("nats", "nats-server")
            result.workloads.append(w)
    return result


def _whc(doc, shown: str, name: str, ns: str) -> Workload:
    spec = _map(doc.get("spec"))
    w = Workload(f"{shown}#WasmCloudHostConfig/{name}", "whc", shown, _yspan(shown, doc, "kind"),
                 netns=f"k8s:{shown}#{ns}/whc/{name}")
    for key in ("jetstreamDomain", "leafNodeDomain", "natsAddress", "natsLeafnodePort", "lattice",
                "secretName", "version", "natsClientPort"):
        if key in spec:
            w.spec[key] = (spec[key], _vspan(shown, spec, key))
    w.spec["_span"] = (None, _yspan(shown, doc, "spec") if "spec" in doc else _yspan(shown, doc))
    return w


# -- systemd and .env ---------------------------------------------------------------------

_ENV_ASSIGN = re.compile(r'(?:"([^"]*)"|(\S+))')


def read_systemd(path: str, unit_env_files: bool = True) -> Workload | None:
    """A unit or drop-in: Environment=, EnvironmentFile=, ExecStart= (nats-server -c ...)."""
    shown = display_path(path)
    try:
        lines = read_text(path).splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    unit_dir = os.path.dirname(path)
    unit = os.path.basename(path)
    if unit_dir.endswith(".d"):  # a drop-in belongs to the unit its folder names
        unit = os.path.basename(unit_dir)[:-2]
        unit_dir = os.path.dirname(unit_dir)
    w = Workload(f"{display_path(os.path.join(unit_dir, unit))}", "systemd", shown,
                 Span(shown, 0, 0, 1, 1, 1, 1), netns=f"machine:{display_path(unit_dir)}")
    w.names.update({"localhost"})
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("Environment="):
            body = line[len("Environment="):]
            for m in _ENV_ASSIGN.finditer(body):
                item = m.group(1) if m.group(1) is not None else m.group(2)
                if "=" in item:
                    k, v = item.split("=", 1)
                    col = raw.find(k) + 1
                    w.env[k] = EnvVar(k, v, Span(shown, 0, 0, n, col, n, col + len(k)))
        elif line.startswith("EnvironmentFile=") and unit_env_files:
            target = line.split("=", 1)[1].lstrip("-")
            candidate = target if os.path.isabs(target) and os.path.isfile(target) else \
                os.path.join(os.path.dirname(path), os.path.basename(target))
            for var in read_env_file(candidate):
                w.env[var.name] = var
        elif line.startswith("ExecStart="):
            words = line.split("=", 1)[1].lstrip("-@+!").split()
            span = Span(shown, 0, 0, n, 1, n, len(raw) + 1)
            w.command = [(x, span) for x in words]
            if words and os.path.basename(words[0]) == "nats-server":
                w.runs_nats = True
                for i, word in enumerate(words):
                    if word in ("-c", "--config") and i + 1 < len(words):
                        w.config_paths.append((words[i + 1], span))
    return w


def read_envfile_workload(path: str) -> Workload | None:
    vars_ = read_env_file(path)
    if not any(v.name.startswith(("WASMCLOUD_", "WADM_")) for v in vars_):
        return None
    shown = display_path(path)
    w = Workload(shown, "envfile", shown, Span(shown, 0, 0, 1, 1, 1, 1))
    w.env = {v.name: v for v in vars_}
    return w


def looks_like_nats_chart_values(doc) -> bool:
    """Values for the NATS Helm chart (>= 1.0): `config.jetstream`, `config.leafnodes`, ..."""
    config = doc.get("config") if isinstance(doc, dict) else None
    return isinstance(config, dict) and any(
        isinstance(config.get(k), dict) and "enabled" in config[k] for k in ("jetstream", "leafnodes", "cluster"))


def read_nats_chart_values(path: str, doc) -> Workload:
    """The hub the NATS chart renders from these values.  The chart reads the domain only
    from `config.jetstream.merge.domain`; its Service name depends on the release name,
    which the values do not give (declare it with an alias)."""
    shown = display_path(path)
    config = doc["config"]
    w = Workload(shown, "helm-nats", shown, _yspan(shown, doc, "config"), runs_nats=True)
    js = config.get("jetstream") if isinstance(config.get("jetstream"), dict) else {}
    if js.get("enabled"):
        w.spec["jetstream"] = (True, _vspan(shown, js, "enabled"))
        merge = js.get("merge") if isinstance(js.get("merge"), dict) else {}
        if "domain" in merge:
            w.spec["domain"] = (str(merge["domain"]), _vspan(shown, merge, "domain"))
    leaf = config.get("leafnodes") if isinstance(config.get("leafnodes"), dict) else {}
    if leaf.get("enabled"):
        w.spec["leafnodes"] = (int(leaf.get("port", 7422)), _vspan(shown, leaf, "enabled"))
    for key in ("fullnameOverride", "nameOverride"):
        if isinstance(doc.get(key), str):
            w.names.add(doc[key].lower())
    return w


def looks_like_compose(doc) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("services"), dict)


def looks_like_kubernetes(docs: list) -> bool:
    return any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs)
