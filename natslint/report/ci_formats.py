"""Reports for CI systems other than GitHub: GitLab Code Quality, and JUnit XML.

GitLab's Code Quality report is a JSON list of issues, each with `description`, `check_name`,
`fingerprint`, `severity` (info, minor, major, critical, blocker) and `location.path` /
`location.lines.begin`; the path is relative to the repository's root, as GitLab shows it in a
merge request.  The fingerprint is SARIF's (the rule, the file, the text of the line, which
occurrence): it survives lines moving, so a finding the base branch had is not new.

JUnit XML is what Jenkins, GitLab, Azure Pipelines and CircleCI read as test results: one
`testcase` per file checked, failing with one `failure` per finding; a file without findings is
a passing case, so a clean run shows what was checked.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import escape, quoteattr

from natslint.check import Result
from natslint.findings import Finding, Severity
from natslint.redact import redact_line
from natslint.report.sarif import _Locator, fingerprint, source_root

# natslint's error is a config nats-server refuses or a lattice cut off: GitLab's "critical"
GITLAB_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _locator(result: Result) -> _Locator:
    return _Locator(os.path.abspath(result.sources.root), source_root())


def gitlab_issues(result: Result) -> list[dict]:
    where = _locator(result)
    seen: dict[tuple, int] = {}
    out = []
    for f in result.findings:
        lines = result.lines(f.span.path)
        text = lines[f.span.line - 1] if 0 < f.span.line <= len(lines) else ""
        path = where.uri(f.span.path)[0]
        key = (f.code, path, " ".join(text.split()))
        seen[key] = seen.get(key, 0) + 1
        out.append({
            "description": f"{f.code} {f.name}: {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint(f, path, redact_line(text), seen[key]),
            "severity": GITLAB_SEVERITY[f.severity],
            "location": {"path": path, "lines": {"begin": max(f.span.line, 1)}},
        })
    return out


def render_gitlab(result: Result) -> str:
    return json.dumps(gitlab_issues(result), indent=2, ensure_ascii=False) + "\n"


def _failure(f: Finding) -> str:
    body = "\n".join([f"{f.span.path}:{f.span.line}:{f.span.col}: {f.code} [{f.severity}] {f.message}",
                      *(f"note: {n}" for n in f.notes), *([f"fix: {f.fix}"] if f.fix else [])])
    return (f"      <failure type={quoteattr(f'{f.code} {f.name}')} "
            f"message={quoteattr(f'{f.span.path}:{f.span.line}:{f.span.col}: {f.message}')}>"
            f"{escape(body)}</failure>")


def render_junit(result: Result) -> str:
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.span.path, []).append(f)
    files = sorted({*result.documents, *result.deployment_files, *by_file})
    failing = sum(1 for p in files if by_file.get(p))
    cases = []
    for path in files:
        found = by_file.get(path, [])
        head = f"    <testcase classname=\"natslint\" name={quoteattr(path)} time=\"0\""
        if not found:
            cases.append(head + "/>")
        else:
            cases += [head + ">", *(_failure(f) for f in found), "    </testcase>"]
    suite = (f"  <testsuite name=\"natslint\" tests=\"{len(files)}\" failures=\"{failing}\" errors=\"0\" "
             f"skipped=\"0\" time=\"0\">")
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>',
                      f"<testsuites name=\"natslint\" tests=\"{len(files)}\" failures=\"{failing}\" errors=\"0\" "
                      "time=\"0\">", suite, *cases, "  </testsuite>", "</testsuites>"]) + "\n"
