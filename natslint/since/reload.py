"""The reload table (natslint/data/reload.json): which changes each nats-server minor version
applies on a config reload, and how the others are refused.

A class of options names its option paths; the most specific path that holds a changed
option decides (``cluster.name`` before ``cluster``).  A version the table has no column
for is unknown: the answer says so instead of borrowing a neighbour's column.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from pathlib import Path

_TABLE = Path(__file__).resolve().parent.parent / "data" / "reload.json"


@dataclass(frozen=True, slots=True)
class ReloadClass:
    id: str
    options: tuple[str, ...]
    reloads: tuple[str, ...]  # minor versions that apply the change
    hangs: tuple[str, ...]  # minor versions whose reload never finishes
    refused: str  # what the other versions log


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a reload does with a change on one version: ``reloads`` True / False, or None when
    the version is not known or not in the table."""

    cls: ReloadClass
    version: str | None  # the minor version judged, None when not known
    reloads: bool | None
    hangs: bool = False

    @property
    def everywhere(self) -> bool | None:
        """True / False when every version of the table agrees, else None."""
        if set(self.cls.reloads) == set(versions()):
            return True
        return False if not self.cls.reloads else None


@functools.lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, ...], tuple[ReloadClass, ...]]:
    with open(_TABLE, encoding="utf-8") as f:
        raw = json.load(f)
    classes = tuple(ReloadClass(c["id"], tuple(c["options"]), tuple(c["reloads"]), tuple(c.get("hangs", ())),
                                c.get("refused", "")) for c in raw["classes"])
    return tuple(raw["versions"]), classes


def versions() -> tuple[str, ...]:
    return _table()[0]


def classes() -> tuple[ReloadClass, ...]:
    return _table()[1]


def by_id(cid: str) -> ReloadClass:
    return next(c for c in classes() if c.id == cid)


def class_of(option: str) -> ReloadClass | None:
    """The class of a dotted option path (lower case), by its longest listed prefix."""
    best: tuple[int, ReloadClass] | None = None
    for c in classes():
        for o in c.options:
            if option == o or option.startswith(o + "."):
                if best is None or len(o) > best[0]:
                    best = (len(o), c)
    return best[1] if best is not None else None


def minor(version: str | None) -> str | None:
    if not version:
        return None
    parts = version.lstrip("v").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]) else None


def verdict(cls: ReloadClass, version: str | None) -> Verdict:
    m = minor(version)
    if m is None or m not in versions():
        return Verdict(cls, m, None)
    return Verdict(cls, m, m in cls.reloads, m in cls.hangs)


def reloading_versions(cls: ReloadClass) -> str:
    """`2.14 and later`, `every version from 2.10`, `none`, as words."""
    vs = versions()
    if not cls.reloads:
        return "no version"
    first = vs.index(cls.reloads[0])
    if list(vs[first:]) == list(cls.reloads):
        return f"{cls.reloads[0]} and later" if first else f"every version from {vs[0]}"
    return ", ".join(cls.reloads)
