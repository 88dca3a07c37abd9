"""The typed document model: what a NATS config means, with where each part was written.

Maps keep every entry in order, duplicates included, so rules can say "this later block
silently replaced the earlier one"; lookups follow the server (the last assignment wins).
Values reached through ``$name`` or an include remember how they were reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator, Union

from natslint.span import Span

# Scalar kinds.
STRING = "string"
INTEGER = "integer"
FLOAT = "float"
BOOL = "bool"
DATETIME = "datetime"
UNKNOWN = "unknown"  # a $variable whose value natslint cannot see; never guessed


class UnknownValue(str):
    """An environment variable the deployment sets, whose value natslint cannot see (a compose
    `${VAR:?err}` or `${VAR}` the tree does not define, a Kubernetes Secret): set, not missing."""


@dataclass(slots=True)
class VarUse:
    """How a value was reached through ``$name``."""

    name: str
    span: Span  # the reference
    defined: Span | None  # the key that defined it, for config variables
    source: str  # "config" | "env" | "unresolved"


@dataclass(slots=True)
class Scalar:
    """A value that is no map or array: a string, number, size, boolean or date."""

    kind: str
    value: object  # str | int | float | bool | datetime | None (unknown)
    span: Span
    raw: str = ""  # the literal as written (a bool keeps its spelling, an int its suffix)
    style: str = ""  # strings: bare | double | single | block
    suffix: str = ""  # integers: the size suffix as written ("", "k", "GB", ...)
    via: VarUse | None = None

    def is_unknown(self) -> bool:
        return self.kind == UNKNOWN


@dataclass(slots=True)
class Key:
    """An entry's key as written, with its quoting."""

    name: str
    span: Span
    style: str = "bare"  # bare | double | single


@dataclass(slots=True)
class Entry:
    """A key and its value, with the includes and variables that brought it in."""

    key: Key
    value: "Node"
    via: tuple[Span, ...] = ()  # include directives that brought this entry in, outermost first
    used_as_variable: bool = False


@dataclass(slots=True)
class Map:
    """A block of entries; the last assignment of a key wins, as in the server."""

    span: Span
    entries: list[Entry] = field(default_factory=list)
    via: VarUse | None = None
    # name -> index of the entry that currently holds it (the last assignment wins)
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _ci: tuple | None = field(default=None, repr=False)  # (entry count, lower-case index)

    def assign(self, entry: Entry) -> None:
        self._index[entry.key.name] = len(self.entries)
        self.entries.append(entry)

    def entry(self, name: str) -> Entry | None:
        i = self._index.get(name)
        return None if i is None else self.entries[i]

    def get(self, name: str) -> "Node | None":
        e = self.entry(name)
        return None if e is None else e.value

    def get_ci(self, name: str) -> "Entry | None":
        """The effective entry for an option name, matched case-insensitively as nats-server does."""
        return self.ci_index().get(name.lower())

    def ci_index(self) -> dict[str, "Entry"]:
        """Lower-cased name -> the last live entry of that spelling family (built once)."""
        index = self._ci
        if index is None or index[0] != len(self.entries):
            built: dict[str, Entry] = {}
            for e in self.live():
                built[e.key.name.lower()] = e
            index = self._ci = (len(self.entries), built)
        return index[1]

    def repeats_a_key(self) -> bool:
        """Is some name assigned twice (exactly as written)?  Nearly no map does."""
        return len(self._index) != len(self.entries)

    def live(self) -> Iterable[Entry]:
        """The entries that survive: the last assignment of each key, in source order."""
        if not self.repeats_a_key():
            return self.entries
        return self._survivors()

    def _survivors(self) -> Iterator[Entry]:
        index = self._index
        for i, e in enumerate(self.entries):
            if index.get(e.key.name) == i:
                yield e

    def shadowed(self) -> Iterator[tuple[Entry, Entry]]:
        """(earlier, later) pairs where a later entry silently replaced an earlier one."""
        last: dict[str, Entry] = {}
        for e in self.entries:
            prev = last.get(e.key.name)
            if prev is not None:
                yield prev, e
            last[e.key.name] = e


@dataclass(slots=True)
class Array:
    """A list of values."""

    span: Span
    items: list["Node"] = field(default_factory=list)
    via: VarUse | None = None


Node = Union[Scalar, Map, Array]


def plain(node: Node) -> object:
    """The plain Python value the server would see (last assignment wins)."""
    if isinstance(node, Scalar):
        return node.value
    # iterative, because documents may nest thousands of levels deep
    root: object = {} if isinstance(node, Map) else []
    stack: list[tuple[Node, object]] = [(node, root)]
    while stack:
        src, dst = stack.pop()
        children = ((e.key.name, e.value) for e in src.live()) if isinstance(src, Map) \
            else enumerate(src.items)
        for k, child in children:
            if isinstance(child, Scalar):
                v: object = child.value
            else:
                v = {} if isinstance(child, Map) else []
                stack.append((child, v))
            if isinstance(dst, dict):
                dst[k] = v
            else:
                dst.append(v)  # type: ignore[union-attr]
    return root


def encode_typed(value: object) -> object:
    """The typed JSON encoding of the shared corpus: ints, floats, {"$datetime"}, {"$bytes_hex"}."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if isinstance(value, str):
        if any("\udc80" <= c <= "\udcff" for c in value):
            return {"$bytes_hex": value.encode("utf-8", "surrogateescape").hex()}
        return value
    root: object = {} if isinstance(value, dict) else []
    stack = [(value, root)]
    while stack:
        src, dst = stack.pop()
        items = sorted(src.items()) if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, (dict, list)):
                nv: object = {} if isinstance(v, dict) else []
                stack.append((v, nv))
            else:
                nv = encode_typed(v)
            if isinstance(dst, dict):
                dst[k] = nv
            else:
                dst.append(nv)
    return root
