"""systemd units and drop-ins: Environment=, EnvironmentFile=, ExecStart= (nats-server -c ...), and an
ExecReload= that sends nats-server a reload."""

from __future__ import annotations

import os
import re
import shlex

from natslint.deploy.envfile import read_env_file
from natslint.deploy.workload import EnvVar, Workload
from natslint.sources import SourceCache
from natslint.span import Span

_ENV_ASSIGN = re.compile(r'(?:"([^"]*)"|(\S+))')


def read_systemd(sources: SourceCache, path: str) -> Workload | None:
    """One unit file or drop-in (``path`` is its display path); None if unreadable."""
    try:
        lines = sources.text(path).splitlines()
    except (OSError, ValueError):
        return None
    unit_dir = os.path.dirname(path)
    unit = os.path.basename(path)
    if unit_dir.endswith(".d"):  # a drop-in belongs to the unit its folder names
        unit = os.path.basename(unit_dir)[:-2]
        unit_dir = os.path.dirname(unit_dir)
    w = Workload(sources.display(os.path.join(unit_dir, unit)), "systemd", path,
                 Span(path, 0, 0, 1, 1, 1, 1), netns=f"machine:{sources.display(unit_dir)}")
    w.names.add("localhost")
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("Environment="):
            _environment(w, path, n, raw, line[len("Environment="):])
        elif line.startswith("EnvironmentFile="):
            target = line.split("=", 1)[1].lstrip("-")
            candidate = target if os.path.isabs(target) and sources.is_file(target) else \
                os.path.join(os.path.dirname(path), os.path.basename(target))
            for var in read_env_file(sources, candidate):
                w.env[var.name] = var
        elif line.startswith("ExecStart="):
            _exec_start(w, path, n, raw, line)
        elif line.startswith("ExecReload=") and re.search(r"\bHUP\b|--signal[\s=]+reload|-sl[\s=]+reload", line):
            w.reloader = "the unit's ExecReload (`systemctl reload`)"
    _expand(w)
    return w


def _environment(w: Workload, path: str, n: int, raw: str, body: str) -> None:
    for m in _ENV_ASSIGN.finditer(body):
        item = m.group(1) if m.group(1) is not None else m.group(2)
        if "=" in item:
            k, v = item.split("=", 1)
            col = raw.find(k) + 1
            w.env[k] = EnvVar(k, v, Span(path, 0, 0, n, col, n, col + len(k)))


_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BARE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _exec_start(w: Workload, path: str, n: int, raw: str, line: str) -> None:
    """systemd's command line: quotes group words; `${VAR}` is one word, a word `$VAR` splits
    its value on whitespace (expanded once the unit's Environment= lines are all read)."""
    body = line.split("=", 1)[1].lstrip("-@+!:")
    try:
        words = shlex.split(body)
    except ValueError:
        words = body.split()
    span = Span(path, 0, 0, n, 1, n, len(raw) + 1)
    w.command = [(x, span) for x in words]
    w.runs_nats = bool(words) and os.path.basename(words[0]) == "nats-server"


def _expand(w: Workload) -> None:
    env = {k: v.value or "" for k, v in w.env.items()}
    out: list[tuple[str, Span]] = []
    for word, span in w.command:
        bare = _BARE.fullmatch(word)
        if bare:
            out += [(x, span) for x in env.get(bare.group(1), "").split()]
        else:
            out.append((_BRACED.sub(lambda m: env.get(m.group(1), ""), word), span))
    w.command = out
    if w.runs_nats:
        words = [x for x, _ in out]
        for i, word in enumerate(words):
            if word in ("-c", "--config") and i + 1 < len(words):
                w.config_paths.append((words[i + 1], out[i + 1][1]))
            elif word.startswith(("-c=", "--config=")):
                w.config_paths.append((word.split("=", 1)[1], out[i][1]))


def merge_drop_ins(workloads: list[Workload]) -> list[Workload]:
    """One workload per unit: a drop-in adds to (and overrides) its unit."""
    units: dict[str, Workload] = {}
    for w in workloads:
        base = units.get(w.id)
        if base is None:
            units[w.id] = w
            continue
        base.env.update(w.env)
        base.command = w.command or base.command
        base.runs_nats = base.runs_nats or w.runs_nats
        base.config_paths += w.config_paths
    return list(units.values())
