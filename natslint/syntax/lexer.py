"""The NATS config lexer: nats-server's ``conf/lex.go`` state machine, state for state.

Why hand-written: almost every decision in the NATS format is lexical and depends on
context (``a #x`` is a value, ``m{a=1}`` is the key ``m{a``, ``[1]`` is an error, a
newline after ``=`` is an error at top level but not inside a map).  A regex lexer cannot
reproduce that, so this module mirrors the server's states, their return-state stack and
their exact error texts.  It yields typed tokens that ``grammar/nats.lark`` shapes into a
tree.  Hot states take a regex fast path over runs of ordinary characters; the
per-character path is kept for every character that can change the state.

Text is a ``str`` decoded with ``surrogateescape``: the server works on bytes, and a
``\\xHH`` escape may produce a byte that is not valid UTF-8.  Such bytes live in the
string as lone surrogates until :func:`normalise_bytes` settles them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Token kinds (the terminals that grammar/nats.lark %declares).
KEY = "KEY"
STRING = "STRING"
BOOL = "BOOL"
INTEGER = "INTEGER"
FLOAT = "FLOAT"
DATETIME = "DATETIME"
VARIABLE = "VARIABLE"
INCLUDE = "INCLUDE"
ARRAY_START = "ARRAY_START"
ARRAY_END = "ARRAY_END"
MAP_START = "MAP_START"
MAP_END = "MAP_END"

# The server's EOF sentinel is rune 0, so a NUL byte in the input *is* EOF to most states.
EOF = "\x00"

# Go's unicode.IsSpace.  Python's str.isspace() also accepts U+001C..U+001F, the server does not.
USPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
WS = frozenset(" \t")
NL = frozenset("\n\r")
KEY_SEP = frozenset("=:")
SUFFIX = frozenset("kKmMgGtTpPeE")
# What ends an integer without turning it into a string (6.5 of the syntax spec).
INT_END = frozenset("\n\r\x00};, \t")
# What ends an unquoted string (not consumed).  A ' also ends it but is consumed.
STRING_END = frozenset("\n\r\x00;,]} \t")
BOOL_WORDS = frozenset(("true", "false", "yes", "no", "on", "off"))
ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}
HEX2 = re.compile(r"[0-9a-fA-F]{2}\Z")

_USPACE_CLASS = "".join(sorted(USPACE)).replace("\\", "\\\\")
# Fast paths: runs of characters that cannot change the state.
_PLAIN_STRING_RUN = re.compile(r"[^\\\n\r\x00;,\]} \t']+")
_PLAIN_KEY_RUN = re.compile("[^=:\x00" + re.escape(_USPACE_CLASS) + "]+")
_DQ_RUN = re.compile(r'[^\\"\x00]+')
_SQ_RUN = re.compile(r"[^'\x00]*")
_DQ_KEY_RUN = re.compile(r'[^"\x00]*')
_COMMENT_RUN = re.compile(r"[^\n\r\x00]+")
_RAW_BYTE = re.compile("[\udc80-\udcff]")  # a byte kept by surrogateescape
_BLANK_RUN = re.compile(r"[ \t\r\n]+")
_DIGIT_RUN = re.compile(r"\d+")  # str patterns: \d is any Nd digit, as is_digit
_INCLUDE_RUN = re.compile(r"[^\n\r\x00;}' \t]+")  # an unquoted include path: , and ] do not end it
# One whole ordinary entry, `name: "text"` or `name = word`, read in one match where a key may
# start.  It takes only what the states would read without a decision: a plain key followed by
# blanks or a separator, then a double-quoted string without escapes or a word that starts with
# a letter, `_` or `$` and ends where an unquoted string ends.  Anything else (include, numbers,
# escapes, a newline before the value, a quote ending a word) goes through the states.
_FAST_ENTRY = re.compile(
    r"([A-Za-z_][A-Za-z0-9_-]*)(?:[ \t]*[:=][ \t]*|[ \t]+)"
    r"(?:\"([^\"\\\x00\n]*)\"|([A-Za-z_$][^\\\n\r\x00;,\]} \t']*)(?=[\n\r\x00;,\]} \t]|\Z))"
)


def is_digit(c: str) -> bool:
    """Go's unicode.IsDigit: any Nd digit, not only 0-9."""
    return c.isdecimal()


def blen(text: str) -> int:
    """Length in bytes, as the server counts positions."""
    return len(text.encode("utf-8", "surrogateescape"))


def normalise_bytes(text: str) -> str:
    """Turn escape-produced bytes that form valid UTF-8 back into characters."""
    if not _RAW_BYTE.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


def go_rune(c: str) -> str:
    """How the server prints an offending character: a newline as \\n, EOF as NUL."""
    return "\\n" if c == "\n" else c


@dataclass(slots=True)
class RawToken:
    """One token as the server's lexer emits it, with the offsets natslint points at."""

    kind: str
    value: str
    start: int  # offset of the literal's first character (quotes included)
    end: int  # offset just past the literal
    emit_pos: int  # lexer offset when the server would emit it (its line is the item's line)
    style: str = ""  # bare | double | single | block, for keys, strings and includes
    escaped: bool = False  # an escape was processed (unquoted strings)


@dataclass(slots=True)
class Comment:
    """A comment's offsets and text (suppressions live in comments)."""

    start: int
    end: int
    text: str


class LexError(Exception):
    """A lexer error, with the server's exact message and line."""

    def __init__(self, message: str, offset: int, go_line: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.go_line = go_line


@dataclass(slots=True)
class LexResult:
    """One file's tokens, its comments, and the lexer's error if it stopped on one."""

    tokens: list[RawToken]
    comments: list[Comment]
    error: LexError | None
    eof_go_pos: tuple[int, int] = (1, 0)  # (line, pos) of the EOF item, for "config is invalid"


class Lexer:
    """One pass over one document.  States are methods that return the next state."""

    def __init__(self, text: str, *, digit_ends_suffix: bool = False, fast: bool = True) -> None:
        self.s = text
        # Before nats-server 2.15.1 a digit right after a size suffix ended the integer
        # ("1m30s" was the integer 1m, then an error); since then the value is a string.
        self.digit_ends_suffix = digit_ends_suffix
        self.n = len(text)
        self.pos = 0
        self.start = 0
        self.tstart = 0  # where the current token's text began (start moves on escapes)
        self.width = 0
        self.stack: list = []
        self.parts: list[str] = []
        self.string_state = self.lex_string
        self.depth = 0  # nesting of transparent top-level { } blocks
        self.include_start = 0
        self.tokens: list[RawToken] = []
        self.comments: list[Comment] = []
        self.error: LexError | None = None
        self.eof_pos = 0
        self.ilstart_at = 0
        self.fast = fast  # off: every character through the states (tests compare the two)

    # -- primitives ---------------------------------------------------------------------

    def next(self) -> str:
        pos = self.pos
        if pos >= self.n:
            self.width = 0
            return EOF
        self.width = 1
        self.pos = pos + 1
        return self.s[pos]

    def backup(self) -> None:
        self.pos -= self.width

    def peek(self) -> str:
        return self.s[self.pos] if self.pos < self.n else EOF

    def ignore(self) -> None:
        self.start = self.tstart = self.pos
        self.ilstart_at = self.pos

    def skip_blanks(self) -> None:
        """Skip a run of ASCII blanks in a state that skips every Unicode space anyway."""
        m = _BLANK_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
            self.ignore()

    def push(self, state) -> None:
        self.stack.append(state)

    def pop(self):
        if not self.stack:
            return self.errorf("BUG in lexer: no states to pop.")
        return self.stack.pop()

    def emit(self, kind: str, style: str = "", start: int | None = None, end: int | None = None,
             escaped: bool = False) -> None:
        value = self.s[self.start : self.pos]
        if self.parts:
            value = "".join(self.parts) + value
            self.parts = []
            escaped = True
        self.tokens.append(
            RawToken(
                kind,
                value,
                self.tstart if start is None else start,
                self.pos if end is None else end,
                self.pos,
                style,
                escaped,
            )
        )
        self.start = self.tstart = self.pos
        self.ilstart_at = self.pos

    def emit_eof(self):
        self.eof_pos = self.pos
        return None

    def errorf(self, message: str):
        pos = self.pos
        off = pos - 1 if self.width and pos > 0 and self.s[pos - 1] != "\n" else pos
        self.error = LexError(message, min(off, self.n), self.s.count("\n", 0, pos) + 1)
        return None

    def add_current_part(self, offset: int) -> None:
        self.parts.append(self.s[self.start : self.pos - offset])
        self.start = self.pos

    def add_part(self, text: str):
        self.parts.append(text)
        self.start = self.pos
        return self.string_state

    def comment(self, back):
        self.push(back)
        return self.lex_comment_start

    def slash_comment(self, back) -> bool:
        """After a '/': a second '/' starts a comment (True); otherwise un-read it."""
        if self.next() == "/":
            self.push(back)
            return True
        self.backup()
        return False

    def fast_entry(self) -> bool:
        """Read one ordinary entry (see _FAST_ENTRY) at once, as the states would: its key and
        value tokens, positions and styles are theirs.  Leaves the lexer where the value ends."""
        m = _FAST_ENTRY.match(self.s, self.pos)
        if m is None:
            return False
        key = m.group(1)
        if key.lower() == "include":
            return False
        tokens = self.tokens
        kstart = self.pos
        kend = kstart + len(key)
        tokens.append(RawToken(KEY, key, kstart, kend, kend, "bare", False))
        quoted = m.group(2)
        end = m.end()
        if quoted is not None:
            tokens.append(RawToken(STRING, quoted, m.start(2) - 1, end, end - 1, "double", False))
        else:
            word = m.group(3)
            start = m.start(3)
            if word[0] == "$":
                tokens.append(RawToken(VARIABLE, word[1:], start, end, end, "bare", False))
            elif word.lower() in BOOL_WORDS:
                tokens.append(RawToken(BOOL, word, start, end, end, "bare", False))
            else:
                tokens.append(RawToken(STRING, word, start, end, end, "bare", False))
        self.pos = self.start = self.tstart = self.ilstart_at = end
        return True

    # -- document level -----------------------------------------------------------------

    def _expect_key(self, here, value_end, in_block: bool):
        """Where a key may start: the top level, or inside a transparent { } block."""
        self.skip_blanks()
        if self.fast and self.fast_entry():
            return value_end
        r = self.next()
        if r in USPACE:
            self.ignore()
            return here
        if r == "{":
            self.ignore()
            self.depth += 1
            return self.lex_block_start
        if in_block and r == "}":
            self.ignore()
            return self.close_block()
        if r == "#":
            return self.comment(here)
        if r == "/" and self.slash_comment(here):
            return self.lex_comment_start
        if r == "/" or r == EOF:
            if self.pos > self.start:
                return self.errorf("Unexpected EOF.")
            return self.emit_eof()
        self.backup()
        self.push(value_end)
        return self.lex_key_start

    def lex_top(self):
        return self._expect_key(self.lex_top, self.lex_top_value_end, False)

    def lex_top_value_end(self):
        r = self.next()
        if r == "#":
            return self.comment(self.lex_top)
        if r == "/":
            if self.slash_comment(self.lex_top):
                return self.lex_comment_start
            return self.lex_top_value_end  # a lone '/' counts as whitespace
        if r in WS:
            return self.lex_top_value_end
        if r in NL or r == EOF or r in ";,}":
            self.ignore()
            return self.lex_top
        return self.errorf(
            "Expected a top-level value to end with a new line, comment or EOF, "
            f"but got '{go_rune(r)}' instead."
        )

    # A '{' where a top-level key is expected opens a transparent block (JSON files).

    def close_block(self):
        self.depth -= 1
        return self.lex_top if self.depth == 0 else self.lex_block_after_inner

    def lex_block_start(self):
        return self._expect_key(self.lex_block_start, self.lex_block_value_end, True)

    def lex_block_value_end(self):
        r = self.next()
        # unlike the top level, a comment here must still be followed by a newline
        if r == "#":
            return self.comment(self.lex_block_value_end)
        if r == "/":
            if self.slash_comment(self.lex_block_value_end):
                return self.lex_comment_start
            return self.lex_block_value_end
        if r in WS:
            return self.lex_block_value_end
        if r in NL or r in ";,":
            self.ignore()
            return self.lex_block_start
        if r == "}":
            self.ignore()
            return self.close_block()
        return self.errorf(
            "Expected a block-level value to end with a new line, comment or EOF, "
            f"but got '{go_rune(r)}' instead."
        )

    def lex_block_after_inner(self):
        r = self.next()
        if r in WS or r in NL:
            self.ignore()
            return self.lex_block_after_inner
        # a comment here ends the entry, as a newline after a value does
        if r == "#":
            return self.comment(self.lex_block_start)
        if r == "/":
            if self.slash_comment(self.lex_block_start):
                return self.lex_comment_start
            self.ignore()
            return self.lex_block_after_inner
        if r == "}":
            self.ignore()
            return self.close_block()
        if r in ",;":
            self.ignore()
            return self.lex_block_start
        return self.errorf(f"Expected a block-level to end with a '}}', but got '{go_rune(r)}' instead.")

    # -- keys ---------------------------------------------------------------------------

    def lex_key_start(self):
        r = self.peek()
        if r in KEY_SEP:
            self.next()
            return self.errorf(f"Unexpected key separator '{r}'")
        if r in USPACE:
            self.next()
            self.ignore()
            return self.lex_key_start
        if r == '"' or r == "'":
            self.next()
            self.ignore()
            return self.lex_dq_key if r == '"' else self.lex_sq_key
        self.ignore()
        self.next()
        return self.lex_key

    def _quoted_key(self, quote: str, style: str, after, eof_error: str | None):
        # No escapes in keys: the text runs to the next identical quote (or NUL/EOF).
        self.pos = (_DQ_KEY_RUN if quote == '"' else _SQ_RUN).match(self.s, self.pos).end()
        if self.peek() == quote:
            self.emit(KEY, style, self.tstart - 1, self.pos + 1)
            self.next()
            self.ignore()
            return after
        if eof_error is None and self.pos == self.start:
            return self.emit_eof()  # quirk: an opening quote right before EOF ends the document
        self.next()
        return self.errorf(eof_error or "Unexpected EOF.")

    def lex_dq_key(self):
        return self._quoted_key('"', "double", self.lex_key_end, None)

    def lex_sq_key(self):
        return self._quoted_key("'", "single", self.lex_key_end, None)

    def key_check_keyword(self, fall_through, push):
        if self.s[self.start : self.pos].lower() == "include":
            self.include_start = self.start
            self.ignore()
            if push is not None:
                self.push(push)
            return self.lex_include_start
        self.emit(KEY, "bare")
        return fall_through

    def lex_key(self):
        m = _PLAIN_KEY_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.peek()
        if r in USPACE:
            return self.key_check_keyword(self.lex_key_end, None)
        # r is a separator or EOF (NUL included)
        self.emit(KEY, "bare")
        return self.lex_key_end

    def lex_key_end(self):
        self.skip_blanks()
        r = self.next()
        if r in USPACE:
            self.ignore()
            return self.lex_key_end
        if r in KEY_SEP:
            self.ignore()
            return self.lex_value
        if r == EOF:
            return self.emit_eof()
        self.backup()
        return self.lex_value

    # -- include ------------------------------------------------------------------------

    def lex_include_start(self):
        r = self.next()
        if r in WS:
            self.ignore()
            return self.lex_include_start
        self.backup()
        return self.lex_include

    def lex_include(self):
        r = self.next()
        if r == "'" or r == '"':
            self.ignore()
            return self.lex_include_sq if r == "'" else self.lex_include_dq
        errors = {
            "[": "start of an array",
            "{": "start of a map",
            "(": "start of a block",
            "\\": "escape sequence",
        }
        if r in errors:
            return self.errorf(f"Expected include value but found {errors[r]}")
        if is_digit(r) or r == "-":
            return self.errorf("Expected include value but found start of a number")
        if r in NL:
            return self.errorf("Expected include value but found new line")
        self.backup()
        return self.lex_include_bare

    def _include_quoted(self, quote: str, style: str, eof_error: str):
        end = self.s.find(quote, self.pos)
        nul = self.s.find("\x00", self.pos, end if end >= 0 else self.n)
        if nul >= 0:  # NUL is the server's EOF
            self.pos, self.width = nul + 1, 1
            return self.errorf(eof_error)
        if end < 0:
            self.pos, self.width = self.n, 0
            return self.errorf(eof_error)
        self.pos = end
        self.emit(INCLUDE, style, self.include_start, end + 1)
        self.next()
        self.ignore()
        return self.pop()

    def lex_include_sq(self):
        return self._include_quoted("'", "single", "Unexpected EOF in quoted include")

    def lex_include_dq(self):
        return self._include_quoted('"', "double", "Unexpected EOF in double quoted include")

    def lex_include_bare(self):
        m = _INCLUDE_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.next()
        if r in NL or r == EOF or r == ";" or r == "}" or r in WS:
            self.backup()
            self.emit(INCLUDE, "bare", self.include_start)
            return self.pop()
        if r == "'":
            self.backup()
            self.emit(INCLUDE, "bare", self.include_start)
            self.next()
            self.ignore()
            return self.pop()
        return self.lex_include_bare

    # -- values -------------------------------------------------------------------------

    def lex_value(self):
        r = self.next()
        if r in WS:
            self.ignore()
            return self.lex_value
        if r == "[":
            self.ignore()
            self.emit(ARRAY_START, start=self.pos - 1)
            return self.lex_array_value
        if r == "{":
            self.ignore()
            self.emit(MAP_START, start=self.pos - 1)
            return self.lex_map_key_start
        if r == "'":
            self.ignore()
            return self.lex_sq_string
        if r == '"':
            self.ignore()
            self.string_state = self.lex_dq_string
            return self.lex_dq_string
        if r == "-":
            return self.lex_neg_number_start
        if r == "(":
            self.ignore()
            return self.lex_block_string
        if is_digit(r):
            self.backup()
            return self.lex_number_start
        if r == ".":
            return self.errorf("Floats must start with a digit")
        if r in NL:
            return self.errorf("Expected value but found new line")
        self.backup()
        self.string_state = self.lex_string
        return self.lex_string

    # -- arrays -------------------------------------------------------------------------

    def lex_array_value(self):
        self.skip_blanks()
        r = self.next()
        if r in USPACE:
            self.ignore()
            return self.lex_array_value
        if r == "#":
            return self.comment(self.lex_array_value)
        if r == "/" and self.slash_comment(self.lex_array_value):
            return self.lex_comment_start
        if r == "/" or r == ",":
            return self.errorf("Unexpected array value terminator ','.")
        if r == "]":
            return self.lex_array_end
        self.backup()
        self.push(self.lex_array_value_end)
        return self.lex_value

    def lex_array_value_end(self):
        r = self.next()
        if r in WS:
            self.ignore()
            return self.lex_array_value_end
        if r == "#":
            return self.comment(self.lex_array_value_end)
        if r == "/" and self.slash_comment(self.lex_array_value_end):
            return self.lex_comment_start
        if r == "/" or r == "," or r in NL:
            self.ignore()
            return self.lex_array_value
        if r == "]":
            return self.lex_array_end
        return self.errorf(
            'Expected an array value terminator "," or an array terminator "]", '
            f"but got '{go_rune(r)}' instead."
        )

    def lex_array_end(self):
        self.ignore()
        self.emit(ARRAY_END, start=self.pos - 1)
        return self.pop()

    # -- maps ---------------------------------------------------------------------------

    def lex_map_key_start(self):
        self.skip_blanks()
        if self.fast and self.fast_entry():
            return self.lex_map_value_end
        r = self.peek()
        if r in KEY_SEP:
            self.next()
            return self.errorf(f"Unexpected key separator '{r}'.")
        if r == "]":
            self.next()
            return self.errorf("Unexpected array end ']' processing map.")
        if r in USPACE:
            self.next()
            self.ignore()
            return self.lex_map_key_start
        if r == "}":
            self.next()
            self.ignore()
            return self.lex_map_end
        if r == "#":
            self.next()
            return self.comment(self.lex_map_key_start)
        if r == "/":
            self.next()
            if self.slash_comment(self.lex_map_key_start):
                return self.lex_comment_start
            # a lone '/' before a key is dropped
        elif r == "'" or r == '"':
            self.next()
            self.ignore()
            return self.lex_map_sq_key if r == "'" else self.lex_map_dq_key
        elif r == EOF:
            self.next()
            return self.errorf("Unexpected EOF processing map.")
        self.ignore()
        self.next()
        return self.lex_map_key

    def lex_map_dq_key(self):
        return self._quoted_key('"', "double", self.lex_map_key_end,
                                "Unexpected EOF processing double quoted map key.")

    def lex_map_sq_key(self):
        return self._quoted_key("'", "single", self.lex_map_key_end,
                                "Unexpected EOF processing quoted map key.")

    def lex_map_key(self):
        m = _PLAIN_KEY_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.peek()
        if r in USPACE:
            return self.key_check_keyword(self.lex_map_key_end, self.lex_map_value_end)
        if r in KEY_SEP:
            self.emit(KEY, "bare")
            return self.lex_map_key_end
        self.next()
        return self.errorf("Unexpected EOF processing map key.")

    def lex_map_key_end(self):
        self.skip_blanks()
        r = self.next()
        if r in USPACE:
            self.ignore()
            return self.lex_map_key_end
        if r in KEY_SEP:
            self.ignore()
            return self.lex_map_value
        self.backup()
        return self.lex_map_value

    def lex_map_value(self):
        self.skip_blanks()
        r = self.next()
        if r in USPACE:
            self.ignore()
            return self.lex_map_value
        if r == ",":
            return self.errorf('Unexpected map value terminator ",".')
        if r == "}":
            self.ignore()
            return self.lex_map_end
        self.backup()
        self.push(self.lex_map_value_end)
        return self.lex_value

    def lex_map_value_end(self):
        r = self.next()
        if r in WS:
            self.ignore()
            return self.lex_map_value_end
        if r == "#":
            return self.comment(self.lex_map_value_end)
        if r == "/" and self.slash_comment(self.lex_map_value_end):
            return self.lex_comment_start
        if r == "/" or r in ";," or r in NL:
            self.ignore()
            return self.lex_map_key_start
        if r == "}":
            self.ignore()
            return self.lex_map_end
        return self.errorf(
            'Expected a map value terminator "," or a map terminator "}", '
            f"but got '{go_rune(r)}' instead."
        )

    def lex_map_end(self):
        self.ignore()
        self.emit(MAP_END, start=self.pos - 1)
        return self.pop()

    # -- strings ------------------------------------------------------------------------

    def lex_sq_string(self):
        m = _SQ_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.next()
        if r == "'":
            self.backup()
            self.emit(STRING, "single", self.tstart - 1, self.pos + 1)
            self.next()
            self.ignore()
            return self.pop()
        # NUL or end of input
        if self.pos > self.start:
            return self.errorf("Unexpected EOF.")
        return self.emit_eof()

    def lex_dq_string(self):
        m = _DQ_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.next()
        if r == "\\":
            self.add_current_part(1)
            return self.lex_string_escape
        if r == '"':
            self.backup()
            self.emit(STRING, "double", self.tstart - 1, self.pos + 1)
            self.next()
            self.ignore()
            return self.pop()
        if self.pos > self.start:
            return self.errorf("Unexpected EOF.")
        return self.emit_eof()

    def lex_string(self):
        m = _PLAIN_STRING_RUN.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        r = self.next()
        if r == "\\":
            self.add_current_part(1)
            return self.lex_string_escape
        if r in STRING_END:
            self.backup()
            if self.parts:
                self.emit(STRING, "bare")
            else:
                text = self.s[self.start : self.pos]
                if text.lower() in BOOL_WORDS:
                    self.emit(BOOL, "bare")
                elif text.startswith("$"):
                    self.start += 1
                    self.emit(VARIABLE, "bare")
                else:
                    self.emit(STRING, "bare")
            return self.pop()
        if r == "'":
            # a quote ends an unquoted value and is dropped: always a string
            self.backup()
            self.emit(STRING, "bare", end=self.pos + 1)
            self.next()
            self.ignore()
            return self.pop()
        return self.lex_string

    def lex_string_escape(self):
        r = self.next()
        if r == "x":
            return self.lex_string_binary
        if r in ESCAPES:
            return self.add_part(ESCAPES[r])
        return self.errorf(
            f"Invalid escape character '{go_rune(r)}'. Only the following escape characters "
            "are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\."
        )

    def lex_string_binary(self):
        for _ in range(2):
            if self.next() in NL:
                return self.errorf("Expected two hexadecimal digits after '\\x', but hit end of line")
        pair = self.s[max(self.pos - 2, 0) : self.pos]
        if not HEX2.match(pair):
            return self.errorf(f"Expected two hexadecimal digits after '\\x', but got '{pair}'")
        byte = int(pair, 16)
        self.add_part(chr(byte) if byte < 0x80 else chr(0xDC00 + byte))
        return self.string_state

    def lex_block_string(self):
        while True:
            close = self.s.find(")", self.pos)
            nul = self.s.find("\x00", self.pos, close if close >= 0 else self.n)
            if nul >= 0 or close < 0:
                self.pos = nul + 1 if nul >= 0 else self.n
                self.width = 1 if nul >= 0 else 0
                return self.errorf("Unexpected EOF processing block.")
            self.pos = close + 1
            # the ')' must be alone on its line: LF before it, LF or EOF after it
            if close > 0 and self.s[close - 1] == "\n":
                after = self.s[close + 1] if close + 1 < self.n else EOF
                if after == "\n" or after == EOF:
                    end = close if close + 1 < self.n else close + 1  # quirk: ')' at EOF stays
                    self.pos = end
                    self.emit(STRING, "block", self.tstart - 1, close + 1)
                    self.pos = close + 1
                    self.ignore()
                    return self.pop()

    # -- numbers ------------------------------------------------------------------------

    def lex_number_start(self):
        self.next()  # the caller saw a digit
        return self.lex_number

    def lex_number(self):
        m = _DIGIT_RUN.match(self.s, self.pos)  # a run of digits stays in this state
        if m:
            self.pos = m.end()
        r = self.next()
        if r == "-":
            if blen(self.s[self.start : self.pos]) != 5:
                return self.errorf("All ISO8601 dates must be in full Zulu form.")
            return self.lex_date_after_year
        if is_digit(r):
            return self.lex_number
        if r == ".":
            return self.lex_float_start
        if r in SUFFIX:
            return self.lex_suffix
        if r in INT_END:
            self.backup()
            self.emit(INTEGER)
            return self.pop()
        # anything else, ']' included (the server's "[1]" bug), makes it an unquoted string
        self.string_state = self.lex_string
        return self.lex_string

    def lex_suffix(self):
        r = self.next()
        if r in "bBiI" and r != EOF:
            return self.lex_suffix
        self.backup()
        if r in INT_END or (self.digit_ends_suffix and is_digit(r)):
            self.emit(INTEGER)
            return self.pop()
        self.string_state = self.lex_string
        return self.lex_string

    def lex_date_after_year(self):
        for f in "00-00T00:00:00Z":
            r = self.next()
            if f == "0":
                if not is_digit(r):
                    return self.errorf(f"Expected digit in ISO8601 datetime, but found '{go_rune(r)}' instead.")
            elif r != f:
                return self.errorf(f"Expected '{f}' in ISO8601 datetime, but found '{go_rune(r)}' instead.")
        self.emit(DATETIME)
        return self.pop()

    def lex_neg_number_start(self):
        r = self.next()
        if not is_digit(r):
            if r == ".":
                return self.errorf("Floats must start with a digit, not '.'.")
            return self.errorf(f"Expected a digit but got '{go_rune(r)}'.")
        return self.lex_neg_number

    def lex_neg_number(self):
        m = _DIGIT_RUN.match(self.s, self.pos)  # a run of digits stays in this state
        if m:
            self.pos = m.end()
        r = self.next()
        if is_digit(r):
            return self.lex_neg_number
        if r == ".":
            return self.lex_float_start
        if r in SUFFIX:
            return self.lex_suffix
        self.backup()
        self.emit(INTEGER)
        return self.pop()

    def lex_float_start(self):
        r = self.next()
        if not is_digit(r):
            return self.errorf(f"Floats must have a digit after the '.', but got '{go_rune(r)}' instead.")
        return self.lex_float

    def lex_float(self):
        m = _DIGIT_RUN.match(self.s, self.pos)  # a run of digits stays in this state
        if m:
            self.pos = m.end()
        r = self.next()
        if is_digit(r):
            return self.lex_float
        if r == ".":
            return self.lex_ip
        self.backup()
        self.emit(FLOAT)
        return self.pop()

    def lex_ip(self):
        r = self.next()
        if is_digit(r) or (r in ".:-" and r != EOF):
            return self.lex_ip
        self.backup()
        self.emit(STRING, "bare")
        return self.pop()

    # -- comments -----------------------------------------------------------------------

    def lex_comment_start(self):
        self.ignore()
        return self.lex_comment

    def lex_comment(self):
        m = _COMMENT_RUN.match(self.s, self.pos)
        end = m.end() if m else self.pos
        # the comment token starts at its '#' or '//'
        lead = 2 if self.start >= 2 and self.s[self.start - 2 : self.start] == "//" else 1
        self.comments.append(Comment(self.start - lead, end, self.s[self.start : end]))
        self.pos = end
        self.ignore()
        return self.pop()

    # -- driver -------------------------------------------------------------------------

    def run(self) -> LexResult:
        state = self.lex_top
        while state is not None:
            state = state()
        eof_line = self.s.count("\n", 0, self.eof_pos) + 1
        lstart = max(self.s.rfind("\n", 0, self.ilstart_at), 0)
        eof_go_pos = (eof_line, blen(self.s[lstart : self.eof_pos]))
        # The lexer holds bound methods of its own (a cycle): a run with the cyclic collector
        # off (natslint.program) would keep every file's lexer, and its tokens, to the end.
        self.string_state, self.stack = None, []  # type: ignore[assignment]
        return LexResult(self.tokens, self.comments, self.error, eof_go_pos)


def lex(text: str, *, digit_ends_suffix: bool = False, fast: bool = True) -> LexResult:
    return Lexer(text, digit_ends_suffix=digit_ends_suffix, fast=fast).run()


class LineIndex:
    """Offsets to 1-based lines and columns (LF counts as a line break, as in the server).

    Built on first use: every token's span points here, but only files with findings are
    ever asked for a line."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def rendered_span(self, spans: list, start: int, end: int):
        """A rendered config's span at ``start``: where its line's value was written (``spans``,
        one per line)."""
        return spans[min(self.line_col(start)[0], len(spans)) - 1]

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._starts = starts
        return self._starts

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self.starts
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1
