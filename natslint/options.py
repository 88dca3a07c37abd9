"""What nats-server accepts, per block: the option table shipped in natslint/data.

Derived from the server's option parsers (see tests/options_table.py); read once, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_TABLE = Path(__file__).resolve().parent / "data" / "nats_options.json"


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One option nats-server accepts in a block: its kind and value types."""

    name: str  # canonical lower-case name
    kind: str
    types: tuple[str, ...]
    warn_types: tuple[str, ...]
    block: str | None
    items: str | None
    values: tuple[str, ...]
    type_error: str | None


@dataclass(frozen=True, slots=True)
class Block:
    """A block of the config (top level, jetstream, leafnodes...) and the options it takes."""

    name: str
    case_insensitive: bool
    unknown_result: str  # error | ignored | n/a
    unknown_message: str
    variable_exempt: bool
    keys: dict[str, KeySpec]  # every spelling (lower-case when case-insensitive) -> spec

    def names(self) -> list[str]:
        return sorted({k.name for k in self.keys.values()})


@lru_cache(maxsize=1)
def table() -> dict:
    return json.loads(_TABLE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def block(name: str) -> Block | None:
    raw = table()["blocks"].get(name)
    if raw is None:
        return None
    ci = raw["match"] != "case_sensitive"
    keys: dict[str, KeySpec] = {}
    for canonical, k in raw["keys"].items():
        spec = KeySpec(canonical, k.get("kind", ""), tuple(k.get("types") or ()), tuple(k.get("warn_types") or ()),
                       k.get("block"), k.get("items"), tuple(k.get("values") or ()), k.get("type_error"))
        for spelling in (canonical, *k.get("aliases", [])):
            keys[spelling.lower() if ci else spelling] = spec
    unknown = raw["unknown"]
    return Block(name, ci, unknown.get("result") or "error", unknown.get("message") or 'unknown field "{key}"',
                 bool(unknown.get("variable_exempt")), keys)


@lru_cache(maxsize=1)
def key_index() -> dict[str, list[str]]:
    """Every key spelling (lower-case) -> the blocks that accept it."""
    out: dict[str, list[str]] = {}
    for name, raw in table()["blocks"].items():
        for canonical, k in raw["keys"].items():
            for spelling in (canonical, *k.get("aliases", [])):
                out.setdefault(spelling.lower(), []).append(name)
    return out
