"""SARIF 2.1.0 for GitHub code scanning (validated against the schema in the tests)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from natslint import __url__, __version__
from natslint.check import Result
from natslint.codes import CODES, doc_url
from natslint.findings import Finding, Severity
from natslint.redact import redact_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _location(path: str, line: int, col: int, end_line: int | None = None, end_col: int | None = None) -> dict:
    absolute = os.path.isabs(path)
    artifact = {"uri": Path(path).as_uri()} if absolute else {"uri": path, "uriBaseId": "%SRCROOT%"}
    region = {"startLine": line, "startColumn": col}
    if end_line is not None:
        region["endLine"] = end_line
        region["endColumn"] = max(end_col or col, col + 1) if end_line == line else (end_col or 1)
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def fingerprint(f: Finding, source_line: str, occurrence: int) -> str:
    """Stable across line shifts: the rule, the file, the text of the line, which occurrence."""
    text = " ".join(source_line.split())
    return hashlib.sha256(f"{f.code}\0{f.span.path}\0{text}\0{occurrence}".encode()).hexdigest()[:32]


def render_sarif(result: Result) -> str:
    from natslint.resources import rule_docs

    codes = CODES
    docs = rule_docs()
    index = {c.code: i for i, c in enumerate(codes)}
    rules = []
    for c in codes:
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
    results = []
    seen: dict[tuple, int] = {}
    for f in result.findings:
        s = f.span
        lines = result.lines(s.path)
        line_text = lines[s.line - 1] if 0 < s.line <= len(lines) else ""
        key = (f.code, s.path, " ".join(line_text.split()))
        seen[key] = seen.get(key, 0) + 1
        results.append({
            "ruleId": f.code, "ruleIndex": index[f.code], "level": LEVEL[f.severity],
            "message": {"text": f.full_text},
            "locations": [_location(s.path, s.line, s.col, s.end_line, s.end_col)],
            "relatedLocations": [dict(_location(r.span.path, r.span.line, r.span.col), id=i,
                                      message={"text": r.message}) for i, r in enumerate(f.related)],
            "partialFingerprints": {"natslintFingerprint/v1": fingerprint(f, redact_line(line_text), seen[key])},
            **({"properties": {"fix": f.fix}} if f.fix else {}),
        })
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "natslint", "semanticVersion": __version__, "version": __version__,
                                "informationUri": __url__, "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(result.sources.root).as_uri() + "/"}},
            "invocations": [{"executionSuccessful": True,
                             "workingDirectory": {"uri": Path(result.sources.root).as_uri() + "/"}}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
