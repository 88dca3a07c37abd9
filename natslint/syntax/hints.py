"""Why a lexer error happened, when the server's message does not say: the fix line of NL001."""

from __future__ import annotations

from natslint.syntax import lexer as lx


def lex_error_hint(message: str, text: str, offset: int, tokens: list) -> str:
    """The likely cause of the lexer error ``message`` at ``offset`` in ``text``, or ""."""
    if "Unexpected EOF processing block" in message and "\r\n" in text:
        return ("this file has CRLF line ends: a block string closes only on a line that is "
                "exactly ')' followed by LF, so it never closes")
    if message.startswith("Expected an array value terminator"):
        bad = next((t for t in reversed(tokens)
                    if t.kind == lx.STRING and t.value[:1].isdecimal() and "]" in t.value), None)
        if bad is not None:
            return (f"nats-server reads `{bad.value}` as one string, so the array never "
                    "closes: put a space or a newline between a number and ']'")
    elif message.startswith("Expected a top-level value to end") and offset < len(text) and text[offset].isdecimal():
        return "a size suffix ends a number: quote values like `1m30s` or `4e2abc`"
    return ""


def unclosed_quote(text: str, offset: int) -> int | None:
    """Where the quote opens that an EOF error at ``offset`` runs on from: the first line before
    it whose quotes (outside comments, `\\"` aside) do not pair up; None when every line's do."""
    pos = 0
    for line in text[:offset].split("\n"):
        opened: tuple[str, int] | None = None
        i = 0
        while i < len(line):
            c = line[i]
            if opened is None and (c == "#" or line.startswith("//", i)):
                break
            if opened is not None and c == "\\" and opened[0] == '"':
                i += 2
                continue
            if c in "\"'" and (opened is None or opened[0] == c):
                opened = None if opened is not None else (c, i)
            i += 1
        if opened is not None:
            return pos + opened[1]
        pos += len(line) + 1
    return None
