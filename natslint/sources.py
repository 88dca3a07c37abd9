"""The source cache of one run: every file is read from disk at most once (one exception: a
file with no suffix is first sniffed by its head, and read whole only if it is a NATS config).

The NATS parser, the deployment readers, the suppression scan, secret masking and the code
frames of every reporter all take their text from here.  Paths are display paths (relative
to the run's root, or absolute); the cache resolves them against the root, so nothing in
the core depends on the working directory.  An overlay replaces a file's content without
touching the disk (an editor's unsaved buffer).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Mapping

from natslint.defaults import DEFAULT_MAX_BYTES
from natslint.paths import RealPaths, TooLarge, decode_text, display_path, read_bytes


def _read_head(path: str, size: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang us
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


class SourceCache:
    def __init__(self, root: str, overlays: Mapping[str, str] | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = os.path.abspath(root)
        self.max_bytes = max_bytes
        self.real = RealPaths()
        self._absolute: dict[str, str] = {}
        self.disk_reads: Counter[str] = Counter()  # absolute path -> reads (tests count them)
        self._overlays = {self.absolute(p): text.encode("utf-8", "surrogateescape")
                          for p, text in (overlays or {}).items()}
        self._file_of: dict[str, str] = {}  # absolute virtual path -> the file its text lies in
        self._line_spans: dict[str, list] = {}  # absolute virtual path -> the span of each line
        self._mounts: dict[str, dict[str, str | None] | str] = {}  # see mount()
        self._bytes: dict[str, bytes | BaseException] = {}
        self._texts: dict[str, str] = {}
        self._user = set(self._overlays)  # the overlays given (an editor's), not embedded files
        self.touched: set[str] | None = None  # when a set: every absolute path read or looked for

    def refresh(self, changed: set[str], overlays: Mapping[str, str]) -> None:
        """Forget the files in ``changed`` (absolute paths) and lay ``overlays`` anew: the next
        read of a changed file sees its new content (a long-running engine's cache)."""
        for key in changed:
            self._bytes.pop(key, None)
            self._texts.pop(key, None)
        for key in self._user:
            self._overlays.pop(key, None)  # a buffer closed reads as the file
        self._user = set()
        for p, text in overlays.items():
            key = self.absolute(p)
            self._overlays[key] = text.encode("utf-8", "surrogateescape")
            self._user.add(key)

    def embed(self, path: str, text: str, file: str, lines: list | None = None) -> None:
        """A file that exists only inside another (a config in a ConfigMap's data): read as
        ``text`` under ``path``, while the positions in it are positions in ``file``; or, for
        a config a chart renders, ``lines``: the span in ``file`` of each of its lines."""
        key = self.absolute(path)
        self._overlays[key] = text.encode("utf-8", "surrogateescape")
        self._file_of[key] = file
        if lines is not None:
            self._line_spans[key] = lines

    def line_spans(self, path: str) -> list | None:
        """Where each line of a rendered config was written, or None for a file's own text."""
        return self._line_spans.get(self.absolute(path)) if self._line_spans else None

    def mount(self, where: str, target: dict[str, str | None] | str) -> None:
        """A volume a pod mounts at ``where`` (a folder, or one file), beside a config: the
        files there are the data keys of ``target`` (key -> the path holding it; "" for a
        one-file mount), or their content is unknown (``target`` says why)."""
        self._mounts.setdefault(self.absolute(where), target)

    def mounted(self, path: str) -> tuple[str, str] | None:
        """What a path under a mount opens: ("file", the path holding it), ("unknown", why),
        ("absent", why); None when no mount covers it (the path is read as it is)."""
        if not self._mounts:
            return None
        key = self.absolute(path)
        for where, target in self._mounts.items():
            if key == where or key.startswith(where + os.sep):
                if isinstance(target, str):
                    return "unknown", target
                rel = key[len(where) + 1:] if key != where else ""
                held = target.get(rel)
                if held is not None:
                    return "file", held
                return "absent", f"the volume mounted there has no key {rel!r}"
        return None

    def file_of(self, path: str) -> str:
        """The file whose positions a document's spans give: the manifest of an embedded
        config, else the path itself."""
        return self._file_of.get(self.absolute(path), path) if self._file_of else path

    def absolute(self, path: str) -> str:
        hit = self._absolute.get(path)
        if hit is None:
            hit = self._absolute[path] = os.path.normpath(os.path.join(self.root, path))
        return hit

    def display(self, path: str) -> str:
        return display_path(path, self.root)

    def realpath(self, path: str) -> str:
        return self.real(self.absolute(path))

    def read_bytes(self, path: str) -> bytes:
        """The file's bytes, under ``max_bytes`` (else :class:`TooLarge`); an error that
        reading raised is raised again on every later call, without asking the disk."""
        key = self.absolute(path)
        if self.touched is not None:
            self.touched.add(key)
        got = self._bytes.get(key)
        if got is None:
            got = self._overlays.get(key)
            if got is None:
                self.disk_reads[key] += 1
                try:
                    got = read_bytes(key, self.max_bytes + 1)
                except (OSError, ValueError, TooLarge) as exc:
                    got = exc
            self._bytes[key] = got
        if isinstance(got, BaseException):
            raise got
        return got

    def text(self, path: str) -> str:
        """UTF-8 text with universal newlines; UnicodeDecodeError or OSError as open() would."""
        key = self.absolute(path)
        hit = self._texts.get(key)
        if hit is None:
            hit = self._texts[key] = decode_text(self.read_bytes(path))
        return hit

    def lines(self, path: str) -> list[str]:
        """The file's lines for a code frame; undecodable bytes replaced, [] if unreadable."""
        try:
            return self.text(path).split("\n")
        except UnicodeDecodeError:
            return decode_text(self.read_bytes(path), "replace").split("\n")
        except (OSError, ValueError, TooLarge):
            return []

    def head(self, path: str, size: int = 4096) -> bytes:
        """The first ``size`` bytes: from the cache when the file was read, else from disk
        without keeping them (to sniff a file that is most likely not read further)."""
        key = self.absolute(path)
        if self.touched is not None:
            self.touched.add(key)
        got = self._bytes.get(key, self._overlays.get(key))
        if isinstance(got, BaseException):
            raise got
        if got is not None:
            return got[:size]
        self.disk_reads[key] += 1
        return _read_head(key, size)

    def read_paths(self) -> list[str]:
        """The absolute paths read (or tried) in this run."""
        return list(self._bytes)

    def seen(self, path: str) -> bool:
        """Whether the file was read (or tried) in this run."""
        return self.absolute(path) in self._bytes

    def is_file(self, path: str) -> bool:
        key = self.absolute(path)
        if self.touched is not None:
            self.touched.add(key)
        return key in self._overlays or os.path.isfile(key)

    def exists(self, path: str) -> bool:
        key = self.absolute(path)
        if self.touched is not None:
            self.touched.add(key)
        return key in self._overlays or os.path.lexists(key)
