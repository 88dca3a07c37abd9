"""Findings as the Language Server Protocol writes them, in plain JSON (no lsprotocol): what the
server publishes, and what the first check (natslint.lsp.first) sends from its child process
before the server has loaded lsprotocol."""

from __future__ import annotations

import os
from pathlib import Path

from natslint.codes import doc_url
from natslint.findings import Finding, Severity
from natslint.span import Span

SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}  # LSP's DiagnosticSeverity


def uri_of(root: str, path: str) -> str:
    return Path(os.path.join(root, path.split("#", 1)[0])).as_uri()


def path_of(root: str, uri: str) -> str:
    """A file URI as the display path findings use (relative to the workspace root, with /)."""
    from urllib.parse import unquote, urlparse

    full = unquote(urlparse(uri).path)
    return os.path.relpath(full, root).replace(os.sep, "/")


def span_range(span: Span) -> dict:
    return {"start": {"line": max(span.line - 1, 0), "character": max(span.col - 1, 0)},
            "end": {"line": max(span.end_line - 1, 0), "character": max(span.end_col - 1, 0)}}


def diagnostic(root: str, f: Finding) -> dict:
    out = {"range": span_range(f.span), "severity": SEVERITY[f.severity], "code": f.code, "source": "natslint",
           "codeDescription": {"href": doc_url(f.code, f.name)},
           "message": "\n".join([f.message, *f.notes] + ([f"fix: {f.fix}"] if f.fix else []))}
    if f.related:
        out["relatedInformation"] = [{"location": {"uri": uri_of(root, r.span.path), "range": span_range(r.span)},
                                      "message": r.message} for r in f.related]
    return out


def by_file(findings: list[Finding], root: str) -> dict[str, list[dict]]:
    """Each file's diagnostics, by URI, in the findings' order."""
    out: dict[str, list[dict]] = {}
    for f in findings:
        out.setdefault(uri_of(root, f.span.path), []).append(diagnostic(root, f))
    return out
