"""The JSON contract.  Later versions extend it; they never change or remove a field."""

from __future__ import annotations

import json

from natslint import __version__
from natslint.check import Result
from natslint.codes import doc_url
from natslint.findings import Finding, Severity


def finding_dict(f: Finding) -> dict:
    s = f.span
    return {
        "code": f.code,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "notes": list(f.notes),
        "path": s.path,
        "line": s.line,
        "column": s.col,
        "end_line": s.end_line,
        "end_column": s.end_col,
        "related": [
            {"path": r.span.path, "line": r.span.line, "column": r.span.col, "message": r.message}
            for r in f.related
        ],
        "fix": f.fix,
        "url": doc_url(f.code, f.name),
        "autofix": None if f.autofix is None else {
            "title": f.autofix.title, "applicability": "safe" if f.autofix.safe else "unsafe",
            **({"why_unsafe": f.autofix.why_unsafe} if not f.autofix.safe and f.autofix.why_unsafe else {})},
    }


def render_json(result: Result) -> str:
    doc = {
        "natslint": __version__,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "files": result.files_read,
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
            "servers": len(result.fleet.servers),
            "hosts": len(result.fleet.hosts),
            "coverage": {k: v for k, v in result.coverage.items() if k != "needed_missing"},
            "fleets": [{"name": fc.plan.name, "kind": fc.plan.kind, "root": fc.plan.root,
                        "files": len(fc.plan.files), "servers": len(fc.fleet.servers),
                        "servers_unknown_config": len(fc.fleet.unseen), "hosts": len(fc.fleet.hosts)}
                       for fc in result.fleets],
        },
    }
    if result.changes is not None:  # `--since REF`: an addition; without it the keys are absent
        doc.update(result.changes.as_json())
    b = result.baseline
    if b is not None:
        doc["baseline"] = {"file": b.file, "matched": b.matched, "new": b.new,
                           "fixed": [{"code": e.code, "path": e.path, "message": e.message} for e in b.fixed]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_statistics(result: Result) -> str:
    """`--statistics --format json`: the count of each code, as ruff's
    (`[{"code", "name", "count", "fixable"}]`, most frequent first)."""
    from collections import Counter

    counts = Counter((f.code, f.name) for f in result.findings)
    fixable = Counter((f.code, f.name) for f in result.findings if f.autofix is not None and f.autofix.safe)
    rows = [{"code": code, "name": name, "count": n, "fixable": fixable[(code, name)] == n}
            for (code, name), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return json.dumps(rows, indent=2) + "\n"
