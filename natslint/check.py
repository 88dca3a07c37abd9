"""The main job, as one pipeline over a whole tree:

    discover -> parse -> read deployments -> assemble -> reach -> rules -> select and suppress

:func:`check_paths` returns a typed :class:`Result` and never renders: reporters, ``graph``,
the job summary and ``prove`` all read the Result (its fleet, its reachability, its source
cache) and never rebuild or re-read anything.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

from natslint.codes import (
    INTERNAL_ERROR,
    QUOTED_VARIABLE,
    UNDEFINED_QUOTED_VARIABLE,
    UNDEFINED_VARIABLE,
    UNREADABLE_FILE,
)
from natslint.crash import Crashes, file_start
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.deploy.read import read_deployments, read_host_env_files
from natslint.deploy.workload import ReadResult
from natslint.discover import (
    Discovery,
    Exclude,
    Skipped,
    accept_configs,
    builtin_exclude,
    discover,
)
from natslint.findings import Finding, Severity
from natslint.fleet.assemble import assemble
from natslint.fleet.model import Fleet
from natslint.fleet.partition import FleetPlan, includers_of, partition, with_includes
from natslint.fleet.reach import Reach
from natslint.gather import by_line, once, per_location, select
from natslint.rules.context import Context
from natslint.custom.plugins import plugin_rules
from natslint.rules.runner import run_rules
from natslint.selection import Policy, Suppression
from natslint.sources import SourceCache
from natslint.syntax.builder import quoted_variables
from natslint.syntax.document import Document
from natslint.syntax.ahead import LexAhead, lex_ahead
from natslint.syntax.parser import DocumentMemo, Loader

if TYPE_CHECKING:
    from natslint.memo import RunMemo  # the engine's; a cold check never loads it

# What a config's `$VAR`s mean depends on the environment of the instance that runs it: these
# findings come from reading the config again with each instance's environment.
PER_INSTANCE = {UNDEFINED_VARIABLE.code, QUOTED_VARIABLE.code, UNDEFINED_QUOTED_VARIABLE.code}


Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Settings:
    """What one folder's project config and the command line decide for a check."""

    env: dict[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    fail_on: Severity = Severity.WARNING
    nats_version: str = DEFAULT_NATS_VERSION
    nats_version_given: bool = False  # named on the command line, not natslint's default
    aliases: dict[str, str] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    expect_domain: str | None = None
    debug: bool = False  # a crashing reader or rule raises instead of becoming NL000
    require_resolved: bool = False  # NL406 an error for the links the domain rules need
    custom_rules: tuple = ()  # the project config's `[[rules.custom]]`, as Rules (natslint.custom)


@dataclass(slots=True)
class FleetCheck:
    """One fleet of the tree, as assembled and checked, with the settings in force for it."""

    plan: FleetPlan
    fleet: Fleet
    reach: Reach
    settings: Settings
    findings: list[Finding] = field(default_factory=list)  # its rules' findings
    crashed: list[Finding] = field(default_factory=list)  # NL000 of its rules
    key: tuple | None = None  # its signature in the engine's memo
    _run: set[str] | None = None
    _labels: list[str] | None = None
    _readers: dict[str, list[str]] | None = None

    def readers_of(self, config: str, documents: dict[str, Document]) -> list[str]:
        """The workloads (or plain configs) of this fleet whose server reads ``config`` as its own."""
        if self._readers is None:
            self._readers = {}
            for s in self.fleet.servers:
                if not s.synthetic and s.path in documents:
                    self._readers.setdefault(s.path, []).append(s.instance_of or s.path)
        return self._readers.get(config, [])

    def run_paths(self, documents: dict[str, Document]) -> set[str]:
        """Every config file (includes too) that a deployment's instance runs."""
        if self._run is None:
            self._run = set().union(*(with_includes(s.path, documents) for s in [*self.fleet.servers,
                                      *self.fleet.unseen] if s.instance_of and not s.synthetic))
        return self._run

    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = self.fleet.instance_labels()
        return self._labels


@dataclass(slots=True)
class Result:
    """A run's findings, with the documents, discovery and fleets the reports draw from."""

    findings: list[Finding]
    documents: dict[str, Document]  # every config read, includes too, by display path
    discovery: Discovery
    roots: list[str]  # configs that no other config includes: one server each
    fleets: list[FleetCheck]
    sources: SourceCache
    skipped: list[Skipped]  # every file passed over, with the reason
    # path -> line -> (start, end) columns, 0-based, of secret values the readers located
    secrets: dict[str, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)
    baseline: object = None  # a baseline.Comparison when --baseline narrowed the findings
    changes: object = None  # `--since REF`: a natslint.since.compare.ChangeSet
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def fleet(self) -> Fleet:
        """All fleets' servers and hosts together (counting, lookups); checks ran per fleet."""
        if len(self.fleets) == 1:
            return self.fleets[0].fleet
        merged = Fleet()
        for f in self.fleets:
            merged.servers += f.fleet.servers
            merged.hosts += f.fleet.hosts
            merged.unseen += f.fleet.unseen
            merged.clusters += f.fleet.clusters
            merged.cluster_of.update(f.fleet.cluster_of)
            merged.unresolved += f.fleet.unresolved
        return merged

    @property
    def reach(self) -> Reach:
        """The reachability of a tree that holds one fleet."""
        if len(self.fleets) != 1:
            raise ValueError(f"the tree holds {len(self.fleets)} fleets: use Result.fleets")
        return self.fleets[0].reach

    @property
    def coverage(self) -> dict:
        """How many links of each kind were resolved, external, ambiguous or unresolved, how
        many the domain rules needed and did not get, and the servers whose config is unseen."""
        kinds = ("leaf_links", "routes", "gateways", "hosts", "wadm")
        out: dict = {k: {c: 0 for c in ("total", "resolved", "external", "ambiguous", "unresolved",
                                                  "unknown_config", "wrong_port")} for k in kinds}
        missing = 0
        for fc in self.fleets:
            for kind, tally in fc.fleet.coverage.items():
                if kind == "needed":
                    missing += sum(tally.values())
                    continue
                for c, n in tally.items():
                    out[kind][c] += n
        out["servers_unknown_config"] = sum(len(fc.fleet.unseen) for fc in self.fleets)
        out["needed_missing"] = missing
        return out

    @property
    def deployment_files(self) -> list[str]:
        d = self.discovery
        return [*d.compose, *d.yaml, *d.envfiles, *d.systemd]

    @property
    def files_read(self) -> int:
        return len(self.documents) + len(self.deployment_files)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, threshold: Severity) -> bool:
        return any(f.severity >= threshold for f in self.findings)

    def lines(self, path: str) -> list[str]:
        """A file's lines for a code frame: a NATS config as parsed, any other as read."""
        hit = self._lines.get(path)
        if hit is None:
            doc = self.documents.get(path)
            hit = self._lines[path] = doc.text.split("\n") if doc is not None else self.sources.lines(path)
        return hit


SettingsFor = Callable[[str], Settings]  # folder (display path) -> the settings in force there


@dataclass(slots=True)
class Ask:
    """What a run is asked: the paths, and how the command line and the project configs see them."""

    paths: list[str]
    root: str
    settings: Settings
    settings_for: SettingsFor | None = None
    exclude: Exclude = builtin_exclude
    force_exclude: bool = False
    declared: Callable[[str], str | None] | None = None
    machines: Callable[[str], str | None] | None = None
    machine_aliases: Callable[[], dict[str, dict[str, str]]] | None = None
    releases: Callable[[str], str | None] | None = None
    progress: Progress | None = None
    settings_files: Callable[[], set[str]] | None = None  # project configs and lint env files read

    def resolve(self, folder: str) -> Settings:
        return self.settings_for(folder) if self.settings_for is not None else self.settings


@dataclass(slots=True)
class Stages:
    """What each stage of one run made.  A long-running engine (natslint.engine) keeps it, so
    that an edit redoes only the stages and fleets it touches."""

    ask: Ask
    sources: SourceCache
    found: Discovery
    accepted: list[str]  # the candidates accept_configs took as NATS configs
    deployed: ReadResult
    deploy_reads: set[str]  # absolute paths the deployment readers read or looked for
    deploy_crashes: list[Finding]
    configs: list[str]  # every config parsed as a server's own
    not_nats: list[Skipped]
    documents: dict[str, Document]
    roots: list[str]
    vanished: list[Finding]
    plans: list[FleetPlan]
    on_machine: dict[str, str]
    scoped: dict
    fleets: list[FleetCheck]
    suppressions: dict[str, list[Suppression]] = field(default_factory=dict)  # path -> its inline suppressions
    changes: object = None  # `--since REF`: a natslint.since.compare.ChangeSet
    _includers: dict[str, set[str]] | None = None

    def includers(self) -> dict[str, set[str]]:
        """File -> the configs that include it directly."""
        if self._includers is None:
            self._includers = includers_of(self.documents)
        return self._includers


def check_paths(paths: list[str], settings: Settings | None = None, *, root: str,
                progress: Progress | None = None, overlays: Mapping[str, str] | None = None,
                settings_for: SettingsFor | None = None, exclude: Exclude = builtin_exclude,
                force_exclude: bool = False, declared: Callable[[str], str | None] | None = None,
                machines: Callable[[str], str | None] | None = None,
                machine_aliases: Callable[[], dict[str, dict[str, str]]] | None = None,
                releases: Callable[[str], str | None] | None = None, memo: RunMemo | None = None) -> Result:
    """Check the files and folders ``paths`` (relative to ``root``); findings show paths
    relative to ``root``.  ``settings`` holds what is one for the whole run (file size limit,
    debug); ``settings_for(folder)`` the settings of each folder's project config (env,
    aliases, selection, expected domain), by default ``settings`` everywhere.  ``exclude``
    (display path, is a folder) -> why discovery skips it; ``declared``: file -> the declared
    fleet that lists it; ``releases``: values file -> the Helm release declared for it.
    ``overlays`` replace files' contents (an editor's buffers); ``memo`` keeps documents and
    fleets between runs (natslint.engine)."""
    ask = Ask(paths, root, settings or Settings(), settings_for, exclude, force_exclude, declared, machines,
              machine_aliases, releases, progress)
    return finish(run_stages(ask, SourceCache(root, overlays, ask.settings.max_bytes), memo))


def run_stages(ask: Ask, sources: SourceCache, memo: RunMemo | None = None) -> Stages:
    """Every stage of the pipeline, from discovery to each fleet's rules."""
    settings, resolve = ask.settings, ask.resolve
    crashes = Crashes(settings.debug)
    found = discover(ask.paths, ask.root, ask.exclude, ask.force_exclude)
    accepted, not_nats = accept_configs(found, sources)
    ahead = lex_ahead(accepted, Loader(nats_version=settings.nats_version, strict_text=True, sources=sources)) \
        if memo is None or memo.documents.empty else None  # an engine's later runs reuse their documents
    try:
        deployed, deploy_reads, configs, not_nats, documents, roots, vanished = _read_and_parse(
            ask, sources, crashes, found, accepted, not_nats, memo, ahead)
    finally:
        if ahead is not None:
            ahead.close()
    listed = {}
    if ask.declared is not None:
        files = [*documents, *found.compose, *found.yaml, *found.envfiles, *found.systemd]
        listed = {f: name for f in files if (name := ask.declared(f)) is not None}
    plans = partition(documents, roots, deployed.workloads, sources, lambda f: resolve(f).aliases,
                      deployed.unit_files, listed, found.projects, memo.models if memo is not None else None)
    on_machine = {p: m for p in roots if ask.machines is not None and (m := ask.machines(p)) is not None}
    scoped = ask.machine_aliases() if ask.machine_aliases is not None and on_machine else {}
    reparse = reparser(documents, sources, settings, resolve)
    fleets = [check_fleet(plan, documents, sources, resolve(plan.root), reparse, on_machine, scoped, memo)
              for plan in plans]
    return Stages(ask, sources, found, accepted, deployed, deploy_reads, crashes.findings, configs, not_nats,
                  documents, roots, vanished, plans, on_machine, scoped, fleets)


def _read_and_parse(ask: Ask, sources: SourceCache, crashes: Crashes, found, accepted: list[str], not_nats: list,
                    memo: RunMemo | None, ahead: LexAhead | None) -> tuple:
    """The deployments and the hosts' `.env` files read, then every config parsed (``ahead``:
    the later part lexed meanwhile by a second process)."""
    settings, resolve = ask.settings, ask.resolve
    sources.touched = set()  # what the readers open: an edit there plans the run anew
    deployed = read_deployments(found, sources, settings.env, crashes, ask.releases, standalone=False)
    deploy_reads, sources.touched = sources.touched, None
    for why in plugin_rules()[1]:  # a plugin that cannot be used: said, and the other rules run
        crashes.findings.append(INTERNAL_ERROR.at(file_start("."), why, fix="fix or uninstall the plugin"))
    read_host_env_files(found, sources, deployed)  # a host's own .env: an edit there rechecks its fleet
    for vpath, emb in deployed.embedded.items():  # every key, so includes find their siblings
        sources.embed(vpath, emb.text, emb.file, emb.lines)
    for w in deployed.workloads:  # volumes a pod mounts inside its config's folder
        for where, target in w.mounts:
            sources.mount(where, target)
    configs, not_nats = _run_or_included([*accepted, *sorted(deployed.wanted)], not_nats, deployed.workloads, sources)
    documents, roots, vanished = _parse(configs, sources, settings, resolve, ask.progress,
                                        memo.documents if memo is not None else None, ahead)
    not_nats = [s for s in not_nats if s.path not in documents]  # read after all: a config includes it
    return deployed, deploy_reads, configs, not_nats, documents, roots, vanished


def finish(stages: Stages) -> Result:
    """The run's findings gathered from its stages: selected, suppressed, masked and sorted."""
    documents, fleets, deployed = stages.documents, stages.fleets, stages.deployed
    # a $VAR in a config that deployments run is judged in each instance's environment
    run = set().union(*(fc.run_paths(documents) for fc in fleets))
    parsed = [f for path, d in documents.items() for f in d.every_finding
              if not (path in run and f.code in PER_INSTANCE)]
    lacking = per_location([f for fc in fleets for f in fc.fleet.instance_findings])
    crashed = [*stages.deploy_crashes, *(f for fc in fleets for f in fc.crashed)]
    changed = stages.changes.findings if stages.changes is not None else []
    raw = [*stages.vanished, *parsed, *lacking, *deployed.findings, *crashed, *changed,
           *once([f for fc in fleets for f in fc.findings], [label for fc in fleets for label in fc.labels()])]
    shown = select(raw, documents, stages.found, stages.sources, stages.ask.settings, stages.ask.resolve,
                   stages.suppressions)
    return Result(shown, documents, stages.found, stages.roots, fleets, stages.sources,
                  [*stages.found.skipped, *stages.not_nats, *deployed.skipped], by_line(deployed.secret_spans),
                  changes=stages.changes)


def check_fleet(plan: FleetPlan, documents: dict[str, Document], sources: SourceCache, own: Settings, reparse,
                on_machine: dict, scoped: dict, memo: RunMemo | None, rebuild: tuple | None = None) -> FleetCheck:
    """One fleet assembled, its reachability worked out and its rules run (or, with a memo,
    taken from the run that did so on the same files).  ``rebuild``: the fleet's signature,
    when the caller knows it is to be built again (an edit changed some of its documents)."""
    if rebuild is not None and memo is not None:
        key, docs, kept = rebuild, memo.documents_of(plan, documents), None
    else:
        key, docs, kept = memo.fleet(plan, documents, sources, own, on_machine, scoped) if memo else (None, (), None)
    if kept is not None:
        return FleetCheck(plan, kept.fleet, kept.reach, own, kept.findings, kept.crashed, key)
    crashes = Crashes(own.debug)
    fleet = assemble(documents, plan.configs, plan.workloads, sources, own.aliases, reparse, on_machine, scoped,
                     take=memo is None)  # nothing is kept for a next run: no copies of the documents' models
    reach = Reach(fleet)
    found = run_rules(Context(fleet, reach, documents, own.expect_domain, require_resolved=own.require_resolved,
                              extra_rules=(*plugin_rules()[0], *own.custom_rules)), crashes)
    if memo is not None:
        memo.keep(key, docs, fleet, reach, found, crashes.findings)
    return FleetCheck(plan, fleet, reach, own, found, crashes.findings, key)


def reparser(documents: dict[str, Document], sources: SourceCache, settings: Settings, resolve: SettingsFor):
    """Read a config again with an instance's environment, when it has a `$VAR` the plain
    read could not resolve; memoized per (config, environment)."""
    memo: dict[tuple, tuple[Document, list[Finding]]] = {}

    def lacks(path: str) -> bool:  # a `$VAR` unresolved, or one inside quotes (the instance's env judges it)
        return any(documents[p].quoted or any(f.code in PER_INSTANCE for f in documents[p].every_finding)
                   for p in with_includes(path, documents) if p in documents)

    def reparse(path: str, env: dict[str, str]) -> tuple[Document, list[Finding]]:
        if not lacks(path):
            return documents[path], []
        own = resolve(posixpath.dirname(path) or ".")
        merged = {**env, **own.env}  # the lint environment (--env, --env-file) comes last
        key = (path, tuple(sorted(merged.items())), own.env_visible)
        if key not in memo:
            loader = Loader(env=merged, env_visible=own.env_visible, nats_version=settings.nats_version,
                            strict_text=True, sources=sources)
            doc = loader.load(path)
            read = [d for d in loader.cache.values() if not d.path.startswith("$")]
            quoted_variables(read)
            memo[key] = (doc, [f for d in read for f in d.every_finding if f.code in PER_INSTANCE])
        return memo[key]

    return reparse


def _run_or_included(configs: list[str], not_nats: list[Skipped], workloads, sources: SourceCache
                     ) -> tuple[list[str], list[Skipped]]:
    """A file that a deployment runs is a NATS config, whatever it looks like."""
    run = {sources.realpath(path) for w in workloads for path, _ in w.config_paths}
    promoted = [s.path for s in not_nats if sources.realpath(s.path) in run]
    if not promoted:
        return configs, not_nats
    return sorted([*configs, *promoted]), [s for s in not_nats if s.path not in promoted]


def _parse(configs: list[str], sources: SourceCache, settings: Settings, resolve: SettingsFor,
           progress: Progress | None, memo: DocumentMemo | None = None, ahead: LexAhead | None = None
           ) -> tuple[dict[str, Document], list[str], list[Finding]]:
    """Every config parsed once (includes shared), with the environment of its folder's
    settings; the roots are the configs no other config includes."""
    groups: dict[int, tuple[Settings, list[str]]] = {}
    for path in configs:
        own = resolve(posixpath.dirname(path) or ".")
        groups.setdefault(id(own), (own, []))[1].append(path)
    documents: dict[str, Document] = {}
    included: set[str] = set()
    vanished: list[Finding] = []
    keys: dict[str, str] = {}
    done = 0
    for own, paths in groups.values():
        loader = Loader(env=own.env, env_visible=own.env_visible, nats_version=settings.nats_version,
                        strict_text=True, sources=sources, memo=memo)
        if ahead is not None:
            loader.prelexed = ahead
        vanished += _load_all(loader, paths, progress, done, len(configs))
        done += len(paths)
        for doc in loader.cache.values():
            if doc.path.startswith("$") or doc.missing or (doc.opaque and doc.root is None):
                continue  # environment values parsed as config values; files that are not there
            documents.setdefault(sources.display(doc.path), doc)
            included.update(loader.key(target) for _, target in doc.includes)
        keys.update((p, loader.key(p)) for p in paths)
    roots = [p for p in configs if keys[p] not in included]
    for doc in documents.values():  # judged again every run: a file read once may be reused
        doc.judged, doc.quoted_done = [], False
    for root in roots:  # a quoted `$NAME` is judged with every file its server reads
        quoted_variables([documents[p] for p in with_includes(root, documents) if p in documents])
    for doc in documents.values():  # one no root reaches (an include cycle): on its own
        quoted_variables([doc])
    return documents, roots, vanished


def _load_all(loader: Loader, configs: list[str], progress: Progress | None, done: int,
              total: int) -> list[Finding]:
    vanished: list[Finding] = []
    for n, path in enumerate(configs, 1):
        if progress is not None:
            progress(done + n, total)
        if loader.load(path).missing:
            vanished.append(UNREADABLE_FILE.at(file_start(path), f"skipped {path}: it vanished during the run"))
    return vanished
