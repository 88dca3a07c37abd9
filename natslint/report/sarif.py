"""SARIF 2.1.0 for GitHub code scanning (validated against the schema in the tests)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from natslint import __url__, __version__
from natslint.check import Result
from natslint.codes import all_codes, doc_url
from natslint.findings import Finding, Severity
from natslint.redact import redact_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


# What code scanning accepts: it shows 5,000 results a run (and rejects a run over 25,000), and
# 1,000 related locations a result; natslint keeps to a tenth of the latter
MAX_RESULTS = 5000
MAX_RELATED = 100


def source_root() -> str:
    """`%SRCROOT%`: the repository root (GITHUB_WORKSPACE on Actions, else the git top level
    found from the working folder), else the working folder."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and os.path.isdir(workspace):
        return os.path.abspath(workspace)
    here = os.getcwd()
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


class _Locator:
    """Finding paths (relative to where natslint ran) as URIs relative to `%SRCROOT%`."""

    def __init__(self, ran_in: str, root: str) -> None:
        self.ran_in, self.root = ran_in, root

    def uri(self, path: str) -> tuple[str, bool]:
        """(uri, whether it is relative to %SRCROOT%); a file outside it gets a file URI."""
        full = os.path.normpath(os.path.join(self.ran_in, path))
        rel = os.path.relpath(full, self.root)
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            return Path(full).as_uri(), False
        return rel.replace(os.sep, "/"), True

    def location(self, path: str, line: int, col: int, end_line: int | None = None,
                 end_col: int | None = None) -> dict:
        uri, relative = self.uri(path)
        artifact = {"uri": uri, "uriBaseId": "%SRCROOT%"} if relative else {"uri": uri}
        region = {"startLine": line, "startColumn": col}
        if end_line is not None:
            region["endLine"] = end_line
            region["endColumn"] = max(end_col or col, col + 1) if end_line == line else (end_col or 1)
        return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def fingerprint(f: Finding, uri: str, source_line: str, occurrence: int) -> str:
    """Stable across line shifts and working folders: the rule, the file as the repository
    names it, the text of the line, which occurrence."""
    text = " ".join(source_line.split())
    return hashlib.sha256(f"{f.code}\0{uri}\0{text}\0{occurrence}".encode()).hexdigest()[:32]


def _fixes(f: Finding, result: Result, where: _Locator) -> list[dict]:
    """SARIF `fixes`: the finding's edits as replacements of regions (line and column)."""
    if f.autofix is None:
        return []
    from natslint.fixing import Refused, parsed_text, resolve
    from natslint.syntax.lexer import LineIndex

    changes: dict[str, list[dict]] = {}
    for e in f.autofix.edits:
        path = e.path.split("#", 1)[0]
        try:
            text = parsed_text(result, path)
            start, end, new = resolve(e, text)
        except (Refused, OSError, UnicodeDecodeError, ValueError):
            return []
        index = LineIndex(text)
        (sl, sc), (el, ec) = index.line_col(start), index.line_col(end)
        changes.setdefault(path, []).append({
            "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
            "insertedContent": {"text": new}})
    return [{"description": {"text": f.autofix.title + ("" if f.autofix.safe else " (unsafe)")},
             "artifactChanges": [{"artifactLocation": where.location(p, 1, 1)["physicalLocation"]["artifactLocation"],
                                  "replacements": reps} for p, reps in changes.items()]}]


def _rules() -> list[dict]:
    from natslint.resources import rule_docs

    docs = rule_docs()
    rules = []
    for c in all_codes():
        url = doc_url(c.code, c.name)
        doc = docs.get(c.code)
        markdown = doc.read_text(encoding="utf-8") if doc else c.summary
        rules.append({
            "id": c.code, "name": c.name,
            "shortDescription": {"text": c.summary}, "fullDescription": {"text": c.summary},
            "helpUri": url,
            "help": {"text": f"{c.summary}. See {url}", "markdown": markdown + f"\n\n[Documentation]({url})"},
            "defaultConfiguration": {"level": LEVEL[c.default_severity]},
            "properties": {"tags": ["nats", "configuration"]},
        })
    return rules


def render_sarif(result: Result) -> str:
    root = source_root()
    where = _Locator(result.sources.root, root)
    index = {c.code: i for i, c in enumerate(all_codes())}
    results = []
    seen: dict[tuple, int] = {}
    for f in result.findings:  # fingerprints count occurrences in file order, before any cap
        s = f.span
        lines = result.lines(s.path)
        line_text = lines[s.line - 1] if 0 < s.line <= len(lines) else ""
        uri = where.uri(s.path)[0]
        key = (f.code, uri, " ".join(line_text.split()))
        seen[key] = seen.get(key, 0) + 1
        related = f.related[:MAX_RELATED]
        results.append((f, {
            "ruleId": f.code, "ruleIndex": index[f.code], "level": LEVEL[f.severity],
            "message": {"text": f.full_text},
            "locations": [where.location(s.path, s.line, s.col, s.end_line, s.end_col)],
            "relatedLocations": [dict(where.location(r.span.path, r.span.line, r.span.col), id=i,
                                      message={"text": r.message}) for i, r in enumerate(related)],
            "partialFingerprints": {"natslintFingerprint/v2": fingerprint(f, uri, redact_line(line_text), seen[key])},
            **({"properties": {"fix": f.fix}} if f.fix else {}),
            **({"fixes": fixes} if (fixes := _fixes(f, result, where)) else {}),
        }))
    results.sort(key=lambda pair: (-pair[0].severity, pair[0].sort_key()))  # the most severe survive the cap
    kept = [r for _, r in results[:MAX_RESULTS]]
    invocation: dict = {"executionSuccessful": True, "workingDirectory": {"uri": Path(result.sources.root).as_uri() + "/"}}
    notes = []
    if len(results) > MAX_RESULTS:
        dropped = len(results) - MAX_RESULTS
        notes.append({"level": "warning", "message": {"text": (
            f"{dropped} of {len(results)} results were left out: code scanning shows {MAX_RESULTS} a run, and "
            f"these are the {MAX_RESULTS} most severe. `natslint check` lists them all.")}})
    cut = sum(1 for f, _ in results if len(f.related) > MAX_RELATED)
    if cut:
        notes.append({"level": "note", "message": {"text": (
            f"{cut} {'result keeps' if cut == 1 else 'results keep'} their first {MAX_RELATED} related locations.")}})
    if notes:
        invocation["toolExecutionNotifications"] = notes
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "natslint", "semanticVersion": __version__, "version": __version__,
                                "informationUri": __url__, "rules": _rules()}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri() + "/"}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": kept,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
