"""A check Result as the editor sees it: diagnostics per file, and code actions (fixes, and
"suppress on this line")."""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types as lsp

from natslint.check import Result
from natslint.codes import doc_url
from natslint.findings import Finding, Severity
from natslint.span import Span

SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
            Severity.INFO: lsp.DiagnosticSeverity.Information}


def uri_of(root: str, path: str) -> str:
    return Path(os.path.join(root, path.split("#", 1)[0])).as_uri()


def path_of(root: str, uri: str) -> str:
    """A file URI as the display path findings use (relative to the workspace root, with /)."""
    from urllib.parse import unquote, urlparse

    full = unquote(urlparse(uri).path)
    return os.path.relpath(full, root).replace(os.sep, "/")


def span_range(span: Span) -> lsp.Range:
    return lsp.Range(lsp.Position(max(span.line - 1, 0), max(span.col - 1, 0)),
                     lsp.Position(max(span.end_line - 1, 0), max(span.end_col - 1, 0)))


def diagnostic(root: str, f: Finding) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=span_range(f.span), severity=SEVERITY[f.severity], code=f.code, source="natslint",
        code_description=lsp.CodeDescription(href=doc_url(f.code, f.name)),
        message="\n".join([f.message, *f.notes] + ([f"fix: {f.fix}"] if f.fix else [])),
        related_information=[lsp.DiagnosticRelatedInformation(
            lsp.Location(uri_of(root, r.span.path), span_range(r.span)), r.message) for r in f.related] or None)


def by_file(result: Result, root: str) -> dict[str, list[lsp.Diagnostic]]:
    out: dict[str, list[lsp.Diagnostic]] = {}
    for f in result.findings:
        out.setdefault(uri_of(root, f.span.path), []).append(diagnostic(root, f))
    return out


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
