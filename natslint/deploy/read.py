"""Run the deployment readers over a discovery: each file read and parsed once, every
workload tagged with its deployment unit (:mod:`natslint.deploy.units`)."""

from __future__ import annotations

from typing import Mapping

from natslint.codes import UNREADABLE_FILE
from natslint.crash import Crashes, file_start
from natslint.deploy.compose import looks_like_compose, merge_services, read_compose
from natslint.deploy.envfile import read_envfile_workload
from natslint.deploy.helm import looks_like_nats_chart_values, read_nats_chart_values
from natslint.deploy.kubernetes import (
    ConfigMaps,
    config_maps,
    looks_like_kubernetes,
    read_kubernetes,
)
from natslint.deploy.systemd import merge_drop_ins, read_systemd
from natslint.deploy.units import compose_projects, folder, kustomize_units
from natslint.deploy.workload import ReadResult, Workload
from natslint.deploy.yamlfiles import load_yaml
from natslint.discover import Discovery, Skipped
from natslint.paths import TooLarge
from natslint.sources import SourceCache

_FIX = "please report this file's shape; the rest of the fleet was checked"


def _load(sources: SourceCache, path: str) -> tuple[list, str | None]:
    try:
        return load_yaml(sources.text(path))
    except (OSError, ValueError) as exc:  # a decoding error is a ValueError
        return [], str(exc)
    except TooLarge as exc:
        return [], f"file is {exc.args[0]} bytes, over the {sources.max_bytes}-byte limit (--max-file-size)"


def read_deployments(found: Discovery, sources: SourceCache, env: Mapping[str, str],
                     crashes: Crashes) -> ReadResult:
    """Every workload the deployment files describe.  A file natslint cannot read is a
    finding (compose files, by name) or a skipped file (other YAML), never the end of the run."""
    out = ReadResult()
    parsed: dict[str, list] = {}
    for path, by_name in [(p, True) for p in found.compose] + [(p, False) for p in found.yaml]:
        docs, error = _load(sources, path)
        if error and by_name:
            out.findings.append(UNREADABLE_FILE.at(file_start(path), f"skipped {path}: {error}"))
        elif error:  # not a compose file by name: maybe a template; say so, do not fail
            out.skipped.append(Skipped(path, error))
        elif docs:
            parsed[path] = docs
    compose = {p: d[0] for p, d in parsed.items() if p in found.compose or looks_like_compose(d[0])}
    _read_compose(compose, sources, env, crashes, out)
    manifests = {p: d for p, d in parsed.items() if p not in compose}
    _read_manifests(manifests, crashes, out)
    units = [w for w in (read_systemd(sources, p) for p in found.systemd) if w is not None]
    for w in merge_drop_ins(units):
        w.unit = f"systemd:{folder(w.id)}"
        out.workloads.append(w)
    for path in found.envfiles:
        if out.env_files_used and sources.realpath(path) in out.env_files_used:
            continue  # compose's own .env: interpolation input, not a host of its own
        w = read_envfile_workload(sources, path)
        if w is not None:
            w.unit = f"plain:{folder(path)}"
            out.workloads.append(w)
    return out


def _read_compose(files: dict[str, object], sources: SourceCache, env: Mapping[str, str], crashes: Crashes,
                  out: ReadResult) -> None:
    for project, paths in compose_projects(files, sources).items():
        services: list[Workload] = []
        for path in paths:
            res = crashes.guard(path, f"natslint could not read {path}", _FIX, read_compose, path, files[path],
                                sources, env, project)
            if res is not None:
                services.extend(res.workloads)
                out.env_files_used |= res.env_files_used
        for w in merge_services(services):
            w.unit = f"compose:{project}"
            out.workloads.append(w)
        out.unit_files.setdefault(f"compose:{project}", set()).update(paths)


def _read_manifests(files: dict[str, list], crashes: Crashes, out: ReadResult) -> None:
    """Kubernetes manifests and chart values, each tagged with its unit; ConfigMaps are
    looked up within the unit."""
    roots = kustomize_units(files)
    unit_of = {p: f"kustomize:{roots[p]}" if p in roots else f"k8s:{folder(p)}" for p in files}
    maps: dict[str, ConfigMaps] = {}
    for path, docs in files.items():
        maps.setdefault(unit_of[path], {}).update(config_maps(path, docs))
        if unit_of[path].startswith("kustomize:") or \
                (not looks_like_nats_chart_values(docs[0]) and looks_like_kubernetes(docs)):
            out.unit_files.setdefault(unit_of[path], set()).add(path)
    for path, docs in files.items():
        what = f"natslint could not read {path}"
        if looks_like_nats_chart_values(docs[0]):
            chart = crashes.guard(path, what, _FIX, read_nats_chart_values, path, docs[0])
            if chart is not None:
                chart.unit = f"helm:{path}"
                out.workloads.append(chart)
        elif looks_like_kubernetes(docs):
            res = crashes.guard(path, what, _FIX, read_kubernetes, path, docs, maps.get(unit_of[path], {}))
            for w in res.workloads if res is not None else ():
                w.unit = unit_of[path]
                out.workloads.append(w)


