"""Edits that rules attach to their findings: span-based, so every other byte of the file stays.

Offsets are those of the parsed text; the fixer maps them onto the file as written (CRLF too).
"""

from __future__ import annotations

import re

from natslint.findings import Edit
from natslint.span import Span
from natslint.syntax.model import Entry, Map

_DOMAIN_TOKEN = re.compile(r"[^A-Za-z0-9_-]+")


def set_value(span: Span, old: str, new: str) -> Edit:
    """The value ``old`` written once inside ``span`` (quotes, a `KEY=` before it stay) becomes ``new``."""
    if span.start == span.end == 0:  # a reader that locates by line and column only
        return Edit(span.path, 0, 0, new, old, line=span.line)
    return Edit(span.path, span.start, span.end, new, old)


def rename_key(entry: Entry, new: str) -> Edit:
    key = entry.key
    quoted = key.style in ("double", "single")
    return Edit(key.span.path, key.span.start + quoted, key.span.end - quoted, new)


def delete_entry(text: str, entry: Entry) -> Edit:
    """The entry's `key: value`; its whole line when nothing else (a comment aside) is on it."""
    start, end = entry.key.span.start, entry.value.span.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[end:line_end]
    if not text[line_start:start].strip() and not rest.strip(" \t,;"):
        return Edit(entry.key.span.path, line_start, min(line_end + 1, len(text)), "")
    # the separators after it go with it; a comment after it moves to where the entry began
    trail = len(rest) - len(rest.lstrip(" \t,;"))
    return Edit(entry.key.span.path, start, end + trail, "")


def insert_entry(text: str, block: Map, line: str) -> Edit:
    """``line`` (`key: value`) as the first entry of ``block`` (a `{ ... }` map), written as its
    other entries are: on a line of its own with their indentation, or inline."""
    path, brace = block.span.path, block.span.start
    first = next(iter(block.entries), None)
    if first is not None:
        at = first.key.span.start
        line_start = text.rfind("\n", 0, at) + 1
        if line_start > brace and not text[line_start:at].strip():  # entries on lines of their own
            return Edit(path, line_start, line_start, f"{text[line_start:at]}{line}\n")
        return Edit(path, at, at, f"{line}, ")
    return Edit(path, brace + 1, brace + 1, f" {line} ")


def domain_name(name: object, taken: set[str]) -> str | None:
    """A JetStream domain made from a server's name: one token, not one the fleet uses."""
    if not isinstance(name, str) or not name:
        return None
    base = _DOMAIN_TOKEN.sub("-", name).strip("-")
    if not base:
        return None
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
