"""Discovery: which files under the given paths describe the fleet, and which were skipped.

Discovery goes by names only and reads no file: whether a `.conf` file is a NATS config is
decided from its text when the pipeline reads it (:func:`accept_configs`), so each file is
read once.  Nothing is skipped silently: every file passed over is listed with its reason
(``--show-files`` prints both lists).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from natslint.paths import display_path
from natslint.sources import SourceCache

# Folders that never hold the fleet's configuration.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
})
NATS_SUFFIXES = (".conf", ".cfg")
# Top-level keys that only a NATS server config has; used to sniff files with other names.
_NATS_KEYS = re.compile(
    r"^\s*[{]?\s*(port|listen|host|net|server_name|jetstream|leafnodes|leaf|cluster|gateway|"
    r"accounts|authorization|system_account|operator|resolver|http_port|monitor_port|"
    r"websocket|mqtt|include)\b\s*[:={ \t]", re.MULTILINE | re.IGNORECASE)
_INI_SECTION = re.compile(r"^\s*\[[A-Za-z][^\]\n]*\]\s*$", re.MULTILINE)
_NGINX = re.compile(r"^\s*(worker_processes|events\s*\{|http\s*\{|location\s+\S+\s*\{)", re.MULTILINE)
# Top-level options only a NATS server has: one of them makes a file a NATS config.
NATS_ONLY = frozenset({"jetstream", "leafnodes", "cluster", "gateway", "accounts", "server_name",
                       "system_account", "websocket", "mqtt", "authorization"})
_NATS_ONLY_LINE = re.compile(r"^\s*(?:%s)\s*[:={ \t]" % "|".join(NATS_ONLY), re.MULTILINE | re.IGNORECASE)


def builtin_exclude(shown: str, is_dir: bool) -> str | None:
    """The built-in skip list: tool and VCS folders (a project config's `exclude` replaces it)."""
    return "tool or VCS folder" if is_dir and posixpath.basename(shown.rstrip("/")) in SKIP_DIRS else None


Exclude = Callable[[str, bool], "str | None"]  # (display path, is a folder) -> why it is skipped


@dataclass(slots=True)
class Skipped:
    """A file discovery or a reader left out, and why."""

    path: str
    reason: str


@dataclass(slots=True)
class Discovery:
    """Every file of the tree a reader may take, by kind, and what was skipped."""

    nats: list[str] = field(default_factory=list)  # candidates until accept_configs reads them
    # candidate -> how accept_configs decides: "suffix" (a .conf/.cfg found by the walk), "name"
    # (no suffix: must open with NATS options), "name-explicit" (the same, named on the command line)
    sniff: dict[str, str] = field(default_factory=dict)
    compose: list[str] = field(default_factory=list)
    yaml: list[str] = field(default_factory=list)  # other YAML: Kubernetes manifests, maybe
    envfiles: list[str] = field(default_factory=list)
    systemd: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist
    # folders with a natslint.toml / .natslint.toml: project boundaries, which name links never
    # cross (even when --isolated ignores what the files say)
    projects: list[str] = field(default_factory=list)


def top_level_keys(text: str) -> tuple[list[str], bool]:
    """The keys at the top of a config as far as nats-server's lexer gets, and whether it
    stopped on an error."""
    from natslint.syntax import lexer as lx

    result = lx.lex(text)
    keys, depth = [], 0
    for t in result.tokens:
        if t.kind in (lx.MAP_START, lx.ARRAY_START):
            depth += 1
        elif t.kind in (lx.MAP_END, lx.ARRAY_END):
            depth -= 1
        elif t.kind == lx.KEY and depth == 0:
            keys.append(t.value)
    return keys, result.error is not None


def not_nats(text: str) -> str | None:
    """Why a `.conf` is not a NATS config (redis, mosquitto, haproxy, sysctl, HCL, ...), or
    None.  It is skipped only when fewer than half of its top-level keys are NATS options and
    none is NATS-only; a file on whose first token the lexer already stops is not NATS either.
    An empty or comment-only file is (harmless) NATS."""
    text = text.removeprefix("\ufeff")  # a BOM is NL101's business, not a sign of another format
    if _NATS_ONLY_LINE.search(text):
        return None
    from natslint import options

    top = options.block("top")
    keys, stopped = top_level_keys(text)
    nats = [k for k in keys if top is not None and k.lower() in top.keys]
    if any(k.lower() in NATS_ONLY for k in keys) or (keys and len(nats) * 2 >= len(keys)) or \
            (not keys and not stopped):
        return None
    if _INI_SECTION.search(text):
        return "INI sections ([Section] headers): not a NATS config"
    if _NGINX.search(text):
        return "an nginx config, not a NATS config"
    shown = ", ".join(f"`{k}`" for k in keys[:3]) + (", ..." if len(keys) > 3 else "")
    return (f"not a NATS config: {len(nats)} of {len(keys)} top-level keys are NATS options"
            + (f" ({shown})" if keys else " (nats-server's lexer reads no key in it)"))


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


def kind_by_name(full: str) -> str | None:
    """What discovery takes a file for by its name alone: the Discovery list it joins
    ("systemd", "compose", "yaml", "envfiles", "nats", or "nats-sniff" for a name that must
    open with NATS options), or None."""
    name = os.path.basename(full)
    parent = os.path.basename(os.path.dirname(full))
    if name.endswith(".service") or (parent.endswith(".service.d") and name.endswith(".conf")):
        return "systemd"
    if _COMPOSE.match(name):
        return "compose"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if _ENVFILE.match(name):
        return "envfiles"
    if name.endswith(NATS_SUFFIXES):
        return "nats"
    if "." not in name or name.endswith(".nats"):
        return "nats-sniff"
    return None


def _classify(full: str, shown: str, discovery: Discovery, explicit: bool) -> None:
    """File ``full`` (shown as ``shown``) by its name; a NATS config candidate is decided later."""
    kind = kind_by_name(full)
    if kind in ("systemd", "compose", "yaml", "envfiles"):
        getattr(discovery, kind).append(shown)
    elif kind == "nats":
        discovery.nats.append(shown)
        if not explicit:
            discovery.sniff[shown] = "suffix"
    elif kind == "nats-sniff":
        discovery.nats.append(shown)
        discovery.sniff[shown] = "name-explicit" if explicit else "name"
    elif explicit:
        discovery.skipped.append(Skipped(shown, "not a file natslint reads"))


def accept_configs(found: Discovery, sources: SourceCache) -> tuple[list[str], list[Skipped]]:
    """The candidates that are NATS configs, decided from their text (read once, through the
    source cache): a `.conf` that is an INI or nginx file is skipped and listed; a file with
    no suffix counts only when it opens with NATS options.  A file given by name is always
    checked; one that cannot be read is kept, so the parser reports why."""
    accepted: list[str] = []
    skipped: list[Skipped] = []
    for path in found.nats:
        mode = found.sniff.get(path)
        if mode is None:
            accepted.append(path)
            continue
        try:
            # a .conf is read whole (it is parsed next); a file without a suffix only in part:
            # most are not configs (LICENSE, Makefile, binaries), and those are never read further
            data = sources.read_bytes(path) if mode == "suffix" else sources.head(path)
            head = data[:4096].decode("utf-8", "replace")
        except Exception:  # unreadable: NL005 from the parser for a .conf, nothing for other names
            if mode == "suffix":
                accepted.append(path)
            elif mode == "name-explicit":
                skipped.append(Skipped(path, "not a file natslint reads"))
            continue
        if mode == "suffix":
            # a binary or non-UTF-8 .conf is kept: the parser reports it (NL005)
            reason = None if b"\x00" in data else _not_nats_bytes(data)
            if reason is None:
                accepted.append(path)
            else:
                skipped.append(Skipped(path, reason))
        elif "\x00" not in head and _NATS_KEYS.search(head) and not_nats(head) is None:
            accepted.append(path)
        elif mode == "name-explicit":
            skipped.append(Skipped(path, "not a file natslint reads"))
    return accepted, skipped


def _not_nats_bytes(data: bytes) -> str | None:
    try:
        return not_nats(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def discover(paths: list[str], root: str, exclude: Exclude = builtin_exclude,
             force_exclude: bool = False) -> Discovery:
    """The files under ``paths`` (relative to ``root``), by kind, shown relative to ``root``.
    ``exclude`` says which files and folders to skip; a path named here is checked even when
    excluded, unless ``force_exclude`` (as in ruff)."""
    found = Discovery()
    for given in paths:
        top = os.path.join(root, given)
        shown = display_path(given, root)
        reason = exclude(shown, os.path.isdir(top)) if force_exclude else None
        if reason is not None:
            found.skipped.append(Skipped(shown, reason))
        elif os.path.isfile(top):
            _classify(top, shown, found, explicit=True)
        elif not os.path.isdir(top):
            found.missing.append(given)
        else:
            _walk(top, given, root, found, exclude)
    for attr in ("nats", "compose", "yaml", "envfiles", "systemd"):
        setattr(found, attr, sorted(dict.fromkeys(getattr(found, attr))))
    return found


def _walk(top: str, given: str, root: str, found: Discovery, exclude: Exclude) -> None:
    def show(full: str) -> str:  # as the user wrote the path, relative to the root
        return display_path(given + full[len(top):], root)

    specs: list[tuple[str, object]] = []  # (dir, PathSpec) from .gitignore files
    for directory, dirs, files in os.walk(top, followlinks=False):
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
            reason = exclude(show(full), True) or ("tool or VCS folder" if os.path.isfile(
                os.path.join(full, "pyvenv.cfg")) else None)  # a virtualenv, whatever its name
            if reason is not None:
                found.skipped.append(Skipped(show(full) + "/", reason))
            elif ignored(full, True):
                found.skipped.append(Skipped(show(full) + "/", "matched by .gitignore"))
            elif os.path.islink(full):
                found.skipped.append(Skipped(show(full) + "/", "symlinked folder (not followed)"))
            else:
                keep.append(d)
        dirs[:] = keep
        for f in sorted(files):
            full = os.path.join(directory, f)
            if f == ".gitignore":
                continue
            if f in ("natslint.toml", ".natslint.toml"):
                found.projects.append(posixpath.dirname(show(full)) or ".")
                continue
            reason = "matched by .gitignore" if ignored(full, False) else exclude(show(full), False)
            if reason is not None:
                if f.endswith(NATS_SUFFIXES):
                    found.skipped.append(Skipped(show(full), reason))
                continue
            _classify(full, show(full), found, explicit=False)
