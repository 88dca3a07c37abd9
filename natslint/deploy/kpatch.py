"""Kustomize patches applied to their targets, as `kustomize build` applies them: a patch file
is no manifest of its own, it changes the object it names.

- strategic merge (`patchesStrategicMerge`, or `patches` whose file is an object): maps merged
  key by key, lists of named things merged by their key (containers, env and volumes by `name`,
  volume mounts by `mountPath`, ports by `containerPort`), any other list replaced; `$patch:
  delete` on a list item removes it;
- JSON 6902 (`patchesJson6902`, or `patches` with a `target`): the operations, on every object
  the target selects (kind, name, namespace).

A patch whose target is not in the tree is left unapplied, and `--show-files` lists it as
skipped with that reason.
"""

from __future__ import annotations

import copy
import posixpath
from dataclasses import dataclass
from typing import Mapping

from natslint.deploy.yamlfiles import as_list, as_map

MERGE_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip")


@dataclass(slots=True)
class Patch:
    kustomization: str  # the kustomization file that lists it
    file: str | None  # the patch file (None: written inline)
    docs: list  # strategic merge objects, or JSON 6902 operations
    target: Mapping | None = None  # JSON 6902 / `patches` target selector


def patches_of(kustomization: str, doc: Mapping, files: dict[str, list]) -> list[Patch]:
    """Every patch one kustomization lists, in the order kustomize applies them."""
    where = posixpath.dirname(kustomization)
    out: list[Patch] = []

    def load(ref: object) -> tuple[str | None, list]:
        if not isinstance(ref, str):
            return None, []
        path = posixpath.normpath(posixpath.join(where, ref))
        return path, list(files.get(path) or [])

    for item in as_list(doc.get("patchesStrategicMerge")):
        path, docs = load(item)
        out.append(Patch(kustomization, path, docs))
    for item in as_list(doc.get("patchesJson6902")):
        item = as_map(item)
        path, docs = load(item.get("path"))
        ops = docs[0] if docs and isinstance(docs[0], list) else as_list(item.get("patch"))
        out.append(Patch(kustomization, path, list(ops), as_map(item.get("target"))))
    for item in as_list(doc.get("patches")):
        item = as_map(item)
        path, docs = load(item.get("path"))
        if not docs and isinstance(item.get("patch"), str):
            from ruamel.yaml import YAML

            docs = [d for d in YAML(typ="safe").load_all(item["patch"])]
        if docs and isinstance(docs[0], list):
            out.append(Patch(kustomization, path, list(docs[0]), as_map(item.get("target"))))
        else:
            out.append(Patch(kustomization, path, docs, as_map(item.get("target")) or None))
    return out


def _selects(target: Mapping | None, doc: Mapping, like: Mapping | None = None) -> bool:
    meta = as_map(doc.get("metadata"))
    if like is not None:  # a strategic merge patch names its target by its own kind and name
        lmeta = as_map(like.get("metadata"))
        return doc.get("kind") == like.get("kind") and meta.get("name") == lmeta.get("name") and \
            (lmeta.get("namespace") in (None, meta.get("namespace")))
    target = target or {}
    return all(target.get(k) in (None, v) for k, v in (("kind", doc.get("kind")), ("name", meta.get("name")),
                                                      ("namespace", meta.get("namespace"))))


def apply_patches(docs: list, patches: list[Patch]) -> tuple[list, list[str]]:
    """``docs`` (a kustomization's objects) with ``patches`` applied (copies; the inputs are left
    as they are), and the patch files that found no target."""
    out = [copy.deepcopy(d) for d in docs]
    unapplied: list[str] = []
    for p in patches:
        hit = False
        if p.target is not None and p.docs and all(isinstance(op, Mapping) and "op" in op for op in p.docs):
            from natslint.deploy.jsonpatch import PatchError, apply

            for i, d in enumerate(out):
                if isinstance(d, Mapping) and _selects(p.target, d):
                    try:
                        out[i] = apply(dict(d), list(p.docs), {}, lambda i, sub: None)
                        hit = True
                    except PatchError:
                        pass
        else:
            for patch in p.docs:
                for i, d in enumerate(out):
                    if isinstance(d, Mapping) and isinstance(patch, Mapping) and \
                            (_selects(p.target, d) if p.target else _selects(None, d, patch)):
                        out[i] = merge(d, patch)
                        hit = True
        if not hit and p.file:
            unapplied.append(p.file)
    return out, unapplied


def merge(base: object, patch: object) -> object:
    """The strategic merge of ``patch`` into ``base``."""
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        out = copy.copy(base)  # ruamel's maps keep their line marks: findings stay located
        for k, v in patch.items():
            if k == "$patch":
                continue
            out[k] = merge(out[k], v) if k in out else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(patch, list):
        key = _merge_key(base + patch)
        if key is None:
            return copy.deepcopy(patch)
        out = copy.deepcopy(base)
        for item in patch:
            at = next((i for i, b in enumerate(out) if isinstance(b, Mapping) and b.get(key) == item.get(key)), None)
            if item.get("$patch") == "delete":
                if at is not None:
                    del out[at]
            elif at is None:
                out.append(copy.deepcopy(item))
            else:
                out[at] = merge(out[at], item)
        return out
    return copy.deepcopy(patch)


def _merge_key(items: list) -> str | None:
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    return next((k for k in MERGE_KEYS if all(k in i for i in items)), None)


def patched_files(files: dict[str, list]) -> tuple[dict[str, list], set[str], list[tuple[str, str]]]:
    """Every manifest as the kustomizations that reach it patch it (bases first), the patch
    files (no manifests of their own), and (patch file, kustomization) of each patch that found
    no target in the tree."""
    from natslint.deploy.units import folder, kustomization_refs, kustomize_builds, reached

    kustomizations, refs = kustomization_refs(files)
    _, order = kustomize_builds(files)
    listed = {k: patches_of(k, files[k][0], files) for k in order if files.get(k) and isinstance(files[k][0], Mapping)}
    patch_files = {p.file for ps in listed.values() for p in ps if p.file}
    out = dict(files)
    missed: list[tuple[str, str]] = []
    for k, patches in listed.items():
        if not patches:
            continue
        targets = [f for f in reached(folder(k), kustomizations, refs)
                   if f in out and f not in patch_files and f not in kustomizations.values()]
        hits: set[str] = set()
        for f in targets:
            patched, unapplied = apply_patches(out[f], patches)
            hits |= {p.file for p in patches if p.file and p.file not in unapplied}
            out[f] = patched
        missed += [(p.file, k) for p in patches if p.file and p.file not in hits]
    return out, patch_files, missed
