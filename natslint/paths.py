"""Path helpers shared by the pipeline."""

from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator


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


# Deployment files are read by their reader, then again for suppression comments and the
# secret scan; within one check run, the second read comes from here.
_run_files: dict[str, bytes] | None = None


@contextmanager
def reading_once() -> Iterator[None]:
    """Within this block each file is read from disk at most once (by read_text)."""
    global _run_files
    saved, _run_files = _run_files, {}
    try:
        yield
    finally:
        _run_files = saved


def read_text(path: str, errors: str = "strict") -> str:
    """The text ``open(path, encoding="utf-8", errors=errors).read()`` gives (universal
    newlines), with the same exceptions."""
    data = _run_files.get(path) if _run_files is not None else None
    if data is None:
        data = read_bytes(path)
        if _run_files is not None:
            _run_files[path] = data
    text = data.decode("utf-8", errors)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class TooLarge(Exception):
    """The file's size (args[0]) is at or over the limit: it was not read."""


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """A file's bytes (fewer than ``limit``), in as few system calls as the OS allows.

    ``open(...).read(limit)`` would allocate ``limit`` bytes for every file (10 MB by
    default), which dominated reading a thousand small configs; a file object costs more
    than the read itself."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang us
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        regular = stat.S_ISREG(st.st_mode)
        if regular and limit is not None and st.st_size >= limit:
            raise TooLarge(st.st_size)
        chunks = []
        size = 0
        step = st.st_size + 1 if regular else 65536
        while limit is None or size < limit:
            chunk = os.read(fd, step if limit is None else min(step, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


