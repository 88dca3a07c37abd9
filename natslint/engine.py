"""The long-running engine the language server and `check --watch` keep between checks.

After an edit it redoes only what the edit touches.  When it is told which files changed (the
editor's buffers, the editor's or watchfiles' file events) and every changed file is either a
NATS config the last run parsed, read by no deployment reader, whose includes, names and
addresses are the same, or a `.env` that is a host of its own and still names the same server
(so the fleets are planned as before), it keeps the discovery, the other deployment files, the
fleet plan and every other document, reads the changed files (and the configs that include
them) again, and checks again only the fleets that hold them.  A compose file, or a plain
Kubernetes manifest (a folder's manifests: not a kustomization's or a chart's), takes the same
path when it still starts the same workloads, wired the same way, and holds the same configs:
its unit is read again and the fleets that hold it are checked again.  Anything else
(natslint.toml or a lint env file, a kustomization, a chart's values, a file created, deleted or
renamed, or no word on what changed) is a full run, which still reuses documents and fleets
whose files read the same (natslint.memo).  Either way the answer equals a cold `check` of the
same files."""

from __future__ import annotations

import gc
import os
from dataclasses import replace
from typing import Callable, Iterable, Mapping

from natslint.check import (
    Ask,
    Result,
    Stages,
    check_fleet,
    finish,
    reparser,
    run_stages,
)
from natslint.crash import Crashes
from natslint.deploy.envfile import read_envfile_workload
from natslint.deploy.read import read_compose_project, read_manifest_units, read_values_file
from natslint.deploy.workload import Workload
from natslint.discover import Discovery, accept_configs, kind_by_name
from natslint.fixing import settle
from natslint.fleet.instances import hosts_from_workloads
from natslint.fleet.model import Fleet
from natslint.fleet.partition import names_offered_and_used, with_includers
from natslint.memo import RunMemo
from natslint.sources import SourceCache
from natslint.syntax.builder import quoted_variables
from natslint.syntax.document import Document
from natslint.syntax.parser import Loader

# () -> the Ask of a full run: the project configs read again (they may have changed)
Configure = Callable[[], Ask]


class Engine:
    def __init__(self, configure: Configure) -> None:
        self.configure = configure
        self.memo = RunMemo()
        self.stages: Stages | None = None
        self.overlays: dict[str, str] = {}
        self.last = "none"  # how the last check ran: "full" or "edit" (tests and the benchmark)
        # files read from outside the checked paths (an include's `../`): no watcher reports them,
        # so they are looked at (size and time) before each edit's check
        self.outside: dict[str, tuple | None] = {}
        self.settings_files: set[str] = set()  # project configs and lint env files the last full run read

    def _outside_changed(self) -> set[str]:
        gone = {p for p, stamp in self.outside.items() if _stamp(p) != stamp}
        self.outside.update((p, _stamp(p)) for p in gone)
        return gone

    def check(self, overlays: Mapping[str, str] | None = None, changed: Iterable[str] | None = None) -> Result:
        """The workspace checked with ``overlays`` (absolute path -> an unsaved buffer's text)
        laid over the disk.  ``changed``: the absolute paths created, changed or deleted on
        disk since the last check; None when that is not known (a full run)."""
        # a check builds a large object graph: the cyclic collector would walk it again and
        # again during it (a long-running process collects when idle: collect())
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._check(overlays, changed)
        finally:
            if collecting:
                gc.enable()

    @staticmethod
    def collect() -> None:
        """Free what earlier checks left (fleets built again hold reference cycles).  The
        language server calls it when idle, --watch after printing: never inside a check."""
        gc.collect()

    def _check(self, overlays: Mapping[str, str] | None, changed: Iterable[str] | None) -> Result:
        overlays = {os.path.abspath(p): text for p, text in (overlays or {}).items()}
        stages = None
        self.memo.start()
        if changed is not None and self.stages is not None:
            touched = {p for p in map(os.path.abspath, changed) if p in self.settings_files or
                       _matters(self.stages, p)}
            touched |= {p for p in overlays.keys() | self.overlays.keys() if overlays.get(p) != self.overlays.get(p)}
            touched |= self._outside_changed()
            # the settings changed (a project config, a lint env file): the run is planned anew
            stages = None if touched & self.settings_files else edited(self.stages, touched, overlays, self.memo)
        self.last = "edit" if stages is not None else "full"
        if stages is None:
            ask = self.configure()
            stages = run_stages(ask, SourceCache(ask.root, overlays, ask.settings.max_bytes), self.memo)
            self.settings_files = ask.settings_files() if ask.settings_files is not None else set()
            self.outside = {p: _stamp(p) for p in [*stages.sources.read_paths(), *self.settings_files]
                            if not _covered(stages.ask, p)}
        self.stages, self.overlays = stages, overlays
        result = settle(finish(stages))
        self.memo.prune(result.documents)
        return result


def _stamp(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _covered(ask: Ask, path: str) -> bool:
    """Whether ``path`` lies under the paths checked (where watchers report changes)."""
    for given in ask.paths:
        top = os.path.normpath(os.path.join(ask.root, given))
        if path == top or path.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def _matters(prev: Stages, path: str) -> bool:
    """Whether a change reported at ``path`` can change the answer: a file the last run read,
    a project config or .gitignore, or a file discovery would take by its name, outside any
    folder it skips (a change in `.git/` or `node_modules/` is not a reason to plan anew)."""
    if path in prev.deploy_reads or prev.sources.seen(path):
        return True
    if os.path.basename(path) in ("natslint.toml", ".natslint.toml", ".gitignore"):
        return True
    if not _covered(prev.ask, path) or kind_by_name(path) is None:
        return False
    folder = os.path.dirname(path)
    while _covered(prev.ask, folder) and folder != os.path.normpath(prev.ask.root):
        if prev.ask.exclude(prev.sources.display(folder), True) is not None:
            return False
        folder = os.path.dirname(folder)
    return True


def edited(prev: Stages, touched: set[str], overlays: Mapping[str, str], memo: RunMemo) -> Stages | None:
    """The stages after an edit of the files ``touched`` (absolute paths), or None when the
    edit may change more than the files it touches and the fleets that hold them."""
    sources = prev.sources
    if not touched:  # nothing the answer depends on changed: everything is kept
        memo.documents.keep_all()
        memo.used.update(fc.key for fc in prev.fleets)
        return prev
    changed = {sources.display(p) for p in touched}
    configs = {p for p in changed if p in prev.documents}
    hosts = {p for p in changed if p in prev.deployed.host_env}
    composes = {p for p in changed - configs - hosts if p in _compose_files(prev)}
    manifests = {p for p in changed - configs - hosts - composes if p in _manifest_files(prev)}
    values = {p for p in changed - configs - hosts - composes - manifests if p in _values_files(prev)}
    others = {p for p in changed - configs - hosts - composes - manifests - values if p in _yaml_files(prev)}
    deployments = composes | manifests | values | others
    if not _edits_in_place(prev, configs, hosts | deployments, changed,
                           {t for t in touched if sources.display(t) not in deployments}):
        return None
    sources.refresh(touched, overlays)
    read_again = _deployments_read_again(prev, composes, manifests, values) if not others else \
        _deployments_read_again(prev, composes, set(), set(), _yaml_files(prev))
    if read_again is None:
        return None  # what decides where its fleets end changed: planned anew
    if any(_accepted(prev, p) != (p in prev.accepted) for p in configs if p in prev.found.sniff):
        return None  # a candidate now reads as another format (or as NATS): discovery's answer changed
    affected = with_includers(configs, prev.includers())
    documents = _reparsed(prev, affected, memo) if affected else dict(prev.documents)
    if documents is None:
        return None
    if any(names_offered_and_used(prev.documents[p], p, memo.models) !=
           names_offered_and_used(documents[p], p, memo.models) for p in affected):
        return None  # the fleets may end elsewhere: planned anew
    swapped = _hosts_read_again(prev, hosts)
    if swapped is None:
        return None
    swapped.update(read_again[0])
    hosts = hosts | deployments  # fleets that hold them are built again, with their new workloads
    if affected:
        _judge_quoted(prev.roots, documents, affected, prev.includers())
    memo.documents.keep_all()
    reparse = reparser(documents, sources, prev.ask.settings, prev.ask.resolve)
    fleets = []
    for fc in prev.fleets:
        if fc.plan.files & (affected | hosts):
            plan = replace(fc.plan, workloads=[swapped.get(id(w), w) for w in fc.plan.workloads])
            # a fleet whose host files changed gets the signature of what they now read
            fleets.append(check_fleet(plan, documents, sources, fc.settings, reparse, prev.on_machine, prev.scoped,
                                      memo, rebuild=None if fc.plan.files & hosts else fc.key))
        else:
            memo.used.add(fc.key)
            memo.reused += 1
            fleets.append(fc)
    deployed = replace(prev.deployed, secret_spans=read_again[2])
    if swapped:
        deployed = replace(deployed, workloads=[swapped.get(id(w), w) for w in deployed.workloads],
                           host_env={p: swapped.get(id(w), w) for p, w in deployed.host_env.items()})
    suppressions = {p: s for p, s in prev.suppressions.items() if p not in affected | hosts}
    return replace(prev, documents=documents, fleets=fleets, suppressions=suppressions, deployed=deployed,
                   plans=[fc.plan for fc in fleets], deploy_reads=prev.deploy_reads | read_again[1])


def _deployments_read_again(prev: Stages, composes: set[str], manifests: set[str], values: set[str],
                             every_yaml: set[str] | None = None) -> tuple[dict[int, Workload], set[str], list] | None:
    """The edited compose projects, manifest units and values files read again (with
    ``every_yaml``, every YAML file of the tree: a kustomization's or a declared release's
    files reach across folders): id of each old workload -> the new one, the files read, and
    every secret value's span; None when one of them changes what decides where its fleets end."""
    spans = prev.deployed.secret_spans
    composed = _compose_read_again(prev, composes) if composes else ({}, set())
    manifested = _manifests_read_again(prev, manifests) if manifests else ({}, set(), spans)
    if every_yaml:
        manifested = _manifests_read_again(prev, every_yaml, every=True)
    if composed is None or manifested is None:
        return None
    valued = _values_read_again(prev, values, manifested[2]) if values else manifested
    if valued is None:
        return None
    return {**composed[0], **manifested[0], **valued[0]}, composed[1] | manifested[1] | valued[1], valued[2]


def _edits_in_place(prev: Stages, configs: set[str], hosts: set[str], changed: set[str], touched: set[str]) -> bool:
    """Whether every changed file is either a NATS config of the last run, read as itself (not
    from a manifest), or a `.env` file read as a host of its own, that no deployment reader
    read or looked for otherwise, and still there."""
    return configs | hosts == changed and all(prev.sources.file_of(p) == p for p in configs) and \
        not (touched & prev.deploy_reads) and all(os.path.isfile(p) for p in touched)


def _hosts_read_again(prev: Stages, paths: set[str]) -> dict[int, Workload] | None:
    """The hosts of the changed `.env` files read again: id of the old workload -> the new one;
    None when one appears or goes, or what decides where its fleet ends changed (its kind,
    the server it names)."""
    swapped: dict[int, Workload] = {}
    for path in sorted(paths):
        old = prev.deployed.host_env[path]
        new = read_envfile_workload(prev.sources, path)
        if (old is None) != (new is None):
            return None
        if old is None or new is None:
            continue  # not a host before or after: nothing to check again
        new.unit = old.unit
        if _links_of(old) != _links_of(new):
            return None
        swapped[id(old)] = new
    return swapped


def _compose_files(prev: Stages) -> set[str]:
    return set().union(*(files for unit, files in prev.deployed.unit_files.items() if unit.startswith("compose:")))


def _compose_read_again(prev: Stages, paths: set[str]) -> tuple[dict[int, Workload], set[str]] | None:
    """The compose projects of the edited compose files read again: id of each old workload ->
    the new one, and the files read; None when a service appears or goes, or what decides
    where its fleet ends changed (names, networks, configs run, replicas, env files)."""
    swapped: dict[int, Workload] = {}
    sources, settings = prev.sources, prev.ask.settings
    sources.touched = set()
    try:
        for unit, files in sorted(prev.deployed.unit_files.items()):
            if not unit.startswith("compose:") or not files & paths:
                continue
            got = read_compose_project(unit, files, sources, settings.env, Crashes(settings.debug))
            if got is None or got[1] != prev.deployed.unit_env_files.get(unit):
                return None
            same = _swap([w for w in prev.deployed.workloads if w.unit == unit], got[0])
            if same is None:
                return None
            swapped.update(same)
        return swapped, set(sources.touched)
    finally:
        sources.touched = None


def _manifest_files(prev: Stages) -> set[str]:
    """The files of plain Kubernetes manifest units (a folder's manifests); a kustomization's or
    a chart's are planned anew when edited."""
    return set().union(*(files for unit, files in prev.deployed.unit_files.items() if unit.startswith("k8s:")))


def _manifests_read_again(prev: Stages, paths: set[str], every: bool = False
                          ) -> tuple[dict[int, Workload], set[str], list] | None:
    """The manifest units of the edited files read again (``every``: ``paths`` are every YAML
    file of the tree, read as the full run read them): id of each old workload -> the new one,
    the files read, and every secret value's span; None when a workload appears or goes, what
    decides where its fleet ends changed, or a config held in a ConfigMap or rendered by a chart
    changed (its document would be parsed anew)."""
    if every:
        files = set(paths)
        units = {u for u in prev.deployed.unit_files if not u.startswith(("compose:", "plain:", "systemd:"))} | \
            {w.unit for w in prev.deployed.workloads if w.path in files}
    else:
        units = {u for u, files in prev.deployed.unit_files.items() if u.startswith("k8s:") and files & paths}
        files = set().union(*(prev.deployed.unit_files[u] for u in units))
    sources = prev.sources
    sources.touched = set()
    try:
        got = read_manifest_units(files, sources, Crashes(prev.ask.settings.debug), prev.ask.releases if every else None)
        reads = set(sources.touched)
    finally:
        sources.touched = None
    if got is None or got.findings or got.skipped or \
            got.unit_files != {u: prev.deployed.unit_files[u] for u in units if u in prev.deployed.unit_files}:
        return None
    composed = set().union(*prev.deployed.unit_env_files.values())
    if every and got.env_files_used | composed != prev.deployed.env_files_used:
        return None  # a kustomization reads other env files: which `.env` files are hosts may change
    held = {k: (e.text, e.lines) for k, e in prev.deployed.embedded.items() if e.file in files or every}
    if {k: (e.text, e.lines) for k, e in got.embedded.items()} != held:
        return None
    swapped = _swap([w for w in prev.deployed.workloads if w.unit in units], got.workloads)
    if swapped is None:
        return None
    spans = [s for s in prev.deployed.secret_spans if s.path not in files] + got.secret_spans
    return swapped, reads, spans


def _yaml_files(prev: Stages) -> set[str]:
    """The YAML files the last run read as manifests or values (not compose files)."""
    return set(prev.found.yaml) - _compose_files(prev)


def _values_files(prev: Stages) -> set[str]:
    """Values files read on their own: not a declared release's (those render the NATS chart
    with the release's other values, and are planned anew when edited)."""
    return {p for p, inputs in prev.deployed.values_inputs.items() if not inputs[3]}


def _values_read_again(prev: Stages, paths: set[str], spans: list) -> tuple[dict[int, Workload], set[str], list] | None:
    """The edited values files read again: id of each old workload -> the new one, the files
    read, and every secret value's span; None when a workload appears or goes, what decides
    where its fleet ends changed, or a config the chart renders changed (it would be parsed anew)."""
    swapped: dict[int, Workload] = {}
    sources = prev.sources
    sources.touched = set()
    fresh: list = []
    try:
        for path in sorted(paths):
            got = read_values_file(path, prev.deployed.values_inputs[path], sources, Crashes(prev.ask.settings.debug))
            if got is None:
                return None
            held = {k: (e.text, e.lines) for k, e in prev.deployed.embedded.items() if e.file == path}
            if {k: (e.text, e.lines) for k, e in got.embedded.items()} != held:
                return None
            same = _swap([w for w in prev.deployed.workloads if w.unit == f"helm:{path}"], got.workloads)
            if same is None:
                return None
            swapped.update(same)
            fresh += got.secret_spans
        reads = set(sources.touched)
    finally:
        sources.touched = None
    return swapped, reads, [s for s in spans if s.path not in paths] + fresh


def _swap(old: list[Workload], new: list[Workload]) -> dict[int, Workload] | None:
    """Id of each old workload -> the one read again in its place; None when one appears or goes,
    or what decides where its fleet ends changed (its wiring, replicas, pod names)."""
    if [w.id for w in old] != [w.id for w in new]:
        return None
    for was, now in zip(old, new):
        if _links_of(was) != _links_of(now) or \
                (was.replicas, was.instance_names, was.pod_name) != (now.replicas, now.instance_names, now.pod_name):
            return None
    return {id(was): now for was, now in zip(old, new)}


def _links_of(w: Workload) -> tuple:
    """What partition reads from a host's workload: its kinds, names, and the server it names;
    for a WasmCloudHostConfig (the wasmcloud-host chart too), how its NATS leaf sidecar is made:
    the address it dials, its ports and its domain."""
    fleet = Fleet()
    hosts_from_workloads(fleet, [w])
    hc = w.host_config
    sidecar = tuple(getattr(getattr(hc, f), "value", None) for f in
                    ("leaf_node_domain", "nats_address", "nats_leafnode_port", "nats_client_port")) if hc else ()
    return (w.kind, w.unit, w.netns, w.runs_nats, sorted(w.names), [p for p, _ in w.config_paths],
            [(h.kind, h.endpoint_host.value) for h in fleet.hosts], sidecar)


def _accepted(prev: Stages, path: str) -> bool:
    one = Discovery(nats=[path], sniff={path: prev.found.sniff[path]})
    return bool(accept_configs(one, prev.sources)[0])


def _reparsed(prev: Stages, affected: set[str], memo: RunMemo) -> dict[str, Document] | None:
    """The documents with the affected ones parsed again, as a full run would parse them; None
    when that could differ from a full run (configs of two project settings share them, a file
    went missing, its includes changed)."""
    sources, ask = prev.sources, prev.ask
    configs = [p for p in prev.configs if p in affected]
    groups = {id(ask.resolve(os.path.dirname(p) or ".")) for p in configs}
    if len(groups) != 1:
        return None
    own = ask.resolve(os.path.dirname(configs[0]) or ".")
    loader = Loader(env=own.env, env_visible=own.env_visible, nats_version=ask.settings.nats_version,
                    strict_text=True, sources=sources, memo=memo.documents)
    for p in configs:
        loader.load(p)
    documents = dict(prev.documents)
    for doc in loader.cache.values():
        shown = sources.display(doc.path)
        old = prev.documents.get(shown)
        if doc.path.startswith("$") or old is doc:
            continue
        if old is None or shown not in affected or doc.missing or (doc.opaque and doc.root is None) or \
                [t for _, t in doc.includes] != [t for _, t in old.includes]:
            return None
        documents[shown] = doc
    return documents


def _judge_quoted(roots: list[str], documents: dict[str, Document], affected: set[str],
                  includers: dict[str, set[str]]) -> None:
    """The quoted `$NAME`s judged again, as a full run judges them: a file by the first server
    (in the roots' order) that reads it, with every file that server reads.  Only the servers
    that read an affected file judge anew, and only the files they judged first (and only
    files with a quoted `$NAME` have anything to judge)."""
    from natslint.fleet.partition import with_includes

    order = {r: i for i, r in enumerate(roots)}
    mine = sorted((r for r in affected if r in order), key=order.__getitem__)
    closure = {r: with_includes(r, documents) for r in mine}
    for r in mine:
        for p in closure[r]:
            doc = documents.get(p)
            if doc is None or not doc.quoted:
                continue
            first = min((x for x in with_includers({p}, includers) if x in order), key=order.__getitem__, default=r)
            if first == r:
                doc.judged, doc.quoted_done = [], False
    for r in mine:
        quoted_variables([documents[p] for p in closure[r] if p in documents])
    for p in sorted(affected):  # one no root reaches (an include cycle): on its own
        if p in documents:
            quoted_variables([documents[p]])
