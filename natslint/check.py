"""The main job, as one pipeline over a whole tree:

    discover -> parse -> read deployments -> assemble -> reach -> rules -> select and suppress

:func:`check_paths` returns a typed :class:`Result` and never renders: reporters, ``graph``,
the job summary and ``prove`` all read the Result (its fleet, its reachability, its source
cache) and never rebuild or re-read anything.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

from natslint import parallel
from natslint.codes import (
    QUOTED_VARIABLE,
    UNDEFINED_QUOTED_VARIABLE,
    UNDEFINED_VARIABLE,
    UNREADABLE_FILE,
)
from natslint.crash import Crashes, file_start
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.deploy.read import read_deployments
from natslint.discover import (
    Discovery,
    Exclude,
    Skipped,
    accept_configs,
    builtin_exclude,
    discover,
)
from natslint.findings import Finding, Related, Severity
from natslint.fleet.assemble import assemble
from natslint.fleet.model import Fleet
from natslint.fleet.partition import FleetPlan, partition, with_includes
from natslint.fleet.reach import Reach
from natslint.memo import RunMemo
from natslint.redact import mask_urls
from natslint.rules.context import Context
from natslint.rules.runner import run_rules
from natslint.selection import (
    Policy,
    Suppression,
    apply,
    fold_consequences,
    suppressions_in,
    suppressions_in_comments,
)
from natslint.sources import SourceCache
from natslint.syntax.builder import quoted_variables
from natslint.syntax.document import Document
from natslint.syntax.parser import DocumentMemo, Loader, lex_files, prelexed

# What a config's `$VAR`s mean depends on the environment of the instance that runs it: these
# findings come from reading the config again with each instance's environment.
PER_INSTANCE = {UNDEFINED_VARIABLE.code, QUOTED_VARIABLE.code, UNDEFINED_QUOTED_VARIABLE.code}

# Below this many configs a second process costs more than it saves.
PARALLEL_MIN_CONFIGS = 300
# The part of the files this process lexes itself: it also builds every document, so the
# other process (which only lexes) takes the larger part.
OWN_SHARE = 0.42

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Settings:
    env: dict[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    fail_on: Severity = Severity.WARNING
    nats_version: str = DEFAULT_NATS_VERSION
    aliases: dict[str, str] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    expect_domain: str | None = None
    debug: bool = False  # a crashing reader or rule raises instead of becoming NL000
    require_resolved: bool = False  # NL406 an error for the links the domain rules need


@dataclass(slots=True)
class FleetCheck:
    """One fleet of the tree, as assembled and checked, with the settings in force for it."""

    plan: FleetPlan
    fleet: Fleet
    reach: Reach
    settings: Settings


@dataclass(slots=True)
class Result:
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
                                                  "unknown_config")} for k in kinds}
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
    settings = settings or Settings()
    resolve = settings_for or (lambda _folder: settings)
    sources = SourceCache(root, overlays, settings.max_bytes)
    crashes = Crashes(settings.debug)
    found = discover(paths, root, exclude, force_exclude)
    configs, not_nats = accept_configs(found, sources)
    deployed = read_deployments(found, sources, settings.env, crashes, releases)
    for vpath, emb in deployed.embedded.items():  # every key, so includes find their siblings
        sources.embed(vpath, emb.text, emb.file)
    for w in deployed.workloads:  # volumes a pod mounts inside its config's folder
        for where, target in w.mounts:
            sources.mount(where, target)
    configs = [*configs, *sorted(deployed.wanted)]
    configs, not_nats = _run_or_included(configs, not_nats, deployed.workloads, sources)
    documents, roots, vanished = _parse(configs, sources, settings, resolve, progress,
                                        memo.documents if memo is not None else None)
    not_nats = [s for s in not_nats if s.path not in documents]  # read after all: a config includes it
    listed = {}
    if declared is not None:
        files = [*documents, *found.compose, *found.yaml, *found.envfiles, *found.systemd]
        listed = {f: name for f in files if (name := declared(f)) is not None}
    plans = partition(documents, roots, deployed.workloads, sources, lambda f: resolve(f).aliases,
                      deployed.unit_files, listed, found.projects, memo.models if memo is not None else None)
    on_machine = {p: m for p in roots if machines is not None and (m := machines(p)) is not None}
    scoped = machine_aliases() if machine_aliases is not None and on_machine else {}
    fleets, rule_findings = _check_fleets(plans, documents, sources, settings, resolve, crashes, on_machine, scoped,
                                          memo)
    # a $VAR in a config that deployments run is judged in each instance's environment
    run = set().union(*(with_includes(s.path, documents) for fc in fleets for s in [*fc.fleet.servers, *fc.fleet.unseen]
                        if s.instance_of and not s.synthetic))
    parsed = [f for path, d in documents.items() for f in d.every_finding
              if not (path in run and f.code in PER_INSTANCE)]
    lacking = _per_location([f for fc in fleets for f in fc.fleet.instance_findings])
    raw = [*vanished, *parsed, *lacking, *deployed.findings, *crashes.findings,
           *_once(rule_findings, [label for fc in fleets for label in fc.fleet.instance_labels()])]
    shown = _select(raw, documents, found, sources, settings, resolve)
    return Result(shown, documents, found, roots, fleets, sources, [*found.skipped, *not_nats, *deployed.skipped],
                  _by_line(deployed.secret_spans))


def _check_fleets(plans, documents: dict[str, Document], sources: SourceCache, settings: Settings,
                  resolve: SettingsFor, crashes: Crashes, on_machine: dict, scoped: dict,
                  memo: RunMemo | None) -> tuple[list[FleetCheck], list[Finding]]:
    """Each fleet assembled, its reachability worked out and its rules run (or, with a memo,
    taken from the run that did so on the same files)."""
    fleets: list[FleetCheck] = []
    rule_findings: list[Finding] = []
    reparse = _reparser(documents, sources, settings, resolve)
    for plan in plans:
        own = resolve(plan.root)
        key, docs, kept = memo.fleet(plan, documents, sources, own, on_machine, scoped) if memo else (None, (), None)
        if kept is not None:
            fleet, reach, found = kept.fleet, kept.reach, kept.findings
            crashes.findings += kept.crashed
        else:
            before = len(crashes.findings)
            fleet = assemble(documents, plan.configs, plan.workloads, sources, own.aliases, reparse, on_machine,
                             scoped)
            reach = Reach(fleet)
            found = run_rules(Context(fleet, reach, documents, own.expect_domain,
                                      require_resolved=own.require_resolved), crashes)
            if memo is not None:
                memo.keep(key, docs, fleet, reach, found, crashes.findings[before:])
        fleets.append(FleetCheck(plan, fleet, reach, own))
        rule_findings += found
    return fleets, rule_findings


def _by_line(spans: list) -> dict[str, dict[int, list[tuple[int, int]]]]:
    """Secret values the readers located: path -> line -> 0-based column ranges."""
    out: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for span in spans:
        out.setdefault(span.path, {}).setdefault(span.line, []).append((span.col - 1, span.end_col - 1))
    return out


def _reparser(documents: dict[str, Document], sources: SourceCache, settings: Settings, resolve: SettingsFor):
    """Read a config again with an instance's environment, when it has a `$VAR` the plain
    read could not resolve; memoized per (config, environment)."""
    memo: dict[tuple, tuple[Document, list[Finding]]] = {}

    def lacks(path: str) -> bool:
        return any(f.code in PER_INSTANCE for p in with_includes(path, documents)
                   if p in documents for f in documents[p].every_finding)

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


def _per_location(findings: list[Finding]) -> list[Finding]:
    """NL004 of the instances: one finding a place, naming every instance that lacks it."""
    by_place: dict[tuple, list[Finding]] = {}
    for f in findings:
        base, _, who = f.message.rpartition(" (in ")
        by_place.setdefault((f.span.path, f.span.start, f.severity, base), []).append(f)
    out = []
    for (_, _, _, base), group in by_place.items():
        names = sorted({f.message.rpartition(" (in ")[2].rstrip(")") for f in group})
        out.append(replace(group[0], message=f"{base} (in {', '.join(names)})"))
    return out


def _run_or_included(configs: list[str], not_nats: list[Skipped], workloads, sources: SourceCache
                     ) -> tuple[list[str], list[Skipped]]:
    """A file that a deployment runs is a NATS config, whatever it looks like."""
    run = {sources.realpath(path) for w in workloads for path, _ in w.config_paths}
    promoted = [s.path for s in not_nats if sources.realpath(s.path) in run]
    if not promoted:
        return configs, not_nats
    return sorted([*configs, *promoted]), [s for s in not_nats if s.path not in promoted]


def _once(findings: list[Finding], instances: list[str]) -> list[Finding]:
    """One finding per problem and location: a file that several fleets share, or a config
    that several instances run (replicas, services sharing it), is reported once; the other
    instances' words join it as related notes at the same place.  ``instances``: the labels
    of instance servers and hosts, which alone tell such findings apart."""
    labels = sorted(set(instances), key=len, reverse=True)

    def problem(message: str) -> str:
        for label in labels:
            if label in message:
                message = message.replace(label, "\x00")
        return message

    first: dict[tuple, int] = {}
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.span.path, f.span.start, f.span.line, f.span.col, problem(f.message))
        at = first.get(key)
        if at is None:
            first[key] = len(out)
            out.append(f)
        elif f.message != out[at].message and len(out[at].related) < 8 and \
                all(r.message != f.message for r in out[at].related):
            out[at] = replace(out[at], related=(*out[at].related, Related(f.span, f"also: {f.message}")))
    return out


def _parse(configs: list[str], sources: SourceCache, settings: Settings, resolve: SettingsFor,
           progress: Progress | None, memo: DocumentMemo | None = None
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
    # With many files, a second process lexes the later part while this one parses the
    # earlier part; the files are still loaded here in the same order, so the output is the
    # same byte for byte.  The child inherits the source cache: no file is read twice.
    split, pending = len(configs), None
    if len(configs) >= PARALLEL_MIN_CONFIGS and parallel.available() and loader.memo is None:
        split = int(len(configs) * OWN_SHARE)
        pending = parallel.start(lex_files, configs[split:], loader, codec="marshal")
    try:
        for n, path in enumerate(configs, 1):
            if n == split + 1 and pending is not None:
                loader.prelexed = prelexed(pending.result())
            if progress is not None:
                progress(done + n, total)
            if loader.load(path).missing:
                vanished.append(UNREADABLE_FILE.at(file_start(path), f"skipped {path}: it vanished during the run"))
    finally:
        if pending is not None:
            pending.close()
    loader.prelexed.clear()
    return vanished


def _select(raw: list[Finding], documents: dict[str, Document], found: Discovery, sources: SourceCache,
            settings: Settings, resolve: SettingsFor) -> list[Finding]:
    """The findings to show: policy and inline suppressions applied, secrets masked."""
    suppressions: dict[str, list[Suppression]] = {}
    if settings.policy.use_suppressions:
        for path, doc in documents.items():
            if sources.file_of(path) == path:  # an embedded config's comments are its manifest's
                suppressions[path] = suppressions_in_comments(path, doc.text, doc.comments, doc.root is not None)
        for path in (*found.compose, *found.yaml, *found.envfiles, *found.systemd):
            if sources.seen(path):
                suppressions[path] = suppressions_in(path, "\n".join(sources.lines(path)))
    # each file's findings and suppressions under the policy of its own project config
    def policy_of(path: str) -> Policy:
        return resolve(posixpath.dirname(path) or ".").policy

    groups: dict[int, tuple[Policy, list[Finding], dict[str, list[Suppression]]]] = {}
    for f in raw:
        pol = policy_of(f.span.path)
        groups.setdefault(id(pol), (pol, [], {}))[1].append(f)
    for path, sups in suppressions.items():
        pol = policy_of(path)
        groups.setdefault(id(pol), (pol, [], {}))[2][path] = sups
    shown = [f for pol, found_here, sups in groups.values() for f in apply(found_here, sups, pol)]
    return sorted((_redacted(f) for f in fold_consequences(shown, settings.policy)), key=Finding.sort_key)


def _redacted(f: Finding) -> Finding:
    """A finding's words quote no secret (rules never interpolate one); a URL's userinfo in
    them is masked.  Fix texts are help: never masked."""
    return replace(f, message=mask_urls(f.message), notes=tuple(map(mask_urls, f.notes)),
                   related=tuple(Related(r.span, mask_urls(r.message)) for r in f.related))
