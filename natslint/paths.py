"""Paths and file reading at the OS level, shared by the pipeline.

Nothing here remembers anything between calls: the memo of one run lives in its
:class:`natslint.sources.SourceCache`, so a long-running process (the editor) never sees a
stale answer after a file or a symlink changes.
"""

from __future__ import annotations

import errno
import os
import stat


def real(path: str) -> str:
    """os.path.realpath, asked of the file system every time."""
    return os.path.realpath(path)


class RealPaths:
    """realpath with a memo for one run: a fleet asks for the same few paths thousands of
    times.  A fleet's files share their folders, so each folder is resolved once and then
    only the last part is asked whether it is a link."""

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        hit = self._memo.get(path)
        if hit is None:
            hit = self._memo[path] = self._resolve(path)
        return hit

    def _resolve(self, path: str) -> str:
        head, tail = os.path.split(path)
        if not tail or tail in (".", "..") or head == path:
            return os.path.realpath(path)
        joined = os.path.join(self(head), tail)
        try:
            if not stat.S_ISLNK(os.lstat(joined).st_mode):
                return joined
        except (OSError, ValueError):
            pass  # missing, or a NUL byte: realpath gives the answer it always gives
        return os.path.realpath(joined)


def display_path(path: str, root: str) -> str:
    """How a path is shown: relative to ``root`` when under it, with '/' separators; a path
    above the root is kept as written."""
    if not os.path.isabs(path):
        q = os.path.normpath(path)
        if q != ".." and not q.startswith(".." + os.sep):
            return q.replace(os.sep, "/")
        return path.replace(os.sep, "/")
    q = os.path.normpath(path)
    if q == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    if q.startswith(prefix):
        return q[len(prefix):].replace(os.sep, "/")
    return path.replace(os.sep, "/")


def decode_text(data: bytes, errors: str = "strict") -> str:
    """What ``open(path, encoding="utf-8", errors=errors).read()`` gives: universal newlines."""
    text = data.decode("utf-8", errors)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class TooLarge(Exception):
    """The file's size (args[0]) is at or over the limit: it was not read."""


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """A file's bytes (fewer than ``limit``), in as few system calls as the OS allows.

    ``open(...).read(limit)`` would allocate ``limit`` bytes for every file (10 MB by
    default); a file object costs more than the read itself."""
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
