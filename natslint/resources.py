"""Data files shipped with natslint: the Lark grammar and the rule docs.

In a wheel they live inside the package (``natslint/_data/``); in a source checkout they
are the top-level ``grammar/`` and ``rules/`` folders.  Both are found the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"natslint data folder {name!r} is missing from this installation")


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return (data_dir("grammar") / "nats.lark").read_text(encoding="utf-8")


def rule_docs() -> dict[str, Path]:
    """Rule code -> its doc file (``rules/NL202-leaf-reuses-domain.md``)."""
    try:
        folder = data_dir("rules")
    except FileNotFoundError:
        return {}
    return {p.name.split("-", 1)[0]: p for p in sorted(folder.glob("NL*.md"))}
