"""Deployment units: which deployment files are started together.

- compose: a project is a file plus what compose merges onto it: the override files of a
  default-named base (`compose.override.yaml`, ...), the files its top-level `include:`
  names, or the files `COMPOSE_FILE` lists in the folder's `.env`.  Any other compose file
  in the folder is a project of its own (an alternative, never started together).
- Kubernetes: a kustomization no other kustomization references is a root, and holds every
  file it references, directly or through other kustomizations; other manifests form one
  unit per folder.
- Helm values: one release per values file.  systemd: one machine per folder of units.

A unit is named by its kind and key, e.g. ``compose:deploy/compose.yaml``.
"""

from __future__ import annotations

import os
import posixpath

from natslint.deploy.compose import compose_includes
from natslint.deploy.configmaps import Naming
from natslint.deploy.envfile import read_env_file
from natslint.deploy.workload import folder
from natslint.deploy.yamlfiles import as_list
from natslint.sources import SourceCache

COMPOSE_BASES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
COMPOSE_OVERRIDES = ("compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml",
                     "docker-compose.override.yml")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def compose_projects(files: dict[str, object], sources: SourceCache) -> dict[str, list[str]]:
    """Project (its first file) -> its files in merge order, for the compose files given
    (display path -> parsed document)."""
    member_of: dict[str, str] = {}
    projects: dict[str, list[str]] = {}

    def join(project: str, path: str) -> None:
        if path in files and path not in member_of:
            member_of[path] = project
            projects.setdefault(project, []).append(path)

    by_folder: dict[str, list[str]] = {}
    for path in sorted(files):
        by_folder.setdefault(folder(path), []).append(path)
    for where, paths in by_folder.items():
        listed = _compose_file_env(where, sources)
        if listed:
            first = posixpath.normpath(posixpath.join(where, listed[0]))
            for name in listed:
                join(first, posixpath.normpath(posixpath.join(where, name)))
        names = {posixpath.basename(p): p for p in paths}
        base = next((names[n] for n in COMPOSE_BASES if n in names), None)
        if base is not None:
            join(base, base)
            for n in COMPOSE_OVERRIDES:
                if n in names:
                    join(member_of[base], names[n])
    for path in sorted(files):  # includes, then every file left is a project of its own
        for inc in compose_includes(files[path]):
            join(member_of.get(path, path), posixpath.normpath(posixpath.join(folder(path), inc)))
        join(path, path)
    return projects


def _compose_file_env(where: str, sources: SourceCache) -> list[str]:
    """COMPOSE_FILE from the folder's .env: the files compose merges, in order."""
    env_path = posixpath.join(where, ".env")
    if not sources.is_file(env_path):
        return []
    env = {v.name: v.value for v in read_env_file(sources, env_path)}
    value = env.get("COMPOSE_FILE")
    if not value:
        return []
    sep = env.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return [p for p in value.split(sep) if p]


def _kustomizations(files: dict[str, list]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Kustomization folder -> its file, and -> the folders and files it references, in order."""
    kustomizations = {folder(p): p for p in files if posixpath.basename(p) in KUSTOMIZATIONS}
    refs: dict[str, list[str]] = {}
    for where, path in kustomizations.items():
        doc = files[path][0] if files[path] else {}
        targets: list[str] = []
        for key in ("resources", "bases", "components", "patchesStrategicMerge", "crds"):
            for item in as_list(doc.get(key) if isinstance(doc, dict) else None):
                target = item.get("path") if isinstance(item, dict) else item
                if isinstance(target, str) and "://" not in target:
                    targets.append(posixpath.normpath(posixpath.join(where, target)))
        refs[where] = targets
    return kustomizations, refs


def kustomization_refs(files: dict[str, list]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Kustomization folder -> its file, and -> the folders and files it references."""
    return _kustomizations(files)


def kustomize_builds(files: dict[str, list]) -> tuple[dict[str, Naming], list[str]]:
    """What the kustomizations do to names: every file a kustomization reaches -> its
    :class:`Naming` (the outer kustomizations' prefix, suffix and namespace applied), and
    the kustomization files bases first (a generator's ``behavior: merge`` acts on what its
    bases generated)."""
    kustomizations, refs = _kustomizations(files)
    referenced = {t for ts in refs.values() for t in ts if t in kustomizations}
    naming: dict[str, Naming] = {}
    order: list[str] = []
    for root in sorted(set(kustomizations) - referenced):
        _visit(root, Naming(), (root,), kustomizations, refs, files, naming, order)
    return naming, order


def _visit(where: str, outer: Naming, stack: tuple[str, ...], kustomizations: dict[str, str],
           refs: dict[str, list[str]], files: dict[str, list], naming: dict[str, Naming], order: list[str]) -> None:
    # a module-level function, not a closure: a nested function that calls itself is a cycle,
    # which would keep every YAML document of the tree alive with the collector off
    path = kustomizations[where]
    doc = files[path][0] if files[path] and isinstance(files[path][0], dict) else {}
    own = outer.inside(doc)
    naming.setdefault(path, own)
    for t in refs.get(where, ()):
        if t in kustomizations and t not in stack:
            _visit(t, own, (*stack, t), kustomizations, refs, files, naming, order)
        elif t in files:
            naming.setdefault(t, own)
    if path not in order:
        order.append(path)


def kustomize_units(files: dict[str, list]) -> dict[str, str]:
    """YAML file -> its kustomization root's folder, for every file a root reaches (given the
    parsed documents of every YAML file, by display path)."""
    kustomizations, refs = _kustomizations(files)
    referenced = {t for ts in refs.values() for t in ts if t in kustomizations}
    out: dict[str, str] = {}
    for root in sorted(set(kustomizations) - referenced):
        for path in reached(root, kustomizations, refs):
            if path in files:
                out.setdefault(path, root)
    return out


def reached(where: str, kustomizations: dict[str, str], refs: dict[str, list[str]]) -> list[str]:
    """Every file the kustomization in folder ``where`` reaches, its own and those of the
    kustomizations it references (each once), in the order kustomize visits them."""
    out: list[str] = []
    stack, seen = [where], set()
    while stack:
        here = stack.pop()
        if here in seen:
            continue
        seen.add(here)
        out.append(kustomizations[here])
        for t in refs.get(here, ()):
            if t in kustomizations:
                stack.append(t)
            else:
                out.append(t)
    return out


OBJECT_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job", "Service", "ConfigMap"}


def alternatives(files: dict[str, list], unit_of: dict[str, str]) -> dict[str, str]:
    """Manifests of one folder that no kustomization joins, each defining an object (kind,
    namespace, name) another of them defines too, cannot both be applied: they are
    alternatives (standalone examples), each a unit of its own, like compose alternatives."""
    owners: dict[tuple, set[str]] = {}
    for path, docs in files.items():
        if not unit_of.get(path, "").startswith("k8s:"):
            continue
        for d in docs:
            meta = d.get("metadata") if isinstance(d, dict) else None
            if isinstance(meta, dict) and d.get("kind") in OBJECT_KINDS and isinstance(meta.get("name"), str):
                ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else "default"
                owners.setdefault((unit_of[path], d["kind"], ns, meta["name"]), set()).add(path)
    return {p: f"k8s:{p}" for paths in owners.values() if len(paths) > 1 for p in paths}
