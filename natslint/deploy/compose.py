"""docker compose files: services, their environment, command line, volumes and names."""

from __future__ import annotations

import os
import re
import shlex
from typing import Mapping

from natslint.deploy.envfile import read_env_file
from natslint.deploy.ports import published_ports
from natslint.deploy.workload import EnvVar, ReadResult, Workload, runs_nats_image
from natslint.deploy.yamlfiles import key_span, value_span
from natslint.sources import SourceCache
from natslint.span import Span

_INTERP = re.compile(r"\$(?:\$|\{(?P<braced>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_OPERATORS = (":-", "-", ":?", "?", ":+", "+")


def interpolate(text: str, env: Mapping[str, str]) -> str | None:
    """Compose interpolation; None when a variable's value is not known here."""
    unknown = False

    def sub(m: re.Match) -> str:
        nonlocal unknown
        if m.group(0) == "$$":
            return "$"
        expr = m.group("braced") if m.group("braced") is not None else m.group("bare")
        name, op, default = expr, "", ""
        for candidate in _OPERATORS:
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


class _Interpolation(dict):
    """The variables compose interpolates with, and the `.env` line of each that one sets."""

    def __init__(self) -> None:
        super().__init__()
        self.origins: dict[str, Span] = {}


def _env_var(name: str, text: str, env: Mapping[str, str], span: Span) -> EnvVar:
    """An `environment` entry, interpolated; a `${VAR}` set in `.env` is remembered, so a
    finding about the value can point at the line to edit."""
    origins = getattr(env, "origins", {})
    used = [m.group("braced") or m.group("bare") for m in _INTERP.finditer(text) if m.group(0) != "$$"]
    names = [u.split(":")[0].split("-")[0].split("?")[0].split("+")[0] for u in used if u]
    origin = next(((n, origins[n]) for n in names if n in origins), None)
    return EnvVar(name, interpolate(text, env), span, origin=origin)


def looks_like_compose(doc) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("services"), dict)


def read_compose(path: str, doc, sources: SourceCache, lint_env: Mapping[str, str],
                 project: str | None = None) -> ReadResult:
    """One compose file's services.  ``path`` is its display path; ``doc`` its parsed YAML;
    ``project`` the project's first file, when this file is one of several compose merges."""
    result = ReadResult()
    project = project or path
    if not isinstance(doc, dict):
        return result
    base = os.path.dirname(path)
    dotenv_path = os.path.join(base, ".env")
    interp_env = _Interpolation()
    if sources.is_file(dotenv_path):
        result.env_files_used.add(sources.realpath(dotenv_path))
        for v in read_env_file(sources, dotenv_path):
            if v.value is not None:
                interp_env[v.name] = v.value
                interp_env.origins[v.name] = v.span  # where a user edits it
    interp_env.update(lint_env)
    for name in lint_env:
        interp_env.origins.pop(name, None)
    services = doc.get("services")
    if not isinstance(services, dict):
        return result
    netns_of = {str(name): f"compose:{project}#{name}" for name in services}
    for name, svc in services.items():
        if isinstance(svc, dict):
            w = _service(path, services, str(name), svc, netns_of, sources, interp_env, result)
            w.project = project
            result.workloads.append(w)
    return result


def merge_services(workloads: list[Workload]) -> list[Workload]:
    """The services of one compose project, each merged over its files in order (a later
    file's environment entries replace the earlier ones; its image and command, if given,
    replace them): what `docker compose` runs."""
    merged: dict[tuple[str, str], Workload] = {}
    for w in workloads:
        key = (w.project, w.id.rsplit("#", 1)[-1])
        base = merged.get(key)
        if base is None:
            merged[key] = w
            continue
        base.env.update(w.env)
        base.names |= w.names
        base.image = w.image or base.image
        if w.command:
            base.command = w.command
        base.config_paths = w.config_paths or base.config_paths
        base.runs_nats = base.runs_nats or w.runs_nats
        base.opaque_env += w.opaque_env
        base.replicas = w.replicas if w.replicas != 1 else base.replicas
        # a later file's ports add to the earlier ones (the same mapping once)
        base.published += [p for p in w.published if (p.ip, p.first, p.protocol) not in
                           {(q.ip, q.first, q.protocol) for q in base.published}]
        base.profiles = w.profiles or base.profiles
    return list(merged.values())


def compose_includes(doc) -> list[str]:
    """The files a compose file's top-level `include:` names (relative to it)."""
    out: list[str] = []
    items = doc.get("include") if isinstance(doc, dict) else None
    for item in items if isinstance(items, list) else []:
        paths = item.get("path") if isinstance(item, dict) else item
        for p in paths if isinstance(paths, list) else [paths]:
            if isinstance(p, str):
                out.append(p)
    return out


def _service(path: str, services, name: str, svc: dict, netns_of: dict[str, str], sources: SourceCache,
             env: Mapping[str, str], result: ReadResult) -> Workload:
    w = Workload(f"{path}#{name}", "compose", path, key_span(path, services, name))
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
        w.image = interpolate(svc["image"], env) or svc["image"]
    deploy = svc.get("deploy")
    replicas = deploy.get("replicas") if isinstance(deploy, dict) else None
    replicas = svc.get("scale") if replicas is None else replicas
    if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0:
        w.replicas = replicas
    w.published = published_ports(path, svc, lambda text: interpolate(text, env))
    profiles = svc.get("profiles")
    w.profiles = tuple(str(p) for p in profiles) if isinstance(profiles, list) else ()
    _env(svc, w, path, sources, env, result)
    _command(svc, w, path, env)
    _volumes(svc, w, path, sources)
    return w


def _env(svc, w: Workload, path: str, sources: SourceCache, env: Mapping[str, str], result: ReadResult) -> None:
    base = os.path.dirname(path)
    files = svc.get("env_file")
    if isinstance(files, (str, dict)):
        files = [files]
    for f in files if isinstance(files, list) else []:
        p = f.get("path") if isinstance(f, dict) else f
        if isinstance(p, str):
            full = os.path.join(base, p)
            result.env_files_used.add(sources.realpath(full))
            for var in read_env_file(sources, full):
                w.env[var.name] = var
    environment = svc.get("environment")
    if isinstance(environment, dict):
        for k, v in environment.items():
            if v is None:  # `KEY:` with no value: taken from the shell (the key is underlined)
                at = key_span(path, environment, k)
                span = Span(path, 0, 0, at.line, at.col, at.line, at.col + len(str(k)))
                w.env[str(k)] = EnvVar(str(k), env.get(str(k)), span, mapped=True)
            else:  # the value is what is wrong or right: it is underlined
                w.env[str(k)] = _env_var(str(k), str(v), env, value_span(path, environment, k))
                w.env[str(k)].mapped = True
    elif isinstance(environment, list):
        for i, item in enumerate(environment):
            if not isinstance(item, str):
                continue
            span = value_span(path, environment, i)
            if "=" in item:
                k, v = item.split("=", 1)
                w.env[k] = _env_var(k, v, env, span)
            else:  # a bare name: the value comes from .env or the shell
                w.env[item] = EnvVar(item, env.get(item), span)


def _command(svc, w: Workload, path: str, env: Mapping[str, str]) -> None:
    parts: list[tuple[str, Span]] = []
    for key in ("entrypoint", "command"):
        cmd = svc.get(key)
        if isinstance(cmd, str):
            span = value_span(path, svc, key)
            try:
                words = shlex.split(cmd)
            except ValueError:
                words = cmd.split()
            parts.extend((interpolate(x, env) or x, span) for x in words)
        elif isinstance(cmd, list):
            parts.extend((interpolate(str(x), env) or str(x), value_span(path, cmd, i)) for i, x in enumerate(cmd))
    w.command = parts
    w.runs_nats = runs_nats_image(w.image) or any(p.endswith("nats-server") for p, _ in parts[:1])
    # the image's CMD is `--config nats-server.conf`, which a `command:` replaces
    w.bundled_config = runs_nats_image(w.image) and not parts


def _volumes(svc, w: Workload, path: str, sources: SourceCache) -> None:
    base = os.path.dirname(path)
    mounts: list[tuple[str, str]] = []  # (container path, host path)
    vols = svc.get("volumes")
    for v in vols if isinstance(vols, list) else []:
        source = target = None
        if isinstance(v, str) and len(v.split(":")) >= 2:
            source, target = v.split(":")[:2]
        elif isinstance(v, dict) and isinstance(v.get("source"), str) and isinstance(v.get("target"), str):
            source, target = v["source"], v["target"]
        if source is None or target is None:
            continue
        if source.startswith((".", "/", "~")):
            host = os.path.normpath(os.path.join(base, source))
            mounts.append((target, host))
            w.storage.append((target, f"bind:{sources.display(host)}"))
        else:  # a named volume, shared by every service of the project that mounts it
            w.storage.append((target, f"volume:{w.project or path}:{source}"))
    if not w.runs_nats:
        return
    config = None
    for i, (word, span) in enumerate(w.command):
        if word in ("-c", "--config") and i + 1 < len(w.command):
            config = w.command[i + 1]
        elif word.startswith("--config="):
            config = (word.split("=", 1)[1], span)
    targets = [config] if config else [(t, key_span(path, svc, "volumes")) for t, _ in mounts
                                       if t.endswith((".conf", ".cfg"))]
    for target, span in targets:
        for container, host in sorted(mounts, key=lambda m: -len(m[0])):
            c = container.rstrip("/")
            if target == c or target.startswith(c + "/"):
                w.config_paths.append((sources.display(host + target[len(c):]), span))
                break
