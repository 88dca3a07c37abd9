"""Run the deployment readers over a discovery: each file read and parsed once."""

from __future__ import annotations

from typing import Mapping

from natslint.codes import UNREADABLE_FILE
from natslint.crash import Crashes, file_start
from natslint.deploy.compose import looks_like_compose, read_compose
from natslint.deploy.envfile import read_envfile_workload
from natslint.deploy.helm import looks_like_nats_chart_values, read_nats_chart_values
from natslint.deploy.kubernetes import (
    ConfigMaps,
    config_maps,
    looks_like_kubernetes,
    read_kubernetes,
)
from natslint.deploy.systemd import merge_drop_ins, read_systemd
from natslint.deploy.workload import ReadResult
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
    yaml_files = [(path, True, *_load(sources, path)) for path in found.compose] + \
                 [(path, False, *_load(sources, path)) for path in found.yaml]
    maps: ConfigMaps = {}
    for path, _, docs, error in yaml_files:
        if docs and not error:
            maps.update(config_maps(path, docs))
    for path, by_name, docs, error in yaml_files:
        if error:
            if by_name:
                out.findings.append(UNREADABLE_FILE.at(file_start(path), f"skipped {path}: {error}"))
            else:  # not a compose file by name: maybe a template; say so, do not fail
                out.skipped.append(Skipped(path, error))
            continue
        if docs:
            _read_yaml(path, by_name, docs, maps, sources, env, crashes, out)
    units = [w for w in (read_systemd(sources, p) for p in found.systemd) if w is not None]
    out.workloads.extend(merge_drop_ins(units))
    for path in found.envfiles:
        if out.env_files_used and sources.realpath(path) in out.env_files_used:
            continue  # compose's own .env: interpolation input, not a host of its own
        w = read_envfile_workload(sources, path)
        if w is not None:
            out.workloads.append(w)
    return out


def _read_yaml(path: str, by_name: bool, docs: list, maps: ConfigMaps, sources: SourceCache,
               env: Mapping[str, str], crashes: Crashes, out: ReadResult) -> None:
    what = f"natslint could not read {path}"
    if by_name or looks_like_compose(docs[0]):
        res = crashes.guard(path, what, _FIX, read_compose, path, docs[0], sources, env)
        if res is not None:
            out.workloads.extend(res.workloads)
            out.env_files_used |= res.env_files_used
    elif looks_like_nats_chart_values(docs[0]):
        chart = crashes.guard(path, what, _FIX, read_nats_chart_values, path, docs[0])
        if chart is not None:
            out.workloads.append(chart)
    elif looks_like_kubernetes(docs):
        res = crashes.guard(path, what, _FIX, read_kubernetes, path, docs, maps)
        if res is not None:
            out.workloads.extend(res.workloads)
