"""Only the fleets a change touches: what `natslint check --fleets-of FILE...` reports.

The whole tree is checked (a fleet is judged whole, never a file alone); then the report keeps
the fleets that hold a changed file. A file that is gone (deleted, or staged for deletion) was
held by the fleets whose folder contains it, the nearest ones; a project config (natslint.toml,
pyproject.toml) touches every fleet under its folder.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import subprocess

from natslint.check import FleetCheck, Result

PROJECT_CONFIGS = ("natslint.toml", ".natslint.toml", "pyproject.toml")


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace(os.sep, "/"))


def _inside(path: str, folder: str) -> bool:
    return folder in ("", ".") or path == folder or path.startswith(folder.rstrip("/") + "/")


def staged_deletions(cwd: str) -> list[str]:
    """Files the index deletes, relative to ``cwd`` (none outside a git repository)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True,
                             timeout=30)
        gone = subprocess.run(["git", "diff", "--cached", "--name-only", "--diff-filter=D", "-z"], cwd=cwd,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    if top.returncode != 0 or gone.returncode != 0:
        return []
    root = top.stdout.strip()
    return [os.path.relpath(os.path.join(root, p), cwd) for p in gone.stdout.split("\0") if p]


def _files(fc: FleetCheck) -> set[str]:
    return {_norm(f.split("#", 1)[0]) for f in fc.plan.files}


def touched(result: Result, changed: list[str], deleted: list[str]) -> list[FleetCheck]:
    """The fleets that hold a changed file, or held a deleted one."""
    chosen: list[FleetCheck] = []
    for raw in changed:
        path = _norm(raw)
        if posixpath.basename(path) in PROJECT_CONFIGS:
            chosen += [fc for fc in result.fleets if _inside(_norm(fc.plan.root), posixpath.dirname(path))]
        else:
            chosen += [fc for fc in result.fleets if path in _files(fc)]
    for raw in deleted:
        path = _norm(raw)
        holders = [fc for fc in result.fleets if _inside(path, _folder(fc))]
        if holders:
            deepest = max(len(_folder(fc)) for fc in holders)
            chosen += [fc for fc in holders if len(_folder(fc)) == deepest]
    return [fc for fc in result.fleets if any(fc is c for c in chosen)]


def _folder(fc: FleetCheck) -> str:
    return _norm(fc.plan.root)  # the folder common to its files


def only_fleets_of(result: Result, changed: list[str], deleted: list[str]) -> Result:
    """The result narrowed to the fleets a change touches, and to findings in their files or in
    the changed files themselves."""
    fleets = touched(result, changed, deleted)
    keep = set().union(*(_files(fc) for fc in fleets), {_norm(p) for p in changed})
    findings = [f for f in result.findings if _norm(f.span.path.split("#", 1)[0]) in keep]
    return dataclasses.replace(result, findings=findings, fleets=fleets)


def outside_fleets(result: Result, changed: list[str]) -> list[str]:
    """The changed files that no fleet reads: --fleets-of says so rather than pass over them."""
    read = set().union(*(_files(fc) for fc in result.fleets)) if result.fleets else set()
    return [p for p in changed if _norm(p) not in read]
