"""The builder: nats-server's parser loop, over the tokens in document order.

A stack of open maps and arrays, a stack of pending keys, ``$name`` looked up in the maps
open *so far* (then in the server's environment), and ``include`` parsed on its own and
merged shallowly.  The loader that drives the builder reads included files and parses
environment values; the builder only asks it, through :class:`Includes`, and knows nothing
else of it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Mapping, Protocol

from natslint.codes import (
    INCLUDE_CYCLE,
    INCLUDE_NOT_FOUND,
    QUOTED_VARIABLE,
    SURPRISING_VALUE,
    SYNTAX_ERROR,
    UNDEFINED_QUOTED_VARIABLE,
    UNDEFINED_VARIABLE,
)
from natslint.findings import Finding, Related, Severity
from natslint.redact import is_secret_key
from natslint.sources import SourceCache
from natslint.span import LazySpan, Span
from natslint.syntax import lexer as lx
from natslint.syntax.convert import ConvertError, to_datetime, to_float, to_int
from natslint.syntax.document import Document, go_join
from natslint.syntax.hints import lex_error_hint, unclosed_quote
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
    UnknownValue,
    VarUse,
)

_QUOTED_VAR = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
# NATS's own names that start with `$`: accounts, and the prefixes of its internal subjects
NATS_DOLLAR_NAMES = {"SYS", "G", "JS", "JSC", "KV", "O", "OBJ", "MQTT", "NRG", "SRV", "LDS", "GR", "GW",
                     "SYSTEM", "JS_API", "JSC_API"}
_SUFFIX_THEN_DIGIT = re.compile(r"-?\d+[kKmMgGtTpPeE][bBiI]*\d")


class Includes(Protocol):
    """What the builder asks of the loader that drives it (natslint.syntax.parser.Loader): the
    server's environment, the files an `include` reaches, and how each file is shown."""

    env: Mapping[str, str]
    env_visible: bool  # whether natslint knows the environment (else an undefined $NAME is unknown)
    sources: SourceCache | None

    def display(self, path: str) -> str: ...

    def in_progress(self, path: str) -> list[str] | None: ...  # the include chain, when a cycle

    def load(self, path: str) -> Document: ...

    def parse_value(self, text: str, name: str, resolving: set[str]) -> Document: ...

    def ignored(self, path: str) -> str | None: ...  # where git is told to ignore a missing file


class Builder:
    def __init__(self, doc: Document, loader: Includes, resolving: set[str],
                 lexed: lx.LexResult) -> None:
        self.doc = doc
        self.loader = loader
        self.resolving = resolving
        self.lexed = lexed
        self.lines = doc.lines
        # an embedded config's tokens are located in the manifest that holds it
        self.span_path = loader.sources.file_of(doc.path) if loader.sources is not None else doc.path
        # a config a chart renders: each line is located where its value was written
        self.line_spans = loader.sources.line_spans(doc.path) if loader.sources is not None else None
        if self.line_spans:
            # not a method bound to this builder: a cycle, kept to the end with the collector off
            self.span = functools.partial(self.lines.rendered_span, self.line_spans)  # type: ignore[method-assign]
        self.root = Map(self.span(0, len(doc.text)))
        self.contexts: list[Map | Array] = [self.root]
        self.keys: list[Key] = []
        self.last: lx.RawToken | None = None

    # -- helpers --------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return LazySpan(self.span_path, start, end, self.lines)

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
                    f"`{tok.value}` is one key",
                    "nats-server reads a '{' right after a bare key as part of the key",
                    fix="put a space before '{'"))
        elif kind == lx.MAP_START:
            self.contexts.append(Map(self.tspan(tok)))
        elif kind == lx.ARRAY_START:
            self.contexts.append(Array(self.tspan(tok)))
        elif kind in (lx.MAP_END, lx.ARRAY_END):
            node = self.contexts.pop()
            if not self.line_spans:  # a rendered config's map stands where its opening was written
                node.span = self.span(node.span.start, tok.end)
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
            f"key `{tok.value}` has no value",
            f"nats-server closes the map here, assigns it to `{tok.value}` and drops the key that opened the map",
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
                        span, f"{self.shown(text)} is a string value, not a comment",
                        "a comment cannot start where a value is expected", fix="quote the value, or give the key "
                        "a value before the comment"))
                if tok.style in ("double", "single") and "$" in text:
                    self.quoted_dollars(text, span)
                if tok.style == "bare" and _SUFFIX_THEN_DIGIT.match(text):
                    self.add(SURPRISING_VALUE.at(
                        span, f"{self.shown(text)} is a string since nats-server 2.15.1",
                        "older servers stop the number at the size suffix and reject the file",
                        fix=f'quote it: "{text}"' if self.shown(text) != "the value" else "quote the value"))
                return Scalar(STRING, value, span, raw, tok.style)
            if kind == lx.BOOL:
                return Scalar(BOOL, text.lower() in ("true", "yes", "on"), span, raw)
            if kind == lx.INTEGER:
                value, wrapped = to_int(text)
                suffix = text[len(text.rstrip("bBiIkKmMgGtTpPeE")):]
                if value is None:
                    self.add(SURPRISING_VALUE.at(
                        span, f"{self.shown(text)} has an unknown size suffix",
                        "nats-server silently stores no value for this key", fix="use k, M, G, ... or KB, MiB, ... suffixes"))
                    return None
                if wrapped:
                    self.add(SURPRISING_VALUE.at(
                        span, f"{self.shown(text)} overflows a 64-bit integer",
                        "nats-server reads it as " + (f"{value}" if self.shown(text) != "the value"
                                                      else "another number"),
                        fix="use a smaller value"))
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

    def shown(self, text: str) -> str:
        """A value as a message quotes it: never a secret (the value of a password, token,
        seed ...).  Asked only when a finding is made: the key check is no cost per token."""
        return "the value" if self.keys and is_secret_key(self.keys[-1].name) else f"`{text}`"

    def quoted_dollars(self, text: str, span: Span) -> None:
        """`$NAME` inside quotes is literal text.  It is a mistake when NAME is a variable
        (in scope here, or in the server's environment); a value that is exactly `$NAME` with
        NAME defined nowhere is worth a note.  Subjects (`$JS.API.>`), NATS's own names
        (`$SYS`, `$G`) and hashes are left alone."""
        for m in _QUOTED_VAR.finditer(text):
            name = m.group()[1:]
            where = "set earlier in an enclosing block" if self.in_scope(name) else \
                "set in the server's environment" if name in self.loader.env else None
            if where is not None:
                self.add(QUOTED_VARIABLE.at(
                    span, f"`${name}` inside quotes is the literal text `${name}`, although `{name}` is {where}",
                    "nats-server never interpolates variables inside strings",
                    fix=f"write `${name}` unquoted as the whole value, or build the value outside the config"))
                return
        whole = _QUOTED_VAR.fullmatch(text) is not None and text[1:].upper() not in NATS_DOLLAR_NAMES
        for m in _QUOTED_VAR.finditer(text):  # judged with the whole config (quoted_variables)
            if m.group()[1:].upper() not in NATS_DOLLAR_NAMES:
                self.doc.quoted.append((m.group()[1:], span, whole))

    def in_scope(self, name: str) -> bool:
        return any(isinstance(ctx, Map) and ctx.entry(name) is not None for ctx in self.contexts)

    def variable(self, tok: lx.RawToken) -> Node:
        name = tok.value
        span = self.tspan(tok)
        self.doc.bare_vars.add(name)
        if name.startswith("2a$"):  # a bcrypt hash, not a reference
            return Scalar(STRING, "$" + name, span, "$" + name, "bare")
        for ctx in reversed(self.contexts):
            if isinstance(ctx, Map):
                entry = ctx.entry(name)
                if entry is not None:
                    entry.used_as_variable = True
                    return _with_use(entry.value, VarUse(name, span, entry.key.span, "config"))
        if name in self.resolving:
            self.fatal(f"variable reference for '{name}' on line {self.go_line(tok)} could not be parsed: "
                       f"variable reference cycle for '{name}'",
                       SYNTAX_ERROR.at(span, f"environment variable `{name}` refers to itself"))
            return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "unresolved"))
        env = self.loader.env
        if isinstance(env.get(name), UnknownValue):  # set by the deployment, its value not in the tree
            return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "env"))
        if name in env:
            self.resolving.add(name)
            try:
                sub = self.loader.parse_value(env[name], name, self.resolving)
            finally:
                self.resolving.discard(name)
            value = sub.root.get("pk") if sub.root is not None else None
            if sub.server_error is not None or value is None:
                inner = sub.server_error or "config is invalid"
                self.fatal(f"variable reference for '{name}' on line {self.go_line(tok)} could not be "
                           f"parsed: {inner}",
                           SYNTAX_ERROR.at(span, f"environment variable `{name}` does not parse as "
                                           f"a config value: {inner}",
                                           fix="quote the value in the environment"))
                return Scalar(UNKNOWN, None, span, tok.value, via=VarUse(name, span, None, "env"))
            return _respan(value, span, VarUse(name, span, None, "env"))
        if self.loader.env_visible:  # the line is counted only here: once per variable would be quadratic
            self.fatal(f"variable reference for '{name}' on line {self.go_line(tok)} can not be found",
                       UNDEFINED_VARIABLE.at(span, f"`${name}` is defined neither earlier in an enclosing block "
                                             "nor in the environment the server runs with",
                                             fix=f"define `{name}` before this line, or set it in the environment"))
        else:
            self.add(UNDEFINED_VARIABLE.at(
                span, f"`${name}` is not defined in the config",
                "its value comes from the server's environment, which natslint does not see, so it is "
                "unknown here",
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
            chain = " -> ".join([*(self.loader.display(p) for p in cycle), target])
            self.add(INCLUDE_CYCLE.at(
                span, f"include cycle: {chain}", "nats-server would recurse until it crashes",
                fix="remove one of the includes in the cycle"))
            self.doc.server_error = self.doc.server_error or prefix + "include cycle"
            return
        included = self.loader.load(target)
        if included.opaque and included.root is None:
            why = included.opaque[0][1]
            self.doc.opaque.append((span, f"on {why}"))
            self.add(INCLUDE_NOT_FOUND.at(
                span, f"include {written} opens a file on {why}",
                "its settings are unknown, and rules that need this server's config skip it", severity=Severity.INFO,
                fix="nothing to fix if the volume holds it; to check it, put its content in the checked files"))
            return
        self.doc.opaque += [(span, why) for _, why in included.opaque]  # each says where: "on ...", "ignored by ..."
        if included.root is None and included.text == "" and included.server_error and \
                included.server_error.startswith("error opening config file"):
            reason = included.server_error[len("error opening config file: "):]
            ignored = self.loader.ignored(target) if included.missing else None
            if ignored is not None:  # generated at deploy time, or a secret: unknown, not absent
                self.doc.opaque.append((span, f"ignored by {ignored}"))
                self.add(INCLUDE_NOT_FOUND.at(
                    span, f"include {written} is not in the tree: ignored by {ignored}, generated or secret",
                    "what it defines is unknown, and rules that need this server's config skip it",
                    severity=Severity.INFO, fix="nothing to fix if the deploy writes it; to check it, run natslint "
                                                "where the file exists"))
                return
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

    def report_lex_error(self, err: lx.LexError) -> None:
        text = self.doc.text
        # the server's own words; the NUL it prints for the end of the file, made visible
        message = err.message.replace("\x00", "\\u0000")
        notes = ("`\\u0000` stands for the NUL character nats-server prints there: the end of the file",) \
            if "\x00" in err.message else ()
        offset = min(err.offset, len(text))
        end = offset + 1 if offset < len(text) and text[offset] != "\n" else offset
        related: tuple[Related, ...] = ()
        quote = unclosed_quote(text, offset) if "EOF" in message else None
        if quote is not None:
            opened = self.span(quote, quote + 1)
            notes += (f"the quote that opens on line {opened.line}, column {opened.col} never closes: "
                      "the string runs on to the end of the file",)
            related = (Related(opened, "this quote is never closed"),)
        self.add(SYNTAX_ERROR.at(self.span(offset, end), message, *notes, related=related,
                                 fix=lex_error_hint(message, text, err.offset, self.lexed.tokens)))


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


def quoted_variables(docs: list[Document]) -> None:
    """Judge the `$NAME`s left inside quotes, with all the files one server reads: NL007 when
    the config uses `$NAME` as a variable elsewhere (so the server is meant to have it), NL008
    when the whole value is such a name, defined nowhere."""
    bare = set().union(*(d.bare_vars for d in docs))
    for d in docs:
        if d.quoted_done:
            continue
        d.quoted_done = True
        flagged: set[int] = set()
        for name, span, whole in d.quoted:
            if name in bare and span.start not in flagged:
                flagged.add(span.start)
                d.judged.append(QUOTED_VARIABLE.at(
                    span, f"`${name}` inside quotes is the literal text `${name}`, although this config "
                    f"uses `${name}` as a variable elsewhere", "nats-server never interpolates inside strings",
                    fix=f"write `${name}` unquoted as the whole value, or build the value outside the config"))
        for name, span, whole in d.quoted:
            if whole and span.start not in flagged:
                d.judged.append(UNDEFINED_QUOTED_VARIABLE.at(
                    span, f"the value is the literal text `${name}`",
                    f"quotes are never interpolated, and `{name}` is defined nowhere natslint can see",
                    fix=f"if `${name}` is meant as a variable, remove the quotes and define `{name}`"))
