"""`.env` files: KEY=VALUE lines, as compose, systemd and wasmCloud hosts read them."""

from __future__ import annotations

import io
import re

from natslint.deploy.workload import EnvVar, Workload
from natslint.sources import SourceCache
from natslint.span import Span

_SIMPLE_ENV_LINE = re.compile(r"[ \t]*(?:#.*|(?:export[ \t]+)?(?P<k>[A-Za-z_][A-Za-z0-9_]*)=(?P<v>[^'\"\\\s#]*))?[ \t]*")


def read_env_file(sources: SourceCache, path: str) -> list[EnvVar]:
    """KEY=VALUE lines through python-dotenv's own parser (it keeps line numbers); files of
    plain lines only (no quotes, escapes or comments after values) take a fast path.  An
    unreadable file has no variables."""
    try:
        text = sources.text(path)
    except (OSError, ValueError):
        return []
    shown = sources.display(path)
    lines = text.split("\n")
    matches = [_SIMPLE_ENV_LINE.fullmatch(line) for line in lines]
    if all(matches):
        return [EnvVar(m.group("k"), m.group("v"), Span(shown, 0, 0, n, 1, n, len(m.group("k")) + 1))
                for n, m in enumerate(matches, 1) if m.group("k")]
    from dotenv.parser import parse_stream

    out = []
    for b in parse_stream(io.StringIO(text)):
        if b.key is None or b.error:
            continue
        line = b.original.line
        out.append(EnvVar(b.key, b.value, Span(shown, 0, 0, line, 1, line, len(b.key) + 1)))
    return out


def read_envfile_workload(sources: SourceCache, path: str) -> Workload | None:
    """A .env file that configures a wasmCloud host or wadm on its own."""
    vars_ = read_env_file(sources, path)
    if not any(v.name.startswith(("WASMCLOUD_", "WADM_")) for v in vars_):
        return None
    shown = sources.display(path)
    first = next(v for v in vars_ if v.name.startswith(("WASMCLOUD_", "WADM_")))
    w = Workload(shown, "envfile", shown, first.span)  # its first host setting, not a comment
    w.env = {v.name: v for v in vars_}
    return w
