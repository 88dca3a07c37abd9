"""Run the deployment readers over a discovery: each file read and parsed once, every
workload tagged with its deployment unit (:mod:`natslint.deploy.units`)."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Callable, Mapping

from natslint.codes import UNREADABLE_FILE
from natslint.crash import Crashes, file_start
from natslint.deploy.envfile import read_envfile_workload
from natslint.deploy.workload import ReadResult, Workload, folder
from natslint.deploy.yamlfiles import YamlError, as_list, as_map, load_yaml
from natslint.discover import Discovery, Skipped, not_nats
from natslint.paths import TooLarge
from natslint.redact import is_secret_key
from natslint.sources import SourceCache
from natslint.span import Span

if TYPE_CHECKING:
    from natslint.deploy.charts import Release
    from natslint.deploy.kubernetes import ConfigMaps

# The readers of compose files, manifests, charts and units load when a tree holds such a file:
# a fleet of plain configs (the common pre-commit case) does not pay for importing them.

_FIX = "please report this file's shape; the rest of the fleet was checked"


def _load(sources: SourceCache, path: str) -> tuple[list, str | None]:
    try:
        return load_yaml(sources.text(path))
    except (OSError, ValueError) as exc:  # a decoding error is a ValueError
        return [], str(exc)
    except TooLarge as exc:
        return [], f"file is {exc.args[0]} bytes, over the {sources.max_bytes}-byte limit (--max-file-size)"


def read_deployments(found: Discovery, sources: SourceCache, env: Mapping[str, str],
                     crashes: Crashes, release_of: Callable[[str], str | None] | None = None,
                     standalone: bool = True) -> ReadResult:
    """Every workload the deployment files describe.  A file natslint cannot read is a
    finding (compose files, by name) or a skipped file (other YAML), never the end of the run.
    ``standalone=False`` leaves out the `.env` files that are hosts of their own (the caller
    reads them with read_host_env_files, to know which files they read)."""
    out = ReadResult()
    parsed: dict[str, list] = {}
    for path, by_name in [(p, True) for p in found.compose] + [(p, False) for p in found.yaml]:
        docs, error = _load(sources, path)
        if error and by_name:
            where = Span(path, 0, 0, error.line, error.col, error.line, error.col + 1) \
                if isinstance(error, YamlError) else file_start(path)
            out.findings.append(UNREADABLE_FILE.at(where, f"skipped {path}: {error}"))
        elif error:  # not a compose file by name: maybe a template; say so, do not fail
            out.skipped.append(Skipped(path, error))
        elif docs:
            parsed[path] = docs
    if parsed:
        from natslint.deploy.compose import looks_like_compose

        compose = {p: d[0] for p, d in parsed.items() if p in found.compose or looks_like_compose(d[0])}
        _read_compose(compose, sources, env, crashes, out)
        manifests = {p: d for p, d in parsed.items() if p not in compose}
        _read_manifests(manifests, sources, crashes, out, release_of)
    if found.systemd:
        from natslint.deploy.systemd import merge_drop_ins, read_systemd

        units = [w for w in (read_systemd(sources, p) for p in found.systemd) if w is not None]
        for w in merge_drop_ins(units):
            w.unit = f"systemd:{folder(w.id)}"
            out.workloads.append(w)
    if standalone:
        read_host_env_files(found, sources, out)
    out.secret_spans = secret_spans(out.workloads)
    return out


def secret_spans(workloads: list[Workload]) -> list[Span]:
    """A Kubernetes env `value:` sits under its `name:`: no line shows that it is a secret."""
    return [v.span for w in workloads if w.kind == "k8s" for v in w.env.values()
            if is_secret_key(v.name) and v.value and v.span.line == v.span.end_line and v.span.end_col > v.span.col]


def read_manifest_units(paths: set[str], sources: SourceCache, crashes: Crashes,
                        release_of: Callable[[str], str | None] | None = None) -> ReadResult | None:
    """Whole units of Kubernetes manifests and values files (a folder's manifests, or every
    YAML file of the tree for kustomizations and declared releases, which reach across folders)
    read again as a full run reads them; None when one of them no longer reads."""
    files: dict[str, list] = {}
    for path in sorted(paths):
        docs, error = _load(sources, path)
        if error or not docs:
            return None
        files[path] = docs
    out = ReadResult()
    _read_manifests(files, sources, crashes, out, release_of)
    out.secret_spans = secret_spans(out.workloads)
    return out


def read_values_file(path: str, inputs: tuple, sources: SourceCache, crashes: Crashes) -> ReadResult | None:
    """One values file read again as a full run reads it, with what that run took from the other
    files (``inputs``: ReadResult.values_inputs); None when it no longer reads as values."""
    from natslint.deploy.charts import looks_like_values, read_values

    docs, error = _load(sources, path)
    if error or not docs or not looks_like_values(docs[0]):
        return None
    release, chart, aliases, consumed = inputs
    installed = crashes.guard(path, f"natslint could not read {path}", _FIX, read_values, path, docs[0], release,
                              chart, aliases, consumed)
    if installed is None:
        return None
    out = ReadResult()
    for w in installed:
        w.unit = f"helm:{path}"
        out.workloads.append(w)
        out.embedded.update(w.rendered)
    out.secret_spans = secret_spans(out.workloads)
    return out


def read_host_env_files(found: Discovery, sources: SourceCache, out: ReadResult) -> None:
    """The `.env` files that configure a host or wadm of their own (not compose's interpolation
    input, nor a kustomize generator's): one workload each, last in ``out.workloads``."""
    for path in found.envfiles:
        if out.env_files_used and sources.realpath(path) in out.env_files_used:
            continue  # compose's own .env: interpolation input, not a host of its own
        w = read_envfile_workload(sources, path)
        out.host_env[path] = w
        if w is not None:
            w.unit = f"plain:{folder(path)}"
            out.workloads.append(w)


def _read_compose(files: dict[str, object], sources: SourceCache, env: Mapping[str, str], crashes: Crashes,
                  out: ReadResult) -> None:
    from natslint.deploy.units import compose_projects

    for project, paths in compose_projects(files, sources).items():
        workloads, env_files = _project(project, paths, files, sources, env, crashes)
        out.workloads += workloads
        out.env_files_used |= env_files
        out.unit_env_files[f"compose:{project}"] = env_files
        out.unit_files.setdefault(f"compose:{project}", set()).update(paths)


def _project(project: str, paths: list[str], files: dict[str, object], sources: SourceCache,
             env: Mapping[str, str], crashes: Crashes) -> tuple[list[Workload], set[str]]:
    """One compose project's services, each merged over its files; the env files it read."""
    from natslint.deploy.compose import merge_services, read_compose

    services: list[Workload] = []
    env_files: set[str] = set()
    for path in paths:
        res = crashes.guard(path, f"natslint could not read {path}", _FIX, read_compose, path, files[path],
                            sources, env, project)
        if res is not None:
            services.extend(res.workloads)
            env_files |= res.env_files_used
    merged = merge_services(services)
    for w in merged:
        w.unit = f"compose:{project}"
    return merged, env_files


def read_compose_project(unit: str, paths: set[str], sources: SourceCache, env: Mapping[str, str],
                         crashes: Crashes) -> tuple[list[Workload], set[str]] | None:
    """A compose project read again on its own (after an edit of one of its files), as a full
    read reads it; None when that could differ: a file no longer loads or reads as compose,
    the project's files would group otherwise, or the reader failed."""
    from natslint.deploy.compose import looks_like_compose
    from natslint.deploy.units import compose_projects

    files: dict[str, object] = {}
    for path in sorted(paths):
        docs, error = _load(sources, path)
        if error or not docs or not looks_like_compose(docs[0]):
            return None
        files[path] = docs[0]
    projects = compose_projects(files, sources)
    if list(projects) != [unit.split(":", 1)[1]]:
        return None
    before = len(crashes.findings)
    got = _project(unit.split(":", 1)[1], projects[unit.split(":", 1)[1]], files, sources, env, crashes)
    return None if len(crashes.findings) != before else got


def _read_manifests(files: dict[str, list], sources: SourceCache, crashes: Crashes, out: ReadResult,
                    release_of: Callable[[str], str | None] | None = None) -> None:
    """Kubernetes manifests and chart values, each tagged with its unit; a pod's ConfigMaps
    (written in a manifest, or generated by a kustomization) are looked up within its unit."""
    from natslint.deploy.charts import looks_like_values, read_values
    from natslint.deploy.configmaps import Naming, manifest_config_maps
    from natslint.deploy.kubernetes import looks_like_kubernetes, read_kubernetes, services_of
    from natslint.deploy.releases import chart_of
    from natslint.deploy.units import alternatives, kustomize_builds, kustomize_units

    files, patch_files = _patched(files, crashes, out)
    releases = _releases(files, release_of)
    roots = kustomize_units(files)
    naming, builds = kustomize_builds(files)
    unit_of = {p: f"kustomize:{roots[p]}" if p in roots else f"k8s:{folder(p)}" for p in files}
    unit_of.update(alternatives(files, unit_of))
    maps: dict[str, ConfigMaps] = {}
    own: dict[str, ConfigMaps] = {}  # a manifest's own ConfigMaps come first (alternative examples in one folder)
    for path, docs in files.items():
        if unit_of[path].startswith("kustomize:") or \
                (not looks_like_values(docs[0]) and looks_like_kubernetes(docs) and not _only_releases(docs)):
            out.unit_files.setdefault(unit_of[path], set()).add(path)
        if looks_like_kubernetes(docs) and path not in patch_files:  # a patch changes another object
            got = crashes.guard(path, f"natslint could not read the ConfigMaps of {path}", _FIX,
                                manifest_config_maps, path, sources.text(path), docs)
            written, embedded = got if got is not None else ([], {})
            out.embedded.update(embedded)
            for cm in written:
                cm.namespace = naming.get(path, Naming()).ns(cm.namespace or None)
                maps.setdefault(unit_of[path], {})[(cm.namespace, cm.name)] = cm
                own.setdefault(path, {})[(cm.namespace, cm.name)] = cm
    _generated(files, builds, naming, unit_of, sources, crashes, out, maps)
    out.config_maps = maps
    consumed = _chart_releases(files, sources, crashes, out, maps)
    services = {p: services_of(docs, naming.get(p, Naming())) for p, docs in files.items()  # a unit's Services
                if looks_like_kubernetes(docs) and p not in patch_files}
    for path, docs in files.items():
        what = f"natslint could not read {path}"
        if looks_like_values(docs[0]):
            chart, aliases = chart_of(path, files)
            out.values_inputs[path] = (releases.get(path), chart, aliases, path in consumed)
            installed = crashes.guard(path, what, _FIX, read_values, path, docs[0], releases.get(path), chart, aliases,
                                      path in consumed)
            for w in installed or ():
                w.unit = f"helm:{path}"
                out.workloads.append(w)
                out.embedded.update(w.rendered)
        elif looks_like_kubernetes(docs) and path not in patch_files:
            res = crashes.guard(path, what, _FIX, read_kubernetes, path, docs,
                                {**maps.get(unit_of[path], {}), **own.get(path, {})}, naming.get(path),
                                [sv for p, svs in services.items() if p != path and unit_of[p] == unit_of[path]
                                 for sv in svs])
            for w in res.workloads if res is not None else ():
                w.unit = unit_of[path]
                out.workloads.append(w)
    _wanted(out)


def _wanted(out: ReadResult) -> None:
    """The embedded configs natslint parses: those a pod runs, and keys named like a NATS config."""
    run = {p for w in out.workloads for p, _ in w.config_paths}
    others = {p: w.image or w.id for w in out.workloads for p in w.other_configs}
    for vpath, emb in out.embedded.items():
        reason = not_nats(emb.text) if vpath.lower().endswith(".conf") and vpath not in run else None
        if vpath in others and vpath not in run:
            reason = f"the config of {others[vpath]}, which is not nats-server"
        if vpath in run or (vpath.lower().endswith(".conf") and reason is None):
            out.wanted.add(vpath)
        elif reason is not None:
            out.skipped.append(Skipped(vpath, reason))


def _patched(files: dict[str, list], crashes: Crashes, out: ReadResult) -> tuple[dict[str, list], set[str]]:
    """The manifests with their kustomize patches applied, and the patch files."""
    from natslint.deploy.kpatch import patched_files

    got = crashes.guard(next(iter(sorted(files)), ""), "natslint could not apply the kustomize patches", _FIX,
                        patched_files, files)
    files, patch_files, missed = got if got is not None else (files, set(), [])
    out.skipped += [Skipped(p, f"a kustomize patch of {k} whose target is not in the checked files")
                    for p, k in missed]
    return files, patch_files


def _generated(files: dict[str, list], builds: list[str], naming: dict[str, Naming], unit_of: dict[str, str],
               sources: SourceCache, crashes: Crashes, out: ReadResult, maps: dict[str, ConfigMaps]) -> None:
    """The ConfigMaps kustomizations generate, bases first: `behavior: merge` acts on what a
    base made."""
    from natslint.deploy.configmaps import generated_config_maps, merge_generated

    for path in builds:
        got = crashes.guard(path, f"natslint could not read the generators of {path}", _FIX,
                            generated_config_maps, path, as_map(files[path][0]), naming[path], sources)
        if got is None:
            continue
        generated, problems, env_files = got
        out.env_files_used |= {sources.realpath(f) for f in env_files}
        for cm in generated:
            merge_generated(maps.setdefault(unit_of[path], {}), cm)
        out.findings += [UNREADABLE_FILE.at(span, message) for span, message in problems]


def _chart_releases(files: dict[str, list], sources: SourceCache, crashes: Crashes, out: ReadResult,
                    maps: dict[str, ConfigMaps]) -> set[str]:
    """The pods of the NATS chart releases that helmfiles, Argo CD and Flux declare; returns
    the values files they read (their NATS values are not read again file by file)."""
    from natslint.deploy.chartrelease import declared_releases, release_unit, rendered_releases

    first = next(iter(sorted(files)), "")
    all_maps = {k: cm for unit in maps.values() for k, cm in unit.items()}
    declared = crashes.guard(first, "natslint could not read the chart releases", _FIX,
                             declared_releases, files, sources.text, all_maps) or []
    got = crashes.guard(first, "natslint could not render the chart releases", _FIX, rendered_releases, declared, files)
    rendered, consumed = got if got is not None else ([], set())
    for w in rendered:
        out.workloads.append(w)
        out.embedded.update(w.rendered)
        for r in declared:
            if release_unit(r) == w.unit:
                out.unit_files.setdefault(w.unit, set()).update({w.path, r.declared, *r.reads})
    for r in declared:  # a manifest that holds a release's values belongs to the release
        for path in r.reads:
            for key in [k for k, files in out.unit_files.items() if path in files and k != release_unit(r)]:
                out.unit_files[key].discard(path)
                if not out.unit_files[key]:
                    del out.unit_files[key]
    return consumed


def _releases(files: dict[str, list], release_of: Callable[[str], str | None] | None) -> dict[str, Release]:
    """Values file -> the release installed with it: `[[releases]]` in natslint.toml first,
    then a helmfile's `releases`, then an Argo CD Application's `helm.valueFiles`."""
    from natslint.deploy.chartrelease import HELMFILES
    from natslint.deploy.charts import Release

    out: dict[str, Release] = {}
    for path, docs in sorted(files.items()):
        where = folder(path)
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            if posixpath.basename(path) in HELMFILES or posixpath.basename(where) == "helmfile.d":
                for r in as_list(doc.get("releases")):
                    if isinstance(r, dict) and isinstance(r.get("name"), str):
                        for v in as_list(r.get("values")):
                            if isinstance(v, str):
                                out.setdefault(posixpath.normpath(posixpath.join(where, v)),
                                               Release(r["name"], r.get("namespace"), path))
            elif doc.get("kind") == "Application" and str(doc.get("apiVersion", "")).startswith("argoproj.io/"):
                spec = as_map(doc.get("spec"))
                meta = as_map(doc.get("metadata"))
                for src in [as_map(spec.get("source")), *map(as_map, as_list(spec.get("sources")))]:
                    helm = as_map(src.get("helm"))
                    name = helm.get("releaseName") or meta.get("name")
                    for v in as_list(helm.get("valueFiles")):
                        if not isinstance(v, str) or not isinstance(name, str):
                            continue
                        want = posixpath.normpath(posixpath.join(str(src.get("path") or ""), v))
                        for candidate in files:
                            if candidate == want or candidate.endswith("/" + want):
                                out.setdefault(candidate, Release(name, as_map(spec.get("destination")).get(
                                    "namespace"), path))
    if release_of is not None:
        for path in files:
            name = release_of(path)
            if name is not None:
                out[path] = Release(name, None, "natslint.toml")
    return out


RELEASE_KINDS = {"Application", "ApplicationSet", "HelmRelease", "AppProject"}


def _only_releases(docs: list) -> bool:
    """Argo CD and Flux resources only: they install releases (read as their own units) and
    run nothing themselves."""
    kinds = [d.get("kind") for d in docs if isinstance(d, dict) and "kind" in d]
    return bool(kinds) and all(isinstance(k, str) and k in RELEASE_KINDS for k in kinds)
