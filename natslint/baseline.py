"""Baselines: adopt natslint on a repository that already has findings.

`--write-baseline FILE` records the findings; `--baseline FILE` (or `baseline` in the project
config) reports only those not in it. A finding is matched on its code, its file relative to the
baseline's folder, a fingerprint of the text of its line and which occurrence of that triple it
is: a line shift, or a run from another working folder (pre-commit, the Action), still matches.
Findings the baseline holds that are gone are "fixed": listed, never findings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field

from natslint.check import Result
from natslint.findings import Finding
from natslint.redact import redact_line

FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written: a usage error (exit 2)."""


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    path: str  # relative to the baseline file's folder, with /
    fingerprint: str
    occurrence: int
    message: str = field(compare=False)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.code, self.path, self.fingerprint, self.occurrence)


@dataclass(slots=True)
class Comparison:
    file: str
    matched: int
    new: int
    fixed: list[Entry]


def _fingerprint(line: str) -> str:
    text = " ".join(redact_line(line).split())  # whitespace and secrets do not move a finding
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def entries(result: Result, baseline_file: str) -> list[tuple[Finding, Entry]]:
    """Each finding with its baseline entry, paths relative to the baseline file's folder."""
    folder = os.path.dirname(os.path.abspath(baseline_file))
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in result.findings:
        lines = result.lines(f.span.path)
        line = lines[f.span.line - 1] if 0 < f.span.line <= len(lines) else ""
        full = os.path.join(result.sources.root, f.span.path.split("#", 1)[0])
        path = os.path.relpath(full, folder).replace(os.sep, "/")
        fp = _fingerprint(line)
        seen[(f.code, path, fp)] = n = seen.get((f.code, path, fp), 0) + 1
        out.append((f, Entry(f.code, path, fp, n, f.message)))
    return out


def _dump(found: list[Entry]) -> str:
    rows = [{"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "occurrence": e.occurrence,
             "message": e.message} for e in sorted(found, key=lambda e: e.key)]
    return json.dumps({"natslint-baseline": FORMAT, "findings": rows}, indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"


def write(result: Result, baseline_file: str) -> int:
    found = [e for _, e in entries(result, baseline_file)]
    _write(baseline_file, _dump(found))
    return len(found)


def _write(baseline_file: str, text: str) -> None:
    try:
        with open(baseline_file, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {baseline_file}: {exc.strerror or exc}") from None


def load(baseline_file: str) -> list[Entry]:
    try:
        with open(baseline_file, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {baseline_file}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"the baseline {baseline_file} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("natslint-baseline") != FORMAT or not isinstance(data.get("findings"), list):
        raise BaselineError(f"the baseline {baseline_file} is not a natslint baseline (format {FORMAT})")
    try:
        return [Entry(str(r["code"]), str(r["path"]), str(r["fingerprint"]), int(r["occurrence"]),
                      str(r.get("message", ""))) for r in data["findings"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"the baseline {baseline_file} has an entry without {exc}") from None


def compare(result: Result, baseline_file: str) -> Result:
    """The result without the findings the baseline holds; its `baseline` says what matched,
    was new, and was fixed."""
    known = load(baseline_file)
    keys = {e.key for e in known}
    pairs = entries(result, baseline_file)
    new = [f for f, e in pairs if e.key not in keys]
    present = {e.key for _, e in pairs}
    fixed = [e for e in known if e.key not in present]
    comparison = Comparison(baseline_file, len(pairs) - len(new), len(new), fixed)
    return dataclasses.replace(result, findings=new, baseline=comparison)


def prune(comparison: Comparison) -> int:
    """Drop the fixed entries from the baseline file; how many were dropped."""
    gone = {e.key for e in comparison.fixed}
    kept = [e for e in load(comparison.file) if e.key not in gone]
    _write(comparison.file, _dump(kept))
    return len(gone)
