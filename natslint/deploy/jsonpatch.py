"""RFC 6902 JSON Patch, as the NATS chart's own `jsonpatch` template applies it, with each
value's origin carried along.

The chart patches its config (and the values of `$tplYaml`) with a JSON Patch written in the
values.  A finding about a patched value must point at the patch operation that wrote it, so
every node of the document has an origin (where it was written: a values line, or the chart's
own default) keyed by its JSON pointer, and the operations move origins with the values.  A
library applies patches but keeps no such record, hence this small applier.
"""

from __future__ import annotations

import copy
from typing import Callable

Path = tuple  # a JSON pointer, parsed: keys (str) and list indices (int)
Origins = dict[Path, object]  # pointer -> where the node there was written


class PatchError(Exception):
    """A patch the chart's template would refuse (`fail`): helm stops with this message."""


def parse_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _step(node: object, part: str, pointer: str) -> object:
    if isinstance(node, dict):
        if part not in node:
            raise PatchError(f"path {pointer} does not exist")
        return node[part]
    if isinstance(node, list):
        index = _index(part, len(node), pointer)
        if index >= len(node):
            raise PatchError(f"path {pointer} does not exist")
        return node[index]
    raise PatchError(f"path {pointer} does not exist")


def _index(part: str, size: int, pointer: str) -> int:
    if part == "-":
        return size
    if not part.isdigit() or (part.startswith("0") and part != "0"):
        raise PatchError(f"invalid array index {part!r} in {pointer}")
    return int(part)


def _under(origins: Origins, prefix: Path) -> dict[Path, object]:
    n = len(prefix)
    return {p[n:]: o for p, o in origins.items() if p[:n] == prefix}


def _drop(origins: Origins, prefix: Path) -> None:
    n = len(prefix)
    for p in [p for p in origins if p[:n] == prefix]:
        del origins[p]


def _put(origins: Origins, prefix: Path, sub: dict[Path, object]) -> None:
    for p, o in sub.items():
        origins[prefix + p] = o


def _shift(origins: Origins, parent: Path, start: int, by: int) -> None:
    """List items at ``parent`` from ``start`` on move by ``by`` places."""
    n = len(parent)
    moved = {p: o for p, o in origins.items()
             if p[:n] == parent and len(p) > n and isinstance(p[n], int) and p[n] >= start}
    for p in moved:
        del origins[p]
    for p, o in moved.items():
        origins[parent + (p[n] + by,) + p[n + 1:]] = o


def apply(doc: dict, patch: list, origins: Origins, origin_of: Callable[[int, Path], object]) -> dict:
    """``doc`` patched by ``patch`` (a deep copy; ``doc`` is left as it is); ``origins`` is
    updated in place.  ``origin_of(i, sub)``: the origin of the node at ``sub`` inside operation
    ``i``'s `value` (an added value is written there)."""
    out = copy.deepcopy(doc)
    for i, op in enumerate(patch):
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("patch is missing op key")
        kind = op["op"]
        if kind not in ("add", "remove", "replace", "copy", "move", "test"):
            raise PatchError(f"patch has invalid op {kind}")
        if "path" not in op:
            raise PatchError("patch is missing path key")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"patch with op {kind} is missing value key")
        if kind in ("copy", "move") and "from" not in op:
            raise PatchError(f"patch with op {kind} is missing from key")
        pointer = str(op["path"])
        if kind == "test":
            if _get(out, pointer) != op["value"]:
                raise PatchError(f"testing value {pointer} failed")
            continue
        if kind in ("copy", "move"):
            source = str(op["from"])
            value = copy.deepcopy(_get(out, source))
            sub = _under(origins, _resolved(out, source))
            if kind == "move":
                _remove(out, source, origins)
            _add(out, pointer, value, origins, sub)
            continue
        if kind == "remove":
            _remove(out, pointer, origins)
            continue
        value = copy.deepcopy(op["value"])
        sub = {p: origin_of(i, p) for p in _paths(value)}
        if kind == "replace":
            _get(out, pointer)  # must exist
            _remove(out, pointer, origins)
        _add(out, pointer, value, origins, sub)
    return out


def _paths(value: object, at: Path = ()) -> list[Path]:
    out = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, at + (str(k),))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, at + (i,))
    return out


def _get(doc: dict, pointer: str) -> object:
    node: object = doc
    for part in parse_pointer(pointer):
        node = _step(node, part, pointer)
    return node


def _resolved(doc: dict, pointer: str) -> Path:
    """The pointer as a tuple of keys and indices, as they stand in ``doc``."""
    node: object = doc
    at: list = []
    for part in parse_pointer(pointer):
        if isinstance(node, list):
            index = _index(part, len(node), pointer)
            at.append(index)
            node = node[index] if index < len(node) else None
        else:
            at.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(at)


def _target(doc: dict, pointer: str, verb: str) -> tuple[Path, object, str]:
    """Where an operation acts: the pointer as a tuple, the container, the last part."""
    parts = parse_pointer(pointer)
    if not parts:
        raise PatchError(f"cannot {verb} the document's root")
    parent = _get(doc, "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts[:-1])) \
        if len(parts) > 1 else doc
    return _resolved(doc, pointer), parent, parts[-1]


def _add(doc: dict, pointer: str, value: object, origins: Origins, sub: dict[Path, object]) -> None:
    at, parent, last = _target(doc, pointer, "add at")
    if isinstance(parent, dict):
        _drop(origins, at)
        parent[last] = value
    elif isinstance(parent, list):
        index = _index(last, len(parent), pointer)
        if index > len(parent):
            raise PatchError(f"path {pointer} does not exist")
        at = at[:-1] + (index,)
        _shift(origins, at[:-1], index, 1)
        parent.insert(index, value)
    else:
        raise PatchError(f"path {pointer} does not exist")
    _put(origins, at, sub)


def _remove(doc: dict, pointer: str, origins: Origins) -> None:
    at, parent, last = _target(doc, pointer, "remove")
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path {pointer} does not exist")
        del parent[last]
        _drop(origins, at)
    elif isinstance(parent, list):
        index = _index(last, len(parent), pointer)
        if index >= len(parent):
            raise PatchError(f"path {pointer} does not exist")
        del parent[index]
        _drop(origins, at)
        _shift(origins, at[:-1], index + 1, -1)
    else:
        raise PatchError(f"path {pointer} does not exist")
