"""The Lark side: grammar/nats.lark compiled to an LALR(1) table, the table cached on disk,
and a small driver that runs it over natslint's own token stream.

The grammar decides one thing the lexer cannot: which keys dangle (a key with no value,
which makes nats-server close the open map).  Lark is imported only to build the table, once
per grammar text; the flattened table is kept under ``$XDG_CACHE_HOME/natslint`` (or
``~/.cache/natslint``; ``NATSLINT_CACHE_DIR`` overrides both), so a run never imports Lark.
A cache folder that cannot be written only means the table is built again next time.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from natslint.syntax import lexer as lx


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
    import hashlib  # only when the table is needed: most files never dangle a key

    from natslint.resources import grammar_text

    digest = hashlib.sha256((TABLE_FORMAT + grammar_text()).encode()).hexdigest()[:16]
    cache = cache_dir() / f"lalr-{digest}.json"
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


def cache_dir() -> Path:
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
