"""From text to the typed document model, as nats-server reads a config.

Pipeline for one file: :mod:`lexer` (a port of the server's lexer) -> Lark LALR over
``grammar/nats.lark`` (the tree shape) -> :class:`Builder`, which walks the tree in
document order the way the server's parser walks its items: a stack of open maps and
arrays, a stack of pending keys, ``$name`` looked up in the maps open *so far*, and
``include`` parsed on its own and merged shallowly.

Where the server stops at its first error, natslint reports it and goes on where it
can (an undefined variable becomes an unknown value; a missing include is skipped), so
one mistake does not hide the next.  ``Document.server_error`` keeps the exact text the
server would print, for agreement tests and ``natslint dump``.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Mapping

from natslint.paths import TooLarge, read_bytes, real
from natslint.findings import (
    INCLUDE_CYCLE,
    INCLUDE_NOT_FOUND,
    SURPRISING_VALUE,
    SYNTAX_ERROR,
    UNDEFINED_VARIABLE,
    UNREADABLE_FILE,
    Finding,
    Related,
    Severity,
)
from natslint.span import LazySpan, Span
from natslint.syntax import lexer as lx
from natslint.syntax.convert import ConvertError, to_datetime, to_float, to_int
from natslint.syntax.model import (
    BOOL,
    DATETIME,
    FLOAT,
    INTEGER,
    STRING,
    UNKNOWN,
    Array,
    Entry,
    Key,
    Map,
    Node,
    Scalar,
    VarUse,
)

_QUOTED_VAR = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_SUFFIX_THEN_DIGIT = re.compile(r"-?\d+[kKmMgGtTpPeE][bBiI]*\d")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# The nats-server version whose reading natslint reproduces.  The shared reference
# (commit 1787eee, "2.15.0-dev") still ends an integer at a digit after a size suffix;
# released 2.15.1 reads "1m30s" as a string (nats-server PR #8263).
DEFAULT_NATS_VERSION = "2.15.1"
REFERENCE_NATS_VERSION = "2.15.0-dev"


def version_tuple(version: str) -> tuple[int, int, int]:
    """'2.15.1' -> (2, 15, 1); a pre-release such as '2.15.0-dev' counts as before 2.15.0."""
    core, _, pre = version.lstrip("v").partition("-")
    parts = [int(p) for p in core.split(".")[:3] if p.isdigit()]
    parts += [0] * (3 - len(parts))
    major, minor, patch = parts
    return (major, minor, patch) if not pre else (major, minor, patch - 1) if patch else (major, minor - 1, 99)


def digit_ends_suffix(version: str) -> bool:
    return version_tuple(version) < (2, 15, 1)

# ---------------------------------------------------------------------------------------
# The Lark side: the grammar is compiled once per process.


@lru_cache(maxsize=1)
def _lark():
    from lark import Lark, Token
    from lark.lexer import Lexer as LarkLexer

    from natslint.resources import grammar_text

    class RawTok(Token):
        __slots__ = ("raw",)

    class TokenFeed(LarkLexer):
        """Feeds the tokens of natslint's own lexer to Lark (a "custom lexer")."""

        def __init__(self, lexer_conf) -> None:  # noqa: D401 - Lark's interface
            pass

        def lex(self, data: list[lx.RawToken]) -> Iterator[Token]:  # type: ignore[override]
            for raw in data:
                tok = RawTok(raw.kind, raw.value, start_pos=raw.start, end_pos=raw.end)
                tok.raw = raw
                yield tok

    return Lark(grammar_text(), parser="lalr", lexer=TokenFeed, start="start")


def token_tree(tokens: list[lx.RawToken]):
    """The Lark tree of a token stream (tests compare it with the fast driver below)."""
    return _lark().parse(tokens)


class GrammarMismatch(Exception):
    """The token stream does not fit grammar/nats.lark (only the silent-EOF quirk does this)."""


@lru_cache(maxsize=1)
def _table() -> tuple[dict, int, int]:
    """Lark's LALR(1) table for grammar/nats.lark, flattened for a tight driver loop.

    Lark's own parse builds a Token and a Tree node per step; the builder needs neither,
    only the order of the tokens (which it already has) and the reductions that matter.
    Building the table costs an import of Lark and ~20 ms, so the flattened table is
    cached on disk, keyed by the grammar's text: a pre-commit run does not pay for it.
    """
    from natslint.resources import grammar_text

    import hashlib  # only when the table is needed: most files never dangle a key

    digest = hashlib.sha256((TABLE_FORMAT + grammar_text()).encode()).hexdigest()[:16]
    cache = _cache_dir() / f"lalr-{digest}.json"
    try:
        raw = json.loads(cache.read_text(encoding="utf-8"))
        return ({int(k): {sym: tuple(v) for sym, v in row.items()} for k, row in raw["states"].items()},
                raw["start"], raw["end"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    from lark.parsers.lalr_analysis import Shift

    table = _lark().parser.parser.parser.parse_table
    states: dict[int, dict[str, tuple]] = {}
    for state, actions in table.states.items():
        row = {}
        for symbol, (action, arg) in actions.items():
            # Lark's names may be Token objects; plain str keys keep the lookups cheap
            if action is Shift:
                row[str(symbol)] = (True, arg)
            else:
                row[str(symbol)] = (False, len(arg.expansion), str(arg.origin.name))
        states[state] = row
    start, end = table.start_states["start"], table.end_states["start"]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"states": states, "start": start, "end": end}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home: build the table each run, still correct
    return states, start, end


TABLE_FORMAT = "natslint-lalr-1\n"


def _cache_dir() -> Path:
    base = os.environ.get("NATSLINT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or \
        os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "natslint"


_VALUE_START = frozenset({lx.STRING, lx.BOOL, lx.INTEGER, lx.FLOAT, lx.DATETIME, lx.VARIABLE,
                          lx.MAP_START, lx.ARRAY_START})


def _may_dangle(tokens: list[lx.RawToken]) -> bool:
    """False when every key is followed by the start of a value: then no key dangles, and
    the automaton (the costlier pass) has nothing to find."""
    after_key = False
    for t in tokens:
        if after_key and t.kind not in _VALUE_START:
            return True
        after_key = t.kind == lx.KEY
    return after_key


def dangling_keys(tokens: list[lx.RawToken]) -> set[int]:
    """Run the LALR automaton over the stream; return the indexes of keys with no value."""
    if not _may_dangle(tokens):
        return set()
    states, state0, end = _table()
    stack = [state0]
    dangling: set[int] = set()
    n = len(tokens)
    i = 0
    while True:
        kind = tokens[i].kind if i < n else "$END"
        act = states[stack[-1]].get(kind)
        if act is None:
            if kind == "$END" and stack[-1] == end:
                return dangling
            raise GrammarMismatch(i)
        if act[0]:
            stack.append(act[1])
            i += 1
            continue
        _, size, origin = act
        if size:
            del stack[-size:]
        if origin == "dangling":
            dangling.add(i - 1)
        goto = states[stack[-1]].get(origin)
        if goto is None:
            if origin == "start" and kind == "$END":
                return dangling
            raise GrammarMismatch(i)
        stack.append(goto[1])


def ordered(tree) -> Iterator[tuple[str, object]]:
    """The tree's tokens in document order, plus ("dangling", raw) marks; iterative."""
    from lark import Tree

    stack: list[Iterator] = [iter(tree.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, Tree):
                if child.data == "dangling":
                    yield "dangling", child.children[0].raw
                stack.append(iter(child.children))
                break
            yield "token", child.raw
        else:
            stack.pop()


# ---------------------------------------------------------------------------------------
# Documents and loading


@dataclass(slots=True)
class Document:
    path: str  # display path (relative to the working directory where possible)
    text: str
    root: Map | None  # None when the file could not be read or does not parse
    findings: list[Finding] = field(default_factory=list)
    server_error: str | None = None  # what nats-server would print and stop on
    includes: list[tuple[Span, str]] = field(default_factory=list)  # (directive, target path)
    comments: list[lx.Comment] = field(default_factory=list)
    lines: lx.LineIndex | None = None
    missing: bool = False  # the file does not exist (named by an include, or vanished)

    @property
    def ok(self) -> bool:
        return self.server_error is None


def go_join(directory: str, path: str) -> str:
    """Go's filepath.Join: absolute include paths are *not* special, they join too."""
    joined = posixpath.normpath(posixpath.join(directory or ".", path.lstrip("/") or "."))
    if path.startswith("/") and not path.lstrip("/"):
        joined = posixpath.normpath(directory or ".")
    return joined


@dataclass
class Loader:
    """Reads and parses files; each file is parsed once per loader (includes are shared).

    ``env`` is the environment the server will run with.  ``env_visible`` says whether
    natslint knows it: if not, an undefined ``$name`` is only info and its value unknown.
    """

    env: Mapping[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    nats_version: str = DEFAULT_NATS_VERSION
    # check skips binary and non-UTF-8 files (NL005); dump reads bytes as the server does
    strict_text: bool = False
    cache: dict[str, Document] = field(default_factory=dict)
    # path -> (text, tokens) lexed ahead by another process (natslint.check); used once
    prelexed: dict[str, tuple[str, lx.LexResult]] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)

    def read(self, path: str) -> tuple[str | None, str | None]:
        """(text, error): text decoded as the server does; error names why not."""
        try:
            data = read_bytes(path, self.max_bytes + 1)
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
        try:
            key = real(path)
        except ValueError:  # a NUL byte in the path
            key = path
        doc = self.cache.get(key)
        if doc is None and path in self.prelexed:
            text, lexed = self.prelexed.pop(path)
            self._stack.append(key)
            try:
                doc = parse_text(text, path, loader=self, lexed=lexed)
            finally:
                self._stack.pop()
            self.cache[key] = doc
        if doc is None:
            text, error = self.read(path)
            if text is None:
                doc = Document(path, "", None)
                doc.server_error = f"error opening config file: {error}"
                doc.missing = "\x00" not in path and not os.path.lexists(path)
                if not doc.missing:  # a missing file is reported where it is named
                    doc.findings.append(UNREADABLE_FILE.at(
                        Span(path, 0, 0, 1, 1, 1, 1), f"skipped {path}: {error}"))
            else:
                self._stack.append(key)
                try:
                    doc = parse_text(text, path, loader=self)
                finally:
                    self._stack.pop()
            self.cache[key] = doc
        return doc

    def in_progress(self, path: str) -> list[str] | None:
        try:
            key = real(path)
        except ValueError:
            return None
        if key in self._stack:
            return self._stack[self._stack.index(key):]
        return None


def lex_files(paths: list[str], max_bytes: int, nats_version: str) -> list[tuple]:
    """Read and lex files, as plain tuples (cheap to send from another process): (path,
    text, tokens, comments, error, eof position).  Unreadable files are left out: the
    loader reads them again and reports them."""
    reader = Loader(max_bytes=max_bytes, nats_version=nats_version, strict_text=True)
    suffix = digit_ends_suffix(nats_version)
    out = []
    for path in paths:
        text, _ = reader.read(path)
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
    doc = Document(path, text, None)
    doc.lines = lx.LineIndex(text)
    result = lexed or lx.lex(text, digit_ends_suffix=digit_ends_suffix(loader.nats_version))
    doc.comments = result.comments
    builder = Builder(doc, loader, _resolving if _resolving is not None else set(), result)
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


# ---------------------------------------------------------------------------------------
# The builder: the server's parser loop, over the tree's tokens in document order.


class Builder:
    def __init__(self, doc: Document, loader: Loader, resolving: set[str],
                 lexed: lx.LexResult) -> None:
        self.doc = doc
        self.loader = loader
        self.resolving = resolving
        self.lexed = lexed
        self.lines = doc.lines
        self.root = Map(self.span(0, len(doc.text)))
        self.contexts: list[Map | Array] = [self.root]
        self.keys: list[Key] = []
        self.last: lx.RawToken | None = None

    # -- helpers --------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return LazySpan(self.doc.path, start, end, self.lines)

    def tspan(self, tok: lx.RawToken) -> Span:
        return self.span(tok.start, tok.end)

    def go_line(self, tok: lx.RawToken) -> int:
        return self.doc.text.count("\n", 0, tok.emit_pos) + 1

    def add(self, finding: Finding) -> None:
        self.doc.findings.append(finding)

    def fatal(self, server_text: str, finding: Finding) -> None:
        """An error that stops nats-server; natslint records it and goes on."""
        if self.doc.server_error is None:
            self.doc.server_error = server_text
        self.add(finding)

    # -- the loop -------------------------------------------------------------------------

    def run(self, tokens: list[lx.RawToken], dangling: set[int]) -> None:
        token = self.token
        if dangling:
            for i, tok in enumerate(tokens):
                token(tok)
                if i in dangling:
                    self.dangling(tok)
        else:
            for tok in tokens:
                token(tok)
        if tokens:
            self.last = tokens[-1]

    def token(self, tok: lx.RawToken) -> None:
        kind = tok.kind
        if kind == lx.KEY:
            self.keys.append(Key(tok.value, self.tspan(tok), tok.style))
            if tok.style == "bare" and "{" in tok.value:
                self.add(SURPRISING_VALUE.at(
                    self.tspan(tok),
                    f"`{tok.value}` is one key: nats-server reads a '{{' right after a bare key "
                    "as part of the key",
                    fix="put a space before '{'"))
        elif kind == lx.MAP_START:
            self.contexts.append(Map(self.tspan(tok)))
        elif kind == lx.ARRAY_START:
            self.contexts.append(Array(self.tspan(tok)))
        elif kind in (lx.MAP_END, lx.ARRAY_END):
            node = self.contexts.pop()
            s = node.span
            node.span = self.span(s.start, tok.end)
            self.set_value(node, tok)
        elif kind == lx.VARIABLE:
            self.set_value(self.variable(tok), tok)
        elif kind == lx.INCLUDE:
            self.include(tok)
        else:
            node = self.scalar(tok)
            if node is not None:
                self.set_value(node, tok)

    def set_value(self, node: Node, tok: lx.RawToken) -> None:
        ctx = self.contexts[-1]
        if isinstance(ctx, Array):
            ctx.items.append(node)
            return
        if not self.keys:  # the server panics here; the lexer never lets it happen
            self.fatal("BUG in parser, keys stack empty",
                       SYNTAX_ERROR.at(self.tspan(tok), "value without a key"))
            return
        ctx.assign(Entry(self.keys.pop(), node))

    def dangling(self, tok: lx.RawToken) -> None:
        if len(self.contexts) == 1:
            return  # a trailing top-level key: check_eof decides
        self.add(SURPRISING_VALUE.at(
            self.tspan(tok),
            f"key `{tok.value}` has no value: nats-server closes the map here, assigns it to "
            f"`{tok.value}` and drops the key that opened the map",
            fix=f"give `{tok.value}` a value, or remove it"))

    def check_eof(self) -> None:
        last = self.last
        if last is not None and last.kind == lx.KEY and last.value != "}":
            line, pos = self.lexed.eof_go_pos
            shown = "" if self.doc.path == "<string>" else self.doc.path
            self.fatal(f"config is invalid ({shown}:{line}:{pos})", SYNTAX_ERROR.at(
                self.tspan(last),
                f"key `{last.value}` at the end of the file has no value (config is invalid)",
                fix=f"give `{last.value}` a value, or remove it"))

    # -- scalars --------------------------------------------------------------------------

    def scalar(self, tok: lx.RawToken) -> Scalar | None:
        span = self.tspan(tok)
        kind = tok.kind
        text = tok.value
        raw = self.doc.text[tok.start:tok.end]
        try:
            if kind == lx.STRING:
                # raw bytes only come from escapes (check reads only valid UTF-8; dump's
                # undecodable bytes stay undecodable), and escapes mark the token
                value = lx.normalise_bytes(text) if tok.escaped else text
                if tok.style == "bare" and (text.startswith("#") or text.startswith("//")):
                    self.add(SURPRISING_VALUE.at(
                        span, f"`{text}` is a string value, not a comment: a comment cannot "
                        "start where a value is expected", fix="quote the value, or give the key "
                        "a value before the comment"))
                if tok.style in ("double", "single") and (ref := _QUOTED_VAR.search(text)):
                    self.add(SURPRISING_VALUE.at(
                        span, f"`{ref.group()}` inside quotes is literal text: nats-server never "
                        "interpolates variables inside strings",
                        fix=f"use a bare `{ref.group()}` as the whole value, or build the value "
                        "outside the config"))
                if tok.style == "bare" and _SUFFIX_THEN_DIGIT.match(text):
                    self.add(SURPRISING_VALUE.at(
                        span, f"`{text}` is a string since nats-server 2.15.1; older servers stop "
                        "the number at the size suffix and reject the file",
                        fix=f'quote it: "{text}"'))
                return Scalar(STRING, value, span, raw, tok.style)
            if kind == lx.BOOL:
                return Scalar(BOOL, text.lower() in ("true", "yes", "on"), span, raw)
            if kind == lx.INTEGER:
                value, wrapped = to_int(text)
                suffix = text[len(text.rstrip("bBiIkKmMgGtTpPeE")):]
                if value is None:
                    self.add(SURPRISING_VALUE.at(
                        span, f"`{text}` has an unknown size suffix: nats-server silently stores "
                        "no value for this key", fix="use k, M, G, ... or KB, MiB, ... suffixes"))
                    return None
                if wrapped:
                    self.add(SURPRISING_VALUE.at(
                        span, f"`{text}` overflows a 64-bit integer: nats-server reads it as "
                        f"{value}", fix="use a smaller value"))
                return Scalar(INTEGER, value, span, raw, suffix=suffix)
            if kind == lx.FLOAT:
                return Scalar(FLOAT, to_float(text), span, raw)
            if kind == lx.DATETIME:
                return Scalar(DATETIME, to_datetime(text), span, raw)
        except ConvertError as exc:
            self.fatal(str(exc), SYNTAX_ERROR.at(span, str(exc)))
            return Scalar(UNKNOWN, None, span, raw)
        raise AssertionError(f"unexpected token {kind}")

    # -- variables ------------------------------------------------------------------------

    def variable(self, tok: lx.RawToken) -> Node:
        name = tok.value
        span = self.tspan(tok)
        line = self.go_line(tok)
        if name.startswith("2a$"):  # a bcrypt hash, not a reference
            return Scalar(STRING, "$" + name, span, "$" + name, "bare")
        for ctx in reversed(self.contexts):
            if isinstance(ctx, Map):
                entry = ctx.entry(name)
                if entry is not None:
                    entry.used_as_variable = True
                    return _with_use(entry.value, VarUse(name, span, entry.key.span, "config"))
        if name in self.resolving:
            self.fatal(f"variable reference for '{name}' on line {line} could not be parsed: "
                       f"variable reference cycle for '{name}'",
                       SYNTAX_ERROR.at(span, f"environment variable `{name}` refers to itself"))
            return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "unresolved"))
        env = self.loader.env
        if name in env:
            self.resolving.add(name)
            try:
                sub = parse_text(f"pk={env[name]}", f"${name}", loader=self.loader,
                                 _resolving=self.resolving)
            finally:
                self.resolving.discard(name)
            value = sub.root.get("pk") if sub.root is not None else None
            if sub.server_error is not None or value is None:
                inner = sub.server_error or "config is invalid"
                self.fatal(f"variable reference for '{name}' on line {line} could not be "
                           f"parsed: {inner}",
                           SYNTAX_ERROR.at(span, f"environment variable `{name}` does not parse as "
                                           f"a config value: {inner}",
                                           fix="quote the value in the environment"))
                return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "env"))
            return _respan(value, span, VarUse(name, span, None, "env"))
        message = f"variable reference for '{name}' on line {line} can not be found"
        if self.loader.env_visible:
            self.fatal(message, UNDEFINED_VARIABLE.at(
                span, f"`${name}` is defined neither earlier in an enclosing block nor in the "
                "environment the server runs with",
                fix=f"define `{name}` before this line, or set it in the environment"))
        else:
            self.add(UNDEFINED_VARIABLE.at(
                span, f"`${name}` is not defined in the config; its value comes from the server's "
                "environment, which natslint does not see, so it is unknown here",
                severity=Severity.INFO, fix=f"pass --env {name}=VALUE or --env-file to check it"))
        return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "unresolved"))

    # -- includes -------------------------------------------------------------------------

    def include(self, tok: lx.RawToken) -> None:
        span = self.tspan(tok)
        written = tok.value
        target = go_join(posixpath.dirname(self.doc.path), written)
        self.doc.includes.append((span, target))
        prefix = f"error parsing include file '{written}', "
        cycle = self.loader.in_progress(target)
        if cycle is not None:
            chain = " -> ".join([*(os.path.relpath(p) for p in cycle), target])
            self.add(INCLUDE_CYCLE.at(
                span, f"include cycle: {chain} (nats-server would recurse until it crashes)",
                fix="remove one of the includes in the cycle"))
            self.doc.server_error = self.doc.server_error or prefix + "include cycle"
            return
        included = self.loader.load(target)
        if included.root is None and included.text == "" and included.server_error and \
                included.server_error.startswith("error opening config file"):
            reason = included.server_error[len("error opening config file: "):]
            self.fatal(prefix + included.server_error, INCLUDE_NOT_FOUND.at(
                span, f"cannot include {target}: {reason}",
                fix="fix the path: it is joined to this file's directory, even when absolute"))
            return
        if included.server_error is not None:
            first = next((f for f in included.findings if f.code == SYNTAX_ERROR.code), None)
            if first is None:  # the included file's own findings say why (cycle, variable)
                self.doc.server_error = self.doc.server_error or prefix + included.server_error
            else:
                self.fatal(prefix + included.server_error, SYNTAX_ERROR.at(
                    span, f"included file {target} does not parse: {first.message}",
                    related=(Related(first.span, first.message),)))
        if included.root is None:
            return
        ctx = self.contexts[-1]
        assert isinstance(ctx, Map)  # includes only appear where keys do
        for entry in included.root.live():
            ctx.assign(Entry(entry.key, entry.value, (span, *entry.via), entry.used_as_variable))

    # -- lexer errors ---------------------------------------------------------------------

    def report_lex_error(self, err: lx.LexError) -> None:
        text = self.doc.text
        message = err.message.replace("\x00", "EOF")
        hint = ""
        if "Unexpected EOF processing block" in message and "\r\n" in text:
            hint = ("this file has CRLF line ends: a block string closes only on a line that is "
                    "exactly ')' followed by LF, so it never closes")
        elif message.startswith("Expected an array value terminator"):
            bad = next((t for t in reversed(self.lexed.tokens)
                        if t.kind == lx.STRING and t.value[:1].isdecimal() and "]" in t.value), None)
            if bad is not None:
                hint = (f"nats-server reads `{bad.value}` as one string, so the array never "
                        "closes: put a space or a newline between a number and ']'")
        elif message.startswith("Expected a top-level value to end") and err.offset < len(text) \
                and text[err.offset].isdecimal():
            hint = "a size suffix ends a number: quote values like `1m30s` or `4e2abc`"
        offset = min(err.offset, len(text))
        end = offset + 1 if offset < len(text) and text[offset] != "\n" else offset
        self.add(SYNTAX_ERROR.at(self.span(offset, end), message, fix=hint))


def _with_use(node: Node, use: VarUse) -> Node:
    """The referenced value, seen from the reference: same data, the use's location."""
    if isinstance(node, Scalar):
        return Scalar(node.kind, node.value, use.span, node.raw, node.style, node.suffix, use)
    if isinstance(node, Map):
        m = Map(use.span, node.entries, use)
        m._index = node._index
        return m
    return Array(use.span, node.items, use)


def _respan(node: Node, span: Span, use: VarUse) -> Node:
    """An environment value: every part of it is located at the reference."""
    top = _with_use(node, use)
    stack = [top]
    while stack:
        n = stack.pop()
        if isinstance(n, Map):
            n.entries = [Entry(Key(e.key.name, span, e.key.style), _with_use(e.value, use))
                         for e in n.entries]
            stack.extend(e.value for e in n.entries)
        elif isinstance(n, Array):
            n.items = [_with_use(i, use) for i in n.items]
            stack.extend(n.items)
    return top
