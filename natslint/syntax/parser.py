"""From text to the typed document model, as nats-server reads a config.

Pipeline for one file: :mod:`~natslint.syntax.lexer` (a port of the server's lexer) ->
:mod:`~natslint.syntax.lalr` (the grammar's automaton finds dangling keys) ->
:class:`~natslint.syntax.builder.Builder`, which walks the tokens the way the server's
parser walks its items.  This module holds the entry points: :func:`parse_text`,
:func:`parse_file` and the :class:`Loader` that reads files and shares includes.

Where the server stops at its first error, natslint reports it and goes on where it
can (an undefined variable becomes an unknown value; a missing include is skipped), so
one mistake does not hide the next.  ``Document.server_error`` keeps the exact text the
server would print, for agreement tests and ``natslint dump``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Protocol

from natslint.codes import UNREADABLE_FILE
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.paths import TooLarge, read_bytes, real
from natslint.sources import SourceCache
from natslint.span import Span
from natslint.syntax import lexer as lx
from natslint.syntax.builder import Builder
from natslint.syntax.document import Document
from natslint.syntax.lalr import GrammarMismatch, dangling_keys
from natslint.syntax.versions import digit_ends_suffix


class Prelexed(Protocol):
    """Texts and tokens lexed elsewhere, each used once: a dict, or natslint.syntax.ahead.LexAhead."""

    def __contains__(self, path: object) -> bool: ...
    def pop(self, path: str) -> tuple[str, lx.LexResult]: ...


@dataclass
class Loader:
    """Reads and parses files; each file is parsed once per loader (includes are shared).

    ``env`` is the environment the server will run with.  ``env_visible`` says whether
    natslint knows it: if not, an undefined ``$name`` is only info and its value unknown.
    ``sources``: the run's source cache (files read once, paths relative to its root);
    without one, paths are opened as given.
    """

    env: Mapping[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    nats_version: str = DEFAULT_NATS_VERSION
    # check skips binary and non-UTF-8 files (NL005); dump reads bytes as the server does
    strict_text: bool = False
    sources: SourceCache | None = None
    cache: dict[str, Document] = field(default_factory=dict)
    # path -> (text, tokens) lexed ahead by another process (natslint.syntax.ahead); used once
    prelexed: Prelexed = field(default_factory=dict)
    # documents kept from earlier runs (natslint.engine): reused when the file and its includes
    # read the same as when they were parsed
    memo: "DocumentMemo | None" = None
    _stack: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.sources is not None:
            self.max_bytes = self.sources.max_bytes

    def _bytes(self, path: str) -> bytes:
        if self.sources is not None:
            return self.sources.read_bytes(path)
        return read_bytes(path, self.max_bytes + 1)

    def key(self, path: str) -> str:
        """The file's identity: its real path (a NUL byte in the path: the path itself)."""
        try:
            return self.sources.realpath(path) if self.sources is not None else real(path)
        except ValueError:
            return path

    def display(self, path: str) -> str:
        return self.sources.display(path) if self.sources is not None else os.path.relpath(path)

    def read(self, path: str) -> tuple[str | None, str | None]:
        """(text, error): text decoded as the server does; error names why not."""
        try:
            data = self._bytes(path)
        except IsADirectoryError:
            return None, f"read {path}: is a directory"
        except FileNotFoundError:
            return None, f"open {path}: no such file or directory"
        except PermissionError:
            return None, f"open {path}: permission denied"
        except OSError as exc:
            return None, f"open {path}: {exc.strerror or exc}"
        except ValueError as exc:  # a NUL byte in the path
            return None, f"open {path!r}: {exc}"
        except TooLarge as exc:
            return None, (f"file is {exc.args[0]} bytes, over the {self.max_bytes}-byte "
                          "limit (--max-file-size)")
        if len(data) > self.max_bytes:
            return None, f"file is over the {self.max_bytes}-byte limit (--max-file-size)"
        if self.strict_text:
            if b"\x00" in data:
                return None, "binary file (it holds NUL bytes)"
            try:
                return data.decode("utf-8"), None
            except UnicodeDecodeError as exc:
                return None, f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
        return data.decode("utf-8", "surrogateescape"), None

    def load(self, path: str) -> Document:
        key = self.key(path)
        doc = self.cache.get(key)
        if doc is not None:
            return doc
        mounted = self.sources.mounted(path) if self.sources is not None else None
        if mounted is not None and not (mounted[0] == "file" and self.key(mounted[1]) == key):
            kind, value = mounted  # a volume a pod mounts beside an embedded config
            if kind == "file":
                doc = self.load(value)
            elif kind == "unknown":
                doc = Document(path, "", None, opaque=[(None, value)])
            else:
                doc = self._unreadable(path, f"open {path}: no such file or directory ({value})")
            self.cache[key] = doc
            return doc
        lexed = None
        if path in self.prelexed:
            text, lexed = self.prelexed.pop(path)
        else:
            text, error = self.read(path)
            if text is None:
                doc = self.cache[key] = self._unreadable(path, error or "")
                return doc
        if self.memo is not None:
            kept = self._kept(key, path, text)
            if kept is not None:
                self.cache[key] = kept
                return kept
        self._stack.append(key)
        try:
            doc = parse_text(text, path, loader=self, lexed=lexed)
        finally:
            self._stack.pop()
        self.cache[key] = doc
        if self.memo is not None:
            self.memo.keep(self, key, path, doc, {t: self.cache.get(self.key(t)) for _, t in doc.includes})
        return doc

    def _kept(self, key: str, path: str, text: str) -> Document | None:
        """The document an earlier run parsed from this same text, when every file it
        includes is (by identity) the document this run has for it."""
        hit = self.memo.get(self, key, path)
        if hit is None or hit[0].text != text:
            return None
        if self.sources is not None and self.sources.line_spans(path) is not None:
            return None  # a rendered config: the same text may stand for other values lines
        doc, children = hit
        self._stack.append(key)
        try:
            for target, child in children.items():
                if self.key(target) in self._stack or self.load(target) is not child:
                    return None
        finally:
            self._stack.pop()
        return doc

    def _unreadable(self, path: str, error: str) -> Document:
        doc = Document(path, "", None)
        doc.server_error = f"error opening config file: {error}"
        exists = self.sources.exists(path) if self.sources is not None else os.path.lexists(path)
        doc.missing = "\x00" not in path and not exists
        if not doc.missing:  # a missing file is reported where it is named
            doc.findings.append(UNREADABLE_FILE.at(Span(path, 0, 0, 1, 1, 1, 1), f"skipped {path}: {error}"))
        return doc

    def in_progress(self, path: str) -> list[str] | None:
        key = self.key(path)
        if key in self._stack:
            return self._stack[self._stack.index(key):]
        return None

    def ignored(self, path: str) -> str | None:
        """Where git is told to ignore ``path`` (a missing include: generated, or a secret)."""
        from natslint.gitignored import why_ignored

        if self.sources is None:
            return why_ignored(os.path.abspath(path))
        return why_ignored(self.sources.absolute(path), shown=lambda p: self.sources.display(p))

    def parse_value(self, text: str, name: str, resolving: set[str]) -> Document:
        """An environment variable's value, parsed as the server parses it (``pk=<value>``)."""
        return parse_text(f"pk={text}", f"${name}", loader=self, _resolving=resolving)


class DocumentMemo:
    """Parsed documents kept between runs, per file and reading environment; what one run did
    not use is dropped after it (`prune`), so no entry outlives the file it describes."""

    def __init__(self) -> None:
        self._docs: dict[tuple, tuple[Document, dict[str, Document | None]]] = {}
        self._used: set[tuple] = set()

    @staticmethod
    def _key(loader: Loader, key: str, path: str) -> tuple:
        return (key, path, tuple(sorted(loader.env.items())), loader.env_visible, loader.nats_version,
                loader.strict_text, loader.max_bytes)

    def get(self, loader: Loader, key: str, path: str):
        k = self._key(loader, key, path)
        hit = self._docs.get(k)
        if hit is not None:
            self._used.add(k)
        return hit

    def keep(self, loader: Loader, key: str, path: str, doc: Document, children: dict) -> None:
        k = self._key(loader, key, path)
        self._docs[k] = (doc, children)
        self._used.add(k)

    @property
    def empty(self) -> bool:
        """Nothing kept yet (a first run): nothing to reuse, files may be lexed ahead elsewhere."""
        return not self._docs

    def keep_all(self) -> None:
        """Every entry counts as used by this run (an edit that reparsed only some files)."""
        self._used = set(self._docs)

    def prune(self) -> None:
        self._docs = {k: v for k, v in self._docs.items() if k in self._used}
        self._used = set()


def lex_files(paths: list[str], loader: Loader) -> list[tuple]:
    """Read and lex files, as plain tuples (cheap to send from another process): (path,
    text, tokens, comments, error, eof position).  Unreadable files are left out: the
    loader reads them again and reports them."""
    suffix = digit_ends_suffix(loader.nats_version)
    out = []
    for path in paths:
        text, _ = loader.read(path)
        if text is None:
            continue
        r = lx.lex(text, digit_ends_suffix=suffix)
        err = r.error
        out.append((path, text,
                    [(t.kind, t.value, t.start, t.end, t.emit_pos, t.style, t.escaped) for t in r.tokens],
                    [(c.start, c.end, c.text) for c in r.comments],
                    None if err is None else (err.message, err.offset, err.go_line), r.eof_go_pos))
    return out


def prelexed(rows: list[tuple]) -> dict[str, tuple[str, lx.LexResult]]:
    """lex_files' rows back as lexer results, for Loader.prelexed."""
    RawToken, Comment = lx.RawToken, lx.Comment
    return {path: (text, lx.LexResult([RawToken(*t) for t in tokens], [Comment(*c) for c in comments],
                                      None if err is None else lx.LexError(*err), eof))
            for path, text, tokens, comments, err, eof in rows}


def parse_text(text: str, path: str = "<string>", *, loader: Loader | None = None,
               env: Mapping[str, str] | None = None, nats_version: str = DEFAULT_NATS_VERSION,
               lexed: lx.LexResult | None = None, _resolving: set[str] | None = None) -> Document:
    """Parse one document.  ``env`` (when no loader is given) makes the environment visible.
    ``lexed``: the text's tokens, when they were lexed elsewhere (lex_files)."""
    if loader is None:
        loader = Loader(env=env or {}, env_visible=env is not None, nats_version=nats_version)
    doc = Document(path, text, None, nats_version=loader.nats_version)
    doc.lines = lx.LineIndex(text)
    result = lexed or lx.lex(text, digit_ends_suffix=digit_ends_suffix(loader.nats_version))
    doc.comments = result.comments
    builder = Builder(doc, loader, _resolving if _resolving is not None else set(), result)
    if builder.span_path != path:
        first = len(text) - len(text.lstrip())
        doc.origin = builder.span(first, first)
    dangling: set[int] = set()
    if result.error is None:
        try:
            dangling = dangling_keys(result.tokens)
        except GrammarMismatch:
            # The server's "silent EOF" quirk (a quote right before EOF) can stop the token
            # stream inside an open array or map; the server keeps what it has, and so do we.
            pass
    # After a lexer error the tokens before it still matter: the server meets their
    # errors (a bad variable, an unreadable include) before the lexer's.
    builder.run(result.tokens, dangling)
    if result.error is not None and doc.server_error is None:
        err = result.error
        doc.server_error = f"Parse error on line {err.go_line}: '{err.message}'"
        builder.report_lex_error(err)
    else:
        builder.check_eof()
        doc.root = builder.root  # a file the lexer rejects stays unparsed: rules skip it
    return doc


def parse_file(path: str, env: Mapping[str, str] | None = None, *,
               max_bytes: int = DEFAULT_MAX_BYTES, nats_version: str = DEFAULT_NATS_VERSION) -> Document:
    loader = Loader(env=env or {}, env_visible=env is not None, max_bytes=max_bytes,
                    nats_version=nats_version)
    return loader.load(path)
