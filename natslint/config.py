"""Project settings: `natslint.toml`, `.natslint.toml`, or `[tool.natslint]` in pyproject.toml.

The file closest to the first checked path wins (walking up to the filesystem root).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KNOWN_KEYS = {"aliases", "env", "env-files", "select", "ignore", "per-file-ignores", "severity", "fail-on",
              "expect-domain"}
LEVELS = ("error", "warning", "info")


class ConfigError(Exception):
    """A config file that cannot be used: exit code 2, with this message."""


@dataclass(slots=True)
class ProjectConfig:
    path: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # DNS name -> server (path or server_name)
    env: dict[str, str] = field(default_factory=dict)
    env_files: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)  # codes, code prefixes or names; empty = all
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> codes
    severity: dict[str, str] = field(default_factory=dict)  # code or name -> error|warning|info
    fail_on: str | None = None
    expect_domain: str | None = None


def find_config(start: str) -> Path | None:
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        for name in ("natslint.toml", ".natslint.toml"):
            if (folder / name).is_file():
                return folder / name
        py = folder / "pyproject.toml"
        if py.is_file():
            try:
                if "natslint" in tomllib.loads(py.read_text(encoding="utf-8")).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                pass
    return None


def load_config(path: Path | None) -> ProjectConfig:
    if path is None:
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("natslint", {})
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    cfg = ProjectConfig(str(path))
    for key, target in (("aliases", cfg.aliases), ("env", cfg.env)):
        table = data.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{path}: `{key}` must be a table of strings")
        target.update({str(k): v for k, v in table.items()})
    files = data.get("env-files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError(f"{path}: `env-files` must be a list of paths")
    for key in ("select", "ignore"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: `{key}` must be a list of codes, prefixes or names")
        _check_codes(path, key, value)
        setattr(cfg, key, list(value))
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict) or not all(isinstance(v, list) for v in pfi.values()):
        raise ConfigError(f"{path}: `per-file-ignores` must map globs to lists of codes")
    for glob, codes in pfi.items():
        _check_codes(path, f"per-file-ignores.{glob}", codes)
    cfg.per_file_ignores = {str(k): [str(c) for c in v] for k, v in pfi.items()}
    sev = data.get("severity", {})
    if not isinstance(sev, dict) or any(v not in LEVELS for v in sev.values()):
        raise ConfigError(f"{path}: `severity` must map codes or names to one of {', '.join(LEVELS)}")
    _check_codes(path, "severity", list(sev))
    cfg.severity = dict(sev)
    fail_on = data.get("fail-on")
    if fail_on is not None and fail_on not in LEVELS:
        raise ConfigError(f"{path}: `fail-on` must be one of {', '.join(LEVELS)}")
    cfg.fail_on = fail_on
    expect = data.get("expect-domain")
    if expect is not None and not isinstance(expect, str):
        raise ConfigError(f"{path}: `expect-domain` must be a string")
    cfg.expect_domain = expect
    base = os.path.dirname(path)
    # an alias names a server by server_name, or by its config's path relative to this file
    cfg.aliases = {k: (os.path.join(base, v) if v.endswith((".conf", ".cfg", ".yaml", ".yml")) else v)
                   for k, v in cfg.aliases.items()}
    cfg.env_files = [os.path.join(base, f) for f in files]
    return cfg


def _check_codes(path, key: str, values: list) -> None:
    from natslint.codes import CODES
    from natslint.selection import matches_any_code

    bad = [v for v in values if not isinstance(v, str) or not matches_any_code(v, CODES)]
    if bad:
        raise ConfigError(f"{path}: `{key}` names no rule: {', '.join(map(str, bad))} (see `natslint rules`)")
