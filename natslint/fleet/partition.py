"""Where one fleet ends: the files of a tree split into the fleets that run together.

A fleet starts from deployment units (:mod:`natslint.deploy.units`: a compose project, a
kustomization root, a folder of manifests or units, a chart release) and from folders of
plain configs that no deployment runs.  A config joins the unit of every deployment that
runs it.  Units are then joined where one names a server that only another offers
(`nats-leaf://hub:7422` in `leaf/` and `server_name: hub` in `hub/`), choosing the nearest
folder and never guessing between two equally near ones.  Declared fleets (`[[fleets]]`)
replace the guess for the files they list.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Callable

from natslint.deploy.workload import Workload
from natslint.fleet.assemble import unlinked
from natslint.fleet.build import config_of
from natslint.fleet.groups import Groups
from natslint.fleet.resolve import NAMESPACED, dns_variants, release_names
from natslint.fleet.servers import (
    LOOPBACK_HOSTS,
    WILDCARD_HOSTS,
    parse_url,
    server_from_document,
)
from natslint.sources import SourceCache
from natslint.syntax.document import Document


@dataclass(slots=True)
class FleetPlan:
    """One fleet to check on its own: its configs, workloads and where it was found."""

    name: str
    kind: str  # compose | kustomize | k8s | helm | systemd | plain | declared
    root: str  # the folder common to its files
    configs: list[str] = field(default_factory=list)  # root configs, display paths
    workloads: list[Workload] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # every file it reads (includes too)


@dataclass(slots=True)
class _Unit:
    """Files that belong together before names join them: a project, a folder, a release."""

    key: str
    configs: list[str] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    files: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def folder(self) -> str:
        where = self.key.split(":", 1)[1]
        return posixpath.dirname(where) if self.kind in ("compose", "helm") else where


def _folder(path: str) -> str:
    return posixpath.dirname(path) or "."


def partition(documents: dict[str, Document], roots: list[str], workloads: list[Workload], sources: SourceCache,
              aliases_for: Callable[[str], dict[str, str]], unit_files: dict[str, set[str]] | None = None,
              declared: dict[str, str] | None = None, projects: list[str] | None = None,
              models: dict[int, tuple] | None = None) -> list[FleetPlan]:
    """The fleets of a tree.  ``aliases_for(folder)``: the DNS aliases in force there;
    ``unit_files``: the deployment files of each unit; ``declared``: file -> the name of the
    declared fleet that lists it; ``models``: the names and links read from each document,
    kept between runs by a long-running process (id -> (document, server))."""
    units = _units(roots, workloads, sources, unit_files or {})
    for key, files in (unit_files or {}).items():
        units.setdefault(key, _Unit(key)).files |= files
    for u in units.values():
        for path in u.configs:  # an embedded config is read from its manifest
            u.files |= {sources.file_of(p) for p in with_includes(path, documents)}
        u.files |= {w.path for w in u.workloads}
    groups = Groups(units)
    _join_by_names(units, groups, documents, sources, aliases_for, projects or [], models)
    owner: dict[str, str] = {}
    for key, u in units.items():  # declared fleets take their units whole
        names = {declared[f] for f in u.files if declared and f in declared}
        for name in sorted(names):
            first = owner.setdefault(name, key)
            groups.join(key, first)
    members: dict[str, list[_Unit]] = {}
    for key in units:
        members.setdefault(groups.find(key), []).append(units[key])
    declared_name = {groups.find(k): n for n, k in owner.items()}
    return sorted((_plan(us, declared_name.get(root)) for root, us in members.items()), key=lambda p: p.name)


def _units(roots: list[str], workloads: list[Workload], sources: SourceCache,
           unit_files: dict[str, set[str]]) -> dict[str, _Unit]:
    units: dict[str, _Unit] = {}
    unit_of_file = {f: key for key, files in unit_files.items() for f in files}
    by_real = {sources.realpath(p): p for p in roots}
    run: set[str] = set()
    for w in workloads:
        u = units.setdefault(w.unit or f"plain:{_folder(w.path)}", _Unit(w.unit or f"plain:{_folder(w.path)}"))
        u.workloads.append(w)
        for path, _ in w.config_paths:
            config = config_of(w, path, by_real, sources)
            if config is not None and config not in u.configs:
                u.configs.append(config)
                run.add(config)
    for path in roots:
        if path not in run:  # a config in a ConfigMap no pod runs: the unit of its manifest
            key = unit_of_file.get(sources.file_of(path)) or f"plain:{_folder(path)}"
            units.setdefault(key, _Unit(key)).configs.append(path)
    return units


def with_includes(path: str, documents: dict[str, Document]) -> set[str]:
    """A config and every file it includes, directly or not."""
    out, stack = set(), [path]
    while stack:
        p = stack.pop()
        if p in out:
            continue
        out.add(p)
        doc = documents.get(p)
        if doc is not None:
            stack.extend(target for _, target in doc.includes)
    return out


def includers_of(documents: dict[str, Document]) -> dict[str, set[str]]:
    """File -> the configs that include it directly (with_includes the other way round)."""
    out: dict[str, set[str]] = {}
    for path, doc in documents.items():
        for _, target in doc.includes:
            out.setdefault(target, set()).add(path)
    return out


def with_includers(paths: set[str], includers: dict[str, set[str]]) -> set[str]:
    """The files and every config that includes one of them, directly or not."""
    out, stack = set(), list(paths)
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(includers.get(p, ()))
    return out


def _project_of(folder: str, projects: list[str]) -> str:
    """The innermost project folder (one with a natslint.toml) holding ``folder``."""
    inside = [p for p in projects if p == "." or folder == p or folder.startswith(p + "/")]
    return max(inside, key=len, default="")


def _names_and_links(doc: Document, path: str, models: dict[int, tuple] | None):
    """A document's server model, for its names and links: read once per document object."""
    if models is None:
        return server_from_document(doc, path, names_and_links=True)
    hit = models.get(id(doc))
    if hit is None or hit[0] is not doc or hit[1] != path:
        hit = models[id(doc)] = (doc, path, server_from_document(doc, path, names_and_links=True))
    return hit[2]


def names_offered_and_used(doc: Document, path: str, models: dict[int, tuple] | None = None) -> tuple:
    """Everything of a config that deciding where fleets end reads (as `_join_by_names` does):
    when an edit leaves it the same, the fleets are planned as before."""
    s = _names_and_links(doc, path, models)
    urls = [url for r in s.remotes for url, _ in r.urls] + [r.url for r in s.routes] + [url for url, _ in s.gateway_urls]
    return (s.unnamed_release, s.any_namespace, sorted(n.lower() for n in s.names | s.file_names),
            sorted(n.lower() for ns in s.scoped_names.values() for n in ns),
            sorted(li.host.lower() for li in s.listeners if li.host), sorted({parse_url(url, None)[0] for url in urls}))


def _join_by_names(units: dict[str, _Unit], groups: Groups, documents: dict[str, Document], sources: SourceCache,
                   aliases_for: Callable[[str], dict[str, str]], projects: list[str],
                   models: dict[int, tuple] | None = None) -> None:
    """Join a unit to the nearest other unit that offers a name it uses but does not offer;
    never across a project boundary (a folder with its own natslint.toml)."""
    offers: dict[str, set[str]] = {}  # name -> units offering it to others
    local: dict[str, set[str]] = {}
    needs: dict[str, set[str]] = {}
    file_units: dict[str, set[str]] = {}  # real path of a config or deployment file -> its units
    unnamed: list[tuple[str, str]] = []  # (unit, chart) of Helm releases whose name is not known
    bare: dict[str, set[str]] = {}  # Service name of a Helm release -> units offering it in any namespace
    for key, u in units.items():
        for f in [*u.configs, *(w.path for w in u.workloads)]:
            file_units.setdefault(sources.realpath(f), set()).add(key)
        servers = [_names_and_links(documents[p], p, models) for p in u.configs if p in documents]
        fleet = unlinked(documents, [], u.workloads, sources)  # what the deployments add: names, sidecars, hosts
        mine = local.setdefault(key, set())
        wanted = needs.setdefault(key, set())
        for s in [*servers, *fleet.servers]:
            if s.unnamed_release:
                unnamed.append((key, s.unnamed_release))
            offered = {n.lower() for n in s.names | s.file_names}
            mine |= offered | {n.lower() for ns in s.scoped_names.values() for n in ns}
            mine |= {li.host.lower() for li in s.listeners if li.host}
            for n in offered:
                offers.setdefault(n, set()).add(key)
                if s.any_namespace:  # a Helm release answers as `<svc>.<its namespace>...` too
                    bare.setdefault(n, set()).add(key)
            urls = [url for r in s.remotes for url, _ in r.urls] + [r.url for r in s.routes] + \
                [url for url, _ in s.gateway_urls]
            wanted |= {parse_url(url, None)[0] for url in urls}
        wanted |= {h.endpoint_host.value.lower() for h in fleet.hosts if isinstance(h.endpoint_host.value, str)}
    seen_aliases: set[int] = set()
    for u in units.values():
        aliases = aliases_for(u.folder)
        if id(aliases) in seen_aliases:
            continue
        seen_aliases.add(id(aliases))
        for alias, target in aliases.items():
            owners = file_units.get(sources.realpath(target), set()) | \
                {k for k, names in local.items() if target.lower() in names}
            for k in owners:
                offers.setdefault(alias.lower(), set()).add(k)
    for key, wanted in needs.items():
        mine = _project_of(units[key].folder, projects)

        def here(offering: set[str]) -> set[str]:  # never across a project boundary
            return {c for c in offering - {key} if _project_of(units[c].folder, projects) == mine}

        for name in sorted(wanted - local[key] - LOOPBACK_HOSTS - WILDCARD_HOSTS):
            candidates = here(set().union(*(offers.get(v, set()) for v in dns_variants(name))))
            if not candidates and NAMESPACED.fullmatch(name):  # `<release svc>.<its namespace>`
                candidates = here(bare.get(name.split(".", 1)[0], set()))
            # a release beside it whose name is not known could be it: nearer than a name offered elsewhere
            beside = here({u for u, chart in unnamed if release_names(name, chart) and units[u].folder == units[key].folder})
            if beside and not any(units[c].folder == units[key].folder for c in candidates):
                candidates = beside
            if candidates:
                nearest = _nearest(units[key].folder, [units[c] for c in sorted(candidates)])
                if nearest is not None:
                    groups.join(key, nearest.key)


def _nearest(where: str, candidates: list[_Unit]) -> _Unit | None:
    def shared(u: _Unit) -> int:
        a, b = where.split("/"), u.folder.split("/")
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    best = max(shared(u) for u in candidates)
    top = [u for u in candidates if shared(u) == best]
    return top[0] if len(top) == 1 else None


def _plan(units: list[_Unit], declared: str | None) -> FleetPlan:
    units = sorted(units, key=lambda u: u.key)
    files = set().union(*(u.files for u in units))
    inside = [_folder(f) for f in files if not posixpath.isabs(f) and not f.startswith("../")]
    root = (posixpath.commonpath(inside) if inside else "") or "."
    if declared:
        kind, name = "declared", declared
    elif len(units) == 1:
        kind, name = units[0].kind, units[0].key.split(":", 1)[1]
    else:
        kinds = [u.kind for u in units if u.kind != "plain"]
        kind, name = (kinds[0] if kinds else "plain"), root
    plan = FleetPlan(name, kind, root or ".", files=files)
    for u in units:
        plan.configs += [c for c in u.configs if c not in plan.configs]
        plan.workloads += u.workloads
    return plan
