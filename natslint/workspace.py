"""The workspace: what the command line and the language server share below them.

The settings in force in each folder (the project config closest above it, with the front
end's options on top), the question a check asks of a tree, a check run as the command runs
it, and the engine a long-running process keeps.  The front ends (natslint.cli,
natslint.lsp) build on this module and never on each other."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from natslint.codes import all_codes
from natslint.config import ConfigError, ProjectConfig, find_config, load_config
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.discover import builtin_exclude
from natslint.findings import Severity
from natslint.selection import Policy, matches_any_code

if TYPE_CHECKING:  # the pipeline loads with the first check, not with the command line
    from natslint.check import Settings


class UsageError(Exception):
    """Bad input from the front end (an --env without `=`, a missing env file): exit code 2
    with this message on the command line, a message in the editor."""


def first_folder(paths: list[str]) -> str:
    """The folder whose project config sets what is one for the run (fail-on, baseline)."""
    first = paths[0] if paths else "."
    return first if os.path.isdir(first) else os.path.dirname(first) or "."


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


class Resolver:
    """The settings in force in each folder: the project config closest above it (found once
    per folder, loaded once per file), with the command line's options on top.  With
    ``--config`` or ``--isolated`` every folder gets the same settings."""

    def __init__(self, config: Path | None, isolated: bool, cli: dict) -> None:
        if config is not None and not config.is_file():
            raise ConfigError(f"--config {config}: no such file")
        for key in ("select", "ignore", "extend_select"):  # comma lists, and the option repeated
            cli[key] = [v.strip() for item in cli.get(key) or [] for v in item.split(",") if v.strip()] or None
        from natslint.custom.plugins import plugin_rules

        plugin_rules()  # their codes, before the command line's selection is read
        # a code natslint does not know yet may be a project config's own rule: judged once the
        # first project config is loaded, still before any work
        self._unknown = [(flag, v) for flag, values in (("--select", cli["select"]), ("--ignore", cli["ignore"]),
                                                        ("--extend-select", cli.get("extend_select")))
                         for v in values or [] if not matches_any_code(v, all_codes())]
        if not re.fullmatch(r"\d+\.\d+(\.\d+)?", str(cli.get("nats_version", "0.0"))):
            raise ConfigError(f"--nats-version {cli['nats_version']!r}: expected a version like 2.14.3")
        self.cli = cli
        self.fixed = ProjectConfig() if isolated else load_config(config) if config is not None else None
        self._by_file: dict[str | None, tuple[Settings, ProjectConfig]] = {}
        self._by_folder: dict[str, tuple[Settings, ProjectConfig]] = {}

    def settings_files(self) -> set[str]:
        """The absolute paths of every project config and lint env file read so far: a change
        to one changes the settings."""
        projects = [p for _, p in self._by_file.values()] + ([self.fixed] if self.fixed is not None else [])
        files = {p.path for p in projects if p.path} | {f for p in projects for f in p.env_files}
        return {os.path.abspath(str(f)) for f in [*files, *(self.cli.get("env_file") or [])]}

    def forget(self) -> None:
        """Read the project configs again on next use (they may have changed: --watch)."""
        self._by_file.clear()
        self._by_folder.clear()

    def __call__(self, folder: str) -> Settings:
        return self.with_project(folder)[0]

    def with_project(self, folder: str) -> tuple[Settings, ProjectConfig]:
        hit = self._by_folder.get(folder)
        if hit is None:
            if self.fixed is not None:
                key, project = self.fixed.path, self.fixed
            else:
                found = find_config(folder)
                key, project = (str(found) if found else None), None
            hit = self._by_file.get(key)
            if hit is None:
                project = project or load_config(Path(key) if key else None)
                self._judge_unknown_codes()
                hit = self._by_file[key] = (self._settings(project), project)
            self._by_folder[folder] = hit
        return hit

    def _judge_unknown_codes(self) -> None:
        for flag in dict.fromkeys(flag for flag, _ in self._unknown):
            bad = [v for f, v in self._unknown if f == flag and not matches_any_code(v, all_codes())]
            if bad:
                raise ConfigError(f"{flag} {', '.join(bad)}: no such rule (see `natslint rules`)")
        self._unknown = []

    def exclude(self, shown: str, is_dir: bool) -> str | None:
        """Why discovery skips ``shown``: the built-in list of tool and VCS folders, which a
        project config's `exclude` replaces and `extend-exclude` extends."""
        project = self.with_project(os.path.dirname(shown.rstrip("/")) or ".")[1]
        builtin = builtin_exclude(shown, is_dir) if project.exclude is None else None
        if builtin:
            return builtin
        patterns = [*(project.exclude or []), *project.extend_exclude]
        if not patterns or not project.path:
            return None
        rel = os.path.relpath(os.path.abspath(shown), project.folder).replace(os.sep, "/")
        if rel.startswith("../"):
            return None
        if _spec(tuple(patterns)).match_file(rel + ("/" if is_dir else "")):
            key = "exclude" if project.exclude is not None else "extend-exclude"
            return f"matched by `{key}` in {os.path.relpath(project.path)}"
        return None

    def declared_fleet(self, shown: str) -> str | None:
        """The `[[fleets]]` entry that lists this file, if any; a file in two is an error."""
        return self._declared(shown, "fleets")

    def declared_machine(self, shown: str) -> str | None:
        """The `[[machines]]` entry that lists this config, if any; a file in two is an error."""
        return self._declared(shown, "machines")

    def declared_release(self, shown: str) -> str | None:
        """The Helm release name `[[releases]]` gives a values file, if any."""
        return self._declared(shown, "releases")

    def machine_aliases(self) -> dict[str, dict[str, str]]:
        """Every loaded config's `[[machines]]` aliases, by the machine ids declared_machine gives."""
        out: dict[str, dict[str, str]] = {}
        for _, project in self._by_file.values():
            for name, aliases in project.machine_aliases.items():
                out[f"{project.folder}#{name}"] = aliases
        return out

    def _declared(self, shown: str, key: str) -> str | None:
        project = self.with_project(os.path.dirname(shown) or ".")[1]
        entries = getattr(project, key)
        if not entries or not project.path:
            return None
        rel = os.path.relpath(os.path.abspath(shown), project.folder).replace(os.sep, "/")
        names = [name for name, globs in entries if _spec(tuple(globs)).match_file(rel)]
        if len(names) > 1:
            raise ConfigError(f"{os.path.relpath(project.path)}: {shown} is in two declared {key}: "
                              f"{', '.join(names)}")
        return f"{project.folder}#{names[0]}" if names and key == "machines" else names[0] if names else None

    def _settings(self, project: ProjectConfig) -> Settings:
        cli = self.cli
        lint_env = dict(project.env)
        lint_env.update(env_from(cli["env"] or [], [*project.env_files, *(cli["env_file"] or [])],
                                 cli["use_process_env"]))
        select = list(cli["select"] or project.select)
        extend = [*project.extend_select, *(cli.get("extend_select") or [])]
        if extend and select:  # as ruff: on top of the selection (without one, every code is in)
            select += extend
        policy = Policy(select=select, ignore=[*project.ignore, *(cli["ignore"] or [])],
                        per_file_ignores=project.per_file_ignores, severity=project.severity,
                        use_suppressions=not cli["no_ignores"])
        from natslint.check import Settings

        return Settings(
            env=lint_env,
            env_visible=bool(cli["env"] or cli["env_file"] or cli["use_process_env"] or project.env
                             or project.env_files),
            max_bytes=cli["max_bytes"],
            fail_on=Severity.parse(cli["fail_on"] or project.fail_on or "warning"),
            nats_version=cli["nats_version"],
            nats_version_given=bool(cli.get("nats_version_given")),
            aliases=project.aliases,
            policy=policy,
            expect_domain=project.expect_domain,
            debug=cli["debug"],
            require_resolved=project.require_resolved,
            custom_rules=tuple(d.rule() for d in project.custom_rules),
        )


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):
    import pathspec

    try:  # pathspec >= 0.12.2 names git's own semantics "gitignore"
        return pathspec.PathSpec.from_lines("gitignore", patterns)
    except (KeyError, LookupError):
        return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


def settings_for(paths: list[str], *, config: Path | None = None, isolated: bool = False, env=None, env_file=None,
                 use_process_env: bool = False, fail_on: str | None = None, select=None, ignore=None,
                 no_ignores: bool = False, nats_version: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, debug: bool = False, extend_select=None
                 ) -> tuple[Settings, Resolver]:
    """The run's settings (those of the first path's project: the fail-on threshold, the
    file size limit) and the resolver of each folder's settings."""
    resolver = Resolver(config, isolated, dict(
        env=env, env_file=env_file, use_process_env=use_process_env, fail_on=fail_on, select=select,
        ignore=ignore, no_ignores=no_ignores, nats_version=nats_version or DEFAULT_NATS_VERSION, max_bytes=max_bytes,
        debug=debug, extend_select=extend_select, nats_version_given=nats_version is not None))
    return resolver(first_folder(paths)), resolver


def ask_for(paths: list[str], settings: Settings, resolver: Resolver, force_exclude: bool = False,
            progress=None):
    """The question a check asks, as the command asks it: the project configs, exclusions,
    declared fleets, machines and releases, from the working folder.  ``progress``
    (done, total): told as configs are parsed (the command line's display on a terminal)."""
    from natslint.check import Ask

    return Ask(paths, os.getcwd(), settings, resolver, resolver.exclude, force_exclude, resolver.declared_fleet,
               resolver.declared_machine, resolver.machine_aliases, resolver.declared_release, progress,
               resolver.settings_files)


def run_check(paths: list[str], settings: Settings, resolver: Resolver, force_exclude: bool = False,
              overlays=None, memo=None, progress=None, since: str | None = None):
    """A check as the command runs it, fixes settled. ``memo`` (a natslint.memo.RunMemo): what
    a long-running process keeps between checks; the answer is the same as without it."""
    from natslint.check import finish, run_stages
    from natslint.fixing import settle
    from natslint.sources import SourceCache

    if memo is not None:
        memo.start()
    ask = ask_for(paths, settings, resolver, force_exclude, progress)
    stages = run_stages(ask, SourceCache(ask.root, overlays, settings.max_bytes), memo)
    if since is not None:
        stages.changes = changes_since(since, ask, stages)
    result = settle(finish(stages))
    if memo is not None:
        memo.prune(result.documents)
    return result


def changes_since(ref: str, ask, stages):
    """`--since REF`: the change from REF to the tree ``stages`` checked (natslint.since.compare)."""
    from natslint.since.compare import changes_since as compare_since
    from natslint.since.gitref import GitError

    try:
        return compare_since(ref, ask, stages)
    except GitError as exc:
        raise UsageError(str(exc))


def check_change(paths: list[str], settings: Settings, root: str, since: str):
    """A check of ``paths`` under ``root`` with the change from git ``since`` (the API of
    `check --since`, without the project configs the command line reads)."""
    from natslint.check import Ask, finish, run_stages
    from natslint.sources import SourceCache

    ask = Ask(paths, root, settings)
    stages = run_stages(ask, SourceCache(root, None, settings.max_bytes))
    stages.changes = changes_since(since, ask, stages)
    return finish(stages)


def engine_for(paths: list[str], resolver: Resolver, force_exclude: bool = False, progress=None):
    """The engine the language server and --watch keep: each full run reads the project
    configs again (natslint.toml may have changed), with the command line's options on top."""
    from natslint.engine import Engine

    def configure():
        resolver.forget()
        return ask_for(paths, resolver(first_folder(paths)), resolver, force_exclude, progress)

    return Engine(configure)
