"""A check Result as the editor sees it: diagnostics per file, and code actions (fixes, and
"suppress on this line")."""

from __future__ import annotations

import functools
import os

from lsprotocol import types as lsp

from natslint.check import Result
from natslint.findings import Finding
from natslint.lsp import wire
from natslint.lsp.wire import path_of, uri_of  # noqa: F401 - the server and tests name them here


def diagnostic(root: str, f: Finding) -> lsp.Diagnostic:
    return _converter().structure(wire.diagnostic(root, f), lsp.Diagnostic)


def structured(diagnostics: dict[str, list[dict]]) -> dict[str, list[lsp.Diagnostic]]:
    """Plain-JSON diagnostics by URI (natslint.lsp.wire) as lsprotocol's objects."""
    c = _converter()
    return {uri: [c.structure(d, lsp.Diagnostic) for d in ds] for uri, ds in diagnostics.items()}


def by_file(result: Result, root: str) -> dict[str, list[lsp.Diagnostic]]:
    return structured(wire.by_file(result.findings, root))


@functools.cache
def _converter():
    from lsprotocol.converters import get_converter

    return get_converter()


def _position(text: str, offset: int) -> lsp.Position:
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def fix_action(result: Result, root: str, f: Finding) -> lsp.CodeAction | None:
    from natslint.fixing import Refused, parsed_text, resolve

    fix = f.autofix
    if fix is None:
        return None
    changes: dict[str, list[lsp.TextEdit]] = {}
    try:
        for e in fix.edits:
            path = e.path.split("#", 1)[0]
            text = parsed_text(result, path)
            start, end, new = resolve(e, text)
            changes.setdefault(uri_of(root, path), []).append(
                lsp.TextEdit(lsp.Range(_position(text, start), _position(text, end)), new))
    except (Refused, OSError, UnicodeDecodeError, ValueError):
        return None
    return lsp.CodeAction(title=f"{fix.title} ({f.code})" + ("" if fix.safe else " [unsafe]"),
                          kind=lsp.CodeActionKind.QuickFix, is_preferred=fix.safe,
                          diagnostics=[diagnostic(root, f)], edit=lsp.WorkspaceEdit(changes=changes))


def _line_above(path: str) -> bool:
    """`.env` files and systemd units: a trailing `#` would be part of the value."""
    name = os.path.basename(path)
    return name.startswith(".env") or name.endswith((".env", ".service", ".socket", ".timer", ".mount")) \
        or ".service.d/" in path


def suppress_action(root: str, f: Finding, lines: list[str]) -> lsp.CodeAction | None:
    n = f.span.line - 1
    if not 0 <= n < len(lines):
        return None
    comment = f"# natslint: ignore[{f.code}]"
    if _line_above(f.span.path):
        edit = lsp.TextEdit(lsp.Range(lsp.Position(n, 0), lsp.Position(n, 0)), comment + "\n")
    else:
        end = len(lines[n].rstrip("\r"))
        edit = lsp.TextEdit(lsp.Range(lsp.Position(n, end), lsp.Position(n, end)), "  " + comment)
    return lsp.CodeAction(title=f"Suppress {f.code} on this line", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[diagnostic(root, f)],
                          edit=lsp.WorkspaceEdit(changes={uri_of(root, f.span.path): [edit]}))


def actions(result: Result, root: str, path: str, first: int, last: int) -> list[lsp.CodeAction]:
    """The code actions for findings in ``path`` on lines ``first``..``last`` (0-based)."""
    out = []
    for f in result.findings:
        if f.span.path.split("#", 1)[0] != path or not first <= f.span.line - 1 <= last:
            continue
        fix = fix_action(result, root, f)
        if fix is not None:
            out.append(fix)
        suppress = suppress_action(root, f, result.lines(f.span.path))
        if suppress is not None:
            out.append(suppress)
    return out
