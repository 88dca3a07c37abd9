"""Discovery: which files under the given paths describe the fleet, and which were skipped.

Nothing is skipped silently: every file passed over is listed with its reason
(``--show-files`` prints both lists).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

# Folders that never hold the fleet's configuration.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".natslint_cache",
})
NATS_SUFFIXES = (".conf", ".cfg")
# Top-level keys that only a NATS server config has; used to sniff files with other names.
_NATS_KEYS = re.compile(
    r"^\s*[{]?\s*(port|listen|host|net|server_name|jetstream|leafnodes|leaf|cluster|gateway|"
    r"accounts|authorization|system_account|operator|resolver|http_port|monitor_port|"
    r"websocket|mqtt|include)\b\s*[:={ \t]", re.MULTILINE | re.IGNORECASE)
_INI_SECTION = re.compile(r"^\s*\[[A-Za-z][^\]\n]*\]\s*$", re.MULTILINE)
_NGINX = re.compile(r"^\s*(worker_processes|events\s*\{|http\s*\{|location\s+\S+\s*\{)", re.MULTILINE)


@dataclass(slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(slots=True)
class Discovery:
    nats: list[str] = field(default_factory=list)
    compose: list[str] = field(default_factory=list)
    yaml: list[str] = field(default_factory=list)  # other YAML: Kubernetes manifests, maybe
    envfiles: list[str] = field(default_factory=list)
    systemd: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist


def display_path(path: str | os.PathLike[str]) -> str:
    """Relative to the working directory where possible, with '/' separators."""
    p = os.fspath(path)
    return _display(p, os.getcwd() if os.path.isabs(p) else "")


@lru_cache(maxsize=65536)  # a run shows each path several times (discovery, readers, rules)
def _display(p: str, cwd: str) -> str:
    if not os.path.isabs(p):
        q = os.path.normpath(p)  # string work only; relpath would ask the OS for the cwd
        if q != ".." and not q.startswith(".." + os.sep):
            return q.replace(os.sep, "/")
        return p.replace(os.sep, "/")  # above the cwd: shown as written
    # What relpath would give, without its per-call abspath and split of both paths: a fleet
    # shows thousands of paths, and every one of them is either under the cwd or kept as is.
    q = os.path.normpath(p)
    if q == cwd:
        return "."
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if q.startswith(prefix):
        return q[len(prefix):].replace(os.sep, "/")
    return p.replace(os.sep, "/")


def sniff_nats(head: str) -> str | None:
    """None if ``head`` looks like a NATS config, else why it does not."""
    if _INI_SECTION.search(head) and not re.search(r"^\s*[\w.-]+\s*[{]", head, re.MULTILINE):
        return "INI sections ([Section] headers): not a NATS config"
    if _NGINX.search(head):
        return "an nginx config, not a NATS config"
    return None


def _read_head(path: str, size: int = 4096) -> str:
    try:  # os-level: a file object costs more than the read, for thousands of small files
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return os.read(fd, size).decode("utf-8", "replace")
        finally:
            os.close(fd)
    except OSError:
        return ""


def _gitignore(directory: str):
    path = os.path.join(directory, ".gitignore")
    if not os.path.isfile(path):
        return None
    import pathspec

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    try:  # pathspec >= 0.12.2 names git's own semantics "gitignore"
        return pathspec.PathSpec.from_lines("gitignore", lines)
    except (KeyError, LookupError):
        return pathspec.PathSpec.from_lines("gitwildmatch", lines)


_COMPOSE = re.compile(r"^(docker-)?compose[\w.-]*\.ya?ml$")
_ENVFILE = re.compile(r"^(\.env(\..+)?|.+\.env)$")


def _classify(path: str, discovery: Discovery, explicit: bool) -> None:
    name = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    if name.endswith(".service") or (parent.endswith(".service.d") and name.endswith(".conf")):
        discovery.systemd.append(display_path(path))
        return
    if _COMPOSE.match(name):
        discovery.compose.append(display_path(path))
        return
    if name.endswith((".yaml", ".yml")):
        discovery.yaml.append(display_path(path))
        return
    if _ENVFILE.match(name):
        discovery.envfiles.append(display_path(path))
        return
    if name.endswith(NATS_SUFFIXES):
        reason = sniff_nats(_read_head(path))
        if reason is None or explicit:
            discovery.nats.append(display_path(path))
        else:
            discovery.skipped.append(Skipped(display_path(path), reason))
        return
    if "." not in name or name.endswith(".nats"):
        head = _read_head(path)
        if "\x00" not in head and _NATS_KEYS.search(head) and sniff_nats(head) is None:
            discovery.nats.append(display_path(path))
            return
    if explicit:
        discovery.skipped.append(Skipped(display_path(path), "not a file natslint reads"))


def discover(paths: list[str]) -> Discovery:
    found = Discovery()
    for given in paths:
        if os.path.isfile(given):
            _classify(given, found, explicit=True)
            continue
        if not os.path.isdir(given):
            found.missing.append(given)
            continue
        specs: list[tuple[str, object]] = []  # (dir, PathSpec) from .gitignore files
        for directory, dirs, files in os.walk(given, followlinks=False):
            spec = _gitignore(directory)
            if spec is not None:
                specs.append((directory, spec))
            active = [(d, s) for d, s in specs if directory == d or directory.startswith(d + os.sep)]
            specs = active

            def ignored(path: str, is_dir: bool) -> bool:
                for d, s in active:
                    rel = os.path.relpath(path, d).replace(os.sep, "/") + ("/" if is_dir else "")
                    if s.match_file(rel):  # type: ignore[attr-defined]
                        return True
                return False

            keep = []
            for d in sorted(dirs):
                full = os.path.join(directory, d)
                if d in SKIP_DIRS or os.path.isfile(os.path.join(full, "pyvenv.cfg")):
                    found.skipped.append(Skipped(display_path(full) + "/", "tool or VCS folder"))
                elif ignored(full, True):
                    found.skipped.append(Skipped(display_path(full) + "/", "matched by .gitignore"))
                elif os.path.islink(full):
                    found.skipped.append(Skipped(display_path(full) + "/", "symlinked folder (not followed)"))
                else:
                    keep.append(d)
            dirs[:] = keep
            for f in sorted(files):
                full = os.path.join(directory, f)
                if f == ".gitignore":
                    continue
                if ignored(full, False):
                    if f.endswith(NATS_SUFFIXES):
                        found.skipped.append(Skipped(display_path(full), "matched by .gitignore"))
                    continue
                _classify(full, found, explicit=False)
    for attr in ("nats", "compose", "yaml", "envfiles", "systemd"):
        setattr(found, attr, sorted(dict.fromkeys(getattr(found, attr))))
    return found
