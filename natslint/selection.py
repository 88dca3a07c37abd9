"""Which findings are shown: select/ignore (code, code prefix or name), per-file ignores,
severity overrides, and inline suppressions in the checked files."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace

from natslint.findings import Code, Finding, Severity
from natslint.span import Span

UNUSED_SUPPRESSION = Code("NL901", "unused-suppression", Severity.INFO,
                          "a natslint suppression comment that suppresses nothing")

_SUPPRESS = re.compile(r"(?:#|//)\s*natslint:\s*(?P<kind>ignore-file|ignore)\[(?P<codes>[^\]]*)\](?P<reason>[^\n]*)")


def matches(code: Code | Finding, pattern: str) -> bool:
    p = pattern.strip()
    return code.code == p.upper() or code.code.startswith(p.upper()) and p[:2].upper() == "NL" or code.name == p.lower()


def matches_any_code(pattern: str) -> bool:
    from natslint.rules import all_codes

    return any(matches(c, pattern) for c in (*all_codes(), UNUSED_SUPPRESSION))


@dataclass(slots=True)
class Suppression:
    span: Span
    codes: list[str]
    whole_file: bool
    line: int  # the line it covers (its own, or the next one when it stands alone)
    used: bool = False


@dataclass(slots=True)
class Policy:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    use_suppressions: bool = True

    def wanted(self, f: Finding) -> bool:
        if self.select and not any(matches(f, p) for p in self.select):
            return False
        if any(matches(f, p) for p in self.ignore):
            return False
        for glob, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(f.span.path, glob) and any(matches(f, p) for p in codes):
                return False
        return True

    def adjust(self, f: Finding) -> Finding:
        for key, level in self.severity.items():
            if matches(f, key):
                return replace(f, severity=Severity.parse(level))
        return f


def suppressions_in(path: str, text: str) -> list[Suppression]:
    out = []
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        m = _SUPPRESS.search(line)
        if not m:
            continue
        codes = [c.strip() for c in m.group("codes").split(",") if c.strip()]
        alone = line[: m.start()].strip() == ""
        col = m.start() + 1
        out.append(Suppression(Span(path, 0, 0, n, col, n, len(line) + 1), codes, m.group("kind") == "ignore-file",
                               n + 1 if alone else n))
    return out


def apply(findings: list[Finding], texts: dict[str, str], policy: Policy) -> list[Finding]:
    """The findings to show, NL901 for suppressions that matched nothing included."""
    by_path: dict[str, list[Suppression]] = {}
    if policy.use_suppressions:
        for path, text in texts.items():
            if "natslint:" in text:
                by_path[path] = suppressions_in(path, text)
    shown = []
    for f in findings:
        suppressed = False
        for s in by_path.get(f.span.path, ()):
            if (s.whole_file or s.line == f.span.line) and any(matches(f, c) for c in s.codes):
                s.used = suppressed = True
        if not suppressed:
            shown.append(f)
    for sups in by_path.values():
        for s in sups:
            if not s.used:
                shown.append(UNUSED_SUPPRESSION.at(
                    s.span, f"this suppression of {', '.join(s.codes) or 'nothing'} matches no finding",
                    fix="remove it"))
    return sorted((policy.adjust(f) for f in shown if policy.wanted(f)), key=Finding.sort_key)
