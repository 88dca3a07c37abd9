"""Path helpers shared by the pipeline."""

from __future__ import annotations

import os
import stat
from functools import lru_cache


def real(path: str) -> str:
    """os.path.realpath, once per path per run: a fleet asks for the same few paths thousands
    of times (every include, every lookup), and each call walks the file system.  Relative
    paths are made absolute first, so a change of working directory never returns a stale
    answer."""
    return _real(path if os.path.isabs(path) else os.path.join(os.getcwd(), path))


@lru_cache(maxsize=65536)
def _real(path: str) -> str:
    # realpath walks every component of every path; a fleet's files share their folders, so
    # resolve the folder once (cached) and then only ask whether the last part is a link.
    head, tail = os.path.split(path)
    if not tail or tail in (".", "..") or head == path:
        return os.path.realpath(path)
    joined = os.path.join(_real(head), tail)
    try:
        if not stat.S_ISLNK(os.lstat(joined).st_mode):
            return joined
    except (OSError, ValueError):
        pass  # missing, or a NUL byte: realpath gives the answer it always gave
    return os.path.realpath(joined)
