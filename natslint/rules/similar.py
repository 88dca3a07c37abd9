"""Did-you-mean: the close matches of a word, remembered.  A rule asks the same of every host
one template made, and a long-running engine (the language server) asks again after each edit."""

from __future__ import annotations

import difflib
import functools


@functools.lru_cache(maxsize=1024)
def close_matches(word: str, candidates: tuple[str, ...], n: int = 1, cutoff: float = 0.6) -> list[str]:
    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
