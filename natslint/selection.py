"""Which findings are shown: select/ignore (code, code prefix or name), per-file ignores,
severity overrides, and inline suppressions in the checked files."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Protocol, Sequence

from natslint.codes import UNUSED_SUPPRESSION
from natslint.findings import Code, Finding, Related, Severity
from natslint.span import Span

_SUPPRESS = re.compile(r"(?:#|//)\s*natslint:\s*(?P<kind>ignore-file|ignore)(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
                       r"(?P<reason>[^\n]*)")


_PREFIX = re.compile(r"[A-Z]{2,}[0-9]*")


def matches(code: Code | Finding, pattern: str) -> bool:
    p = pattern.strip()
    if p.upper() == "ALL":
        return True
    # a prefix is letters (and digits): `NL2`, a custom rule's `ACME`; a name is never a prefix
    return code.code == p.upper() or code.code.startswith(p.upper()) and bool(_PREFIX.fullmatch(p.upper())) \
        or code.name == p.lower()


def matches_any_code(pattern: str, codes: Iterable[Code]) -> bool:
    return any(matches(c, pattern) for c in codes)


@dataclass(slots=True)
class Suppression:
    """A `# natslint: ignore[...]` or `ignore-file` comment: the codes it silences, and where."""

    span: Span
    codes: list[str]
    whole_file: bool
    line: int  # the line it covers (its own, or the next one when it stands alone)
    used: bool = False


@dataclass(slots=True)
class Policy:
    """Which rules run where: select, ignore, per-file ignores and severities."""

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


class CommentToken(Protocol):
    start: int  # of the '#' or '//'
    end: int


def _suppression(path: str, line_no: int, line: str, m: re.Match, col0: int) -> Suppression:
    codes = [c.strip() for c in (m.group("codes") or "").split(",") if c.strip()]
    alone = line[: col0].strip() == ""
    return Suppression(Span(path, 0, 0, line_no, col0 + 1, line_no, len(line) + 1), codes,
                       m.group("kind") == "ignore-file", line_no + 1 if alone else line_no)


def suppressions_in(path: str, text: str) -> list[Suppression]:
    """Suppression comments in a YAML, .env or unit file, found line by line."""
    if "natslint:" not in text:
        return []
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        m = _SUPPRESS.search(line)
        if m:
            out.append(_suppression(path, n, line, m, m.start()))
    return out


def suppressions_in_comments(path: str, text: str, comments: Sequence[CommentToken],
                             parsed: bool = True) -> list[Suppression]:
    """Suppression comments in a NATS config, from the lexer's comment tokens: a marker
    inside a quoted string is a value, not a comment, and suppresses nothing.  A file the
    lexer rejected (``parsed`` false) is scanned line by line, as the lexer did not reach
    its end."""
    if "natslint:" not in text:
        return []
    if not parsed:
        return suppressions_in(path, text)
    out = []
    line_no, counted = 1, 0  # comments come in file order: lines counted once, not from the start each time
    for c in comments:
        m = _SUPPRESS.search(text, c.start, c.end)  # the token's text lacks its '#' or '//'
        if m is None:
            continue
        line_no, counted = line_no + text.count("\n", counted, c.start), c.start
        line_start = text.rfind("\n", 0, c.start) + 1
        line_end = text.find("\n", c.start)
        line = text[line_start: line_end if line_end >= 0 else len(text)]
        out.append(_suppression(path, line_no, line, m, m.start() - line_start))
    return out


def apply(findings: list[Finding], suppressions: dict[str, list[Suppression]], policy: Policy) -> list[Finding]:
    """The findings to show, NL901 for suppressions that matched nothing included."""
    shown = []
    for f in findings:
        suppressed = False
        for s in suppressions.get(f.span.path, ()):
            if (s.whole_file or s.line == f.span.line) and any(matches(f, c) for c in s.codes):
                s.used = suppressed = True
        if not suppressed:
            shown.append(f)
    from natslint.codes import all_codes

    codes = all_codes()
    for sups in suppressions.values():
        for s in sups:
            unknown = [c for c in s.codes if not matches_any_code(c, codes)]
            if not s.codes:  # a bare marker suppresses nothing: say so, never silently
                shown.append(UNUSED_SUPPRESSION.at(s.span, "a suppression must name its codes", "it suppresses nothing",
                                                   fix="name them: `# natslint: ignore[NL202] why`"))
            elif unknown:
                shown.append(UNUSED_SUPPRESSION.at(s.span, f"unknown rule {', '.join(unknown)}",
                                                   fix="see `natslint rules` for the codes"))
            elif not s.used:
                shown.append(UNUSED_SUPPRESSION.at(
                    s.span, f"this suppression of {', '.join(s.codes)} matches no finding", fix="remove it"))
    return sorted((policy.adjust(f) for f in shown if policy.wanted(f)), key=Finding.sort_key)


def fold_consequences(shown: list[Finding], policy: Policy) -> list[Finding]:
    """One mistake, one finding: a finding that follows from another (a host that reaches the
    leaf's JetStream because the leaf copied the hub's domain) is shown inside its cause, as a
    related location, while the cause is shown.  A cause that is ignored, suppressed or not
    selected leaves its consequences on their own; so does selecting a consequence's code
    exactly (`--select NL302`).  The group's severity is the highest in it."""
    from dataclasses import replace

    from natslint.codes import all_codes

    exact = {p for p in policy.select if p in {c.code for c in all_codes()} or p in {c.name for c in all_codes()}}
    causes = {(f.code, f.span.path, f.span.line, f.span.col) for f in shown}
    folded: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for f in shown:
        if f.cause is not None and f.cause in causes and f.code not in exact and f.name not in exact:
            folded.setdefault(f.cause, []).append(f)
        else:
            out.append(f)
    if not folded:
        return shown
    result = []
    for f in out:
        group = folded.get((f.code, f.span.path, f.span.line, f.span.col))
        if group:
            f = replace(f, severity=max([f.severity, *(g.severity for g in group)]),
                        related=(*f.related, *(Related(g.span, f"{g.code} follows from it: {g.message}")
                                               for g in group)))
        result.append(f)
    return result
