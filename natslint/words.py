"""Counted nouns as English writes them: "1 finding", "2 findings", "1 mismatch"."""

from __future__ import annotations

_IRREGULAR = {"mismatch": "mismatches", "info": "info", "JetStream": "JetStreams"}


def count(n: int, noun: str) -> str:
    return f"{n} {noun if n == 1 else _IRREGULAR.get(noun, noun + 's')}"


def verb(n: int, one: str, many: str) -> str:
    """The verb agreeing with a count: verb(2, "is", "are") -> "are"."""
    return one if n == 1 else many


def listing(items: list[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
