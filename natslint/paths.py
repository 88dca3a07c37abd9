"""Path helpers shared by the pipeline."""

from __future__ import annotations

import os
from functools import lru_cache


def real(path: str) -> str:
    """os.path.realpath, once per path per run: a fleet asks for the same few paths thousands
    of times (every include, every lookup), and each call walks the file system.  Relative
    paths are made absolute first, so a change of working directory never returns a stale
    answer."""
    return _real(path if os.path.isabs(path) else os.path.join(os.getcwd(), path))


@lru_cache(maxsize=65536)
def _real(path: str) -> str:
    return os.path.realpath(path)
