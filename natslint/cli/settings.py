"""From command-line options and the project config to the Settings of one run."""

from __future__ import annotations

import json
import os
from pathlib import Path

from natslint.check import Settings
from natslint.cli.options import UsageError
from natslint.codes import CODES
from natslint.config import ConfigError, ProjectConfig, find_config, load_config
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.findings import Severity
from natslint.selection import Policy, matches_any_code


def env_from(pairs: list[str], files: list[str], use_process_env: bool) -> dict[str, str]:
    """The lint-time environment: process env (if asked), then env files, then --env pairs."""
    env: dict[str, str] = dict(os.environ) if use_process_env else {}
    if files:
        from dotenv import dotenv_values

        for f in files:
            if not os.path.isfile(f):
                raise UsageError(f"--env-file {f}: no such file")
            env.update({k: v or "" for k, v in dotenv_values(f).items()})
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--env {pair!r}: expected KEY=VALUE")
        k, v = pair.split("=", 1)
        env[k] = v
    return env


def settings_for(paths: list[str], *, config: Path | None = None, isolated: bool = False, env=None, env_file=None,
                 use_process_env: bool = False, fail_on: str | None = None, select=None, ignore=None,
                 no_ignores: bool = False, nats_version: str = DEFAULT_NATS_VERSION,
                 max_bytes: int = DEFAULT_MAX_BYTES, debug: bool = False) -> tuple[Settings, ProjectConfig]:
    if config is not None and not config.is_file():
        raise ConfigError(f"--config {config}: no such file")
    project = ProjectConfig() if isolated else load_config(config or find_config(paths[0] if paths else "."))
    for flag, values in (("--select", select), ("--ignore", ignore)):
        bad = [v for v in values or [] if not matches_any_code(v, CODES)]
        if bad:
            raise ConfigError(f"{flag} {', '.join(bad)}: no such rule (see `natslint rules`)")
    lint_env = dict(project.env)
    lint_env.update(env_from(env or [], [*project.env_files, *(env_file or [])], use_process_env))
    policy = Policy(select=list(select or project.select), ignore=[*project.ignore, *(ignore or [])],
                    per_file_ignores=project.per_file_ignores, severity=project.severity,
                    use_suppressions=not no_ignores)
    settings = Settings(
        env=lint_env,
        env_visible=bool(env or env_file or use_process_env or project.env or project.env_files),
        max_bytes=max_bytes,
        fail_on=Severity.parse(fail_on or project.fail_on or "warning"),
        nats_version=nats_version,
        aliases=project.aliases,
        policy=policy,
        expect_domain=project.expect_domain,
        debug=debug,
    )
    return settings, project


def describe(settings: Settings, project: ProjectConfig) -> str:
    p = settings.policy
    shown = {
        "config": project.path or "(none)",
        "select": p.select or ["(all)"], "ignore": p.ignore, "per-file-ignores": p.per_file_ignores,
        "severity": p.severity, "fail-on": str(settings.fail_on), "suppressions": p.use_suppressions,
        "expect-domain": settings.expect_domain, "aliases": settings.aliases,
        "env": sorted(settings.env), "env-visible": settings.env_visible, "nats-version": settings.nats_version,
        "max-file-size": settings.max_bytes,
    }
    return json.dumps(shown, indent=2)
