"""Project settings: `natslint.toml`, `.natslint.toml`, or `[tool.natslint]` in pyproject.toml.

The file closest to the first checked path wins (walking up to the filesystem root).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

KNOWN_KEYS = {"aliases", "env", "env-files", "select", "ignore", "per-file-ignores", "severity", "fail-on",
              "expect-domain", "exclude", "extend-exclude", "fleets", "require-resolved", "machines",
              "releases", "extend-select", "baseline", "rules"}
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
    exclude: list[str] | None = None  # gitignore-style, relative to the config; replaces the built-in list
    extend_exclude: list[str] = field(default_factory=list)  # added to the built-in list
    fleets: list[tuple[str, list[str]]] = field(default_factory=list)  # declared: (name, include globs)
    machines: list[tuple[str, list[str]]] = field(default_factory=list)  # configs on one machine
    releases: list[tuple[str, list[str]]] = field(default_factory=list)  # Helm release name -> values files
    extend_select: list[str] = field(default_factory=list)  # codes added to the selection
    machine_aliases: dict[str, dict[str, str]] = field(default_factory=dict)  # machine -> its aliases
    require_resolved: bool = False
    baseline: str | None = None  # the baseline file, joined to the config's folder
    custom_rules: list = field(default_factory=list)  # `[[rules.custom]]`: natslint.custom.declarative.Declared

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path) if self.path else ""


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
            import tomllib  # loaded when there is a TOML file to read

            try:
                if "natslint" in tomllib.loads(py.read_text(encoding="utf-8")).get("tool", {}):
                    return py
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                pass
    return None


def load_config(path: Path | None) -> ProjectConfig:
    if path is None:
        return ProjectConfig()
    import tomllib  # loaded when there is a TOML file to read

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
        raise ConfigError(f"{path}: unknown setting: {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    cfg = ProjectConfig(str(path))
    cfg.custom_rules = _custom_rules(path, data.get("rules", {}))  # first: the selection may name them
    for key, target in (("aliases", cfg.aliases), ("env", cfg.env)):
        table = data.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{path}: `{key}` must be a table of strings")
        target.update({str(k): v for k, v in table.items()})
    files = data.get("env-files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ConfigError(f"{path}: `env-files` must be a list of paths")
    for key in ("select", "ignore", "extend-select"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: `{key}` must be a list of codes, prefixes or names")
        _check_codes(path, key, value)
        setattr(cfg, key.replace("-", "_"), list(value))
    _selection(path, data, cfg)
    _exclusions(path, data, cfg)
    cfg.fleets = _fleets(path, data.get("fleets", []), "fleets")
    cfg.machines = _fleets(path, data.get("machines", []), "machines")
    cfg.releases = _fleets(path, data.get("releases", []), "releases")
    for entry in data.get("machines", []):  # a loopback alias means something on one machine only
        aliases = entry.get("aliases", {})
        if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
            raise ConfigError(f"{path}: machine `{entry.get('name')}`: `aliases` must be a table of strings")
        cfg.machine_aliases[str(entry["name"])] = {
            str(k).lower(): os.path.join(os.path.dirname(path), v) if v.endswith((".conf", ".cfg")) else v
            for k, v in aliases.items()}
    require = data.get("require-resolved", False)
    if not isinstance(require, bool):
        raise ConfigError(f"{path}: `require-resolved` must be true or false")
    cfg.require_resolved = require
    base = os.path.dirname(path)
    # an alias names a server by server_name, or by its config's path relative to this file
    cfg.aliases = {k: (os.path.join(base, v) if v.endswith((".conf", ".cfg", ".yaml", ".yml")) else v)
                   for k, v in cfg.aliases.items()}
    cfg.env_files = [os.path.join(base, f) for f in files]
    baseline = data.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or not baseline):
        raise ConfigError(f"{path}: `baseline` must be a file path (relative to this config)")
    cfg.baseline = os.path.join(base, baseline) if baseline else None
    return cfg


def _custom_rules(path, rules: object) -> list:
    if not rules:
        return []
    if not isinstance(rules, dict) or set(rules) - {"custom"}:
        raise ConfigError(f"{path}: `rules` holds one table, `[[rules.custom]]`")
    from natslint.custom.declarative import DeclaredRuleError, parse

    try:
        return parse(rules.get("custom", []), str(path))
    except DeclaredRuleError as exc:
        raise ConfigError(str(exc)) from None


def _selection(path, data: dict, cfg: ProjectConfig) -> None:
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


def _exclusions(path, data: dict, cfg: ProjectConfig) -> None:
    for key in ("exclude", "extend-exclude"):
        value = data.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{path}: `{key}` must be a list of gitignore-style patterns")
    cfg.exclude = list(data["exclude"]) if "exclude" in data else None
    cfg.extend_exclude = list(data.get("extend-exclude", []))


def _fleets(path, value, key: str) -> list[tuple[str, list[str]]]:
    """`[[fleets]]`, `[[machines]]` or `[[releases]]`: each a `name` and the `include` globs
    of its files (relative to the config)."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{path}: `{key}` must be an array of tables ([[{key}]])")
    out: list[tuple[str, list[str]]] = []
    for i, entry in enumerate(value, 1):
        name, include = entry.get("name"), entry.get("include")
        extra = set(entry) - {"name", "include"} - ({"aliases"} if key == "machines" else set())
        if not isinstance(name, str) or not name or extra or not isinstance(include, list) \
                or not include or not all(isinstance(g, str) for g in include):
            raise ConfigError(f"{path}: {key} #{i} needs a `name` and a non-empty `include` list of globs"
                              + (f" (unknown: {', '.join(sorted(extra))})" if extra else ""))
        if name in (n for n, _ in out):
            raise ConfigError(f"{path}: {key[:-1]} `{name}` is declared twice")
        out.append((name, list(include)))
    return out


def _check_codes(path, key: str, values: list) -> None:
    from natslint.codes import all_codes
    from natslint.selection import matches_any_code

    codes = all_codes()
    bad = [v for v in values if not isinstance(v, str) or not matches_any_code(v, codes)]
    if bad:
        raise ConfigError(f"{path}: `{key}` names no rule: {', '.join(map(str, bad))} (see `natslint rules`)")
