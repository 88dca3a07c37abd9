"""Findings: what natslint reports, with a fixed code, a name and a severity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from natslint.span import Span


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding points at, with what it says there."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at [start, end) of ``path`` (offsets as the parser reads the file) with
    ``text``; with ``old``, replace only the one place ``old`` is written in that range (or on
    ``line``, for spans that carry a line and no offsets)."""

    path: str
    start: int
    end: int
    text: str
    old: str = ""
    line: int = 0  # readers that locate by line alone (YAML, .env, units): ``old`` on this line


@dataclass(frozen=True, slots=True)
class Fix:
    """An edit whose result is certain. ``safe``: it changes nothing but what the finding is
    about (the fixer also makes it unsafe when an edited file feeds other workloads). What may
    change, checked by re-reading the edited files: NATS config keys named in ``keys`` (a
    rename's old and new names), or one value going from ``value[0]`` to ``value[1]``."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True
    keys: tuple[str, ...] = ()
    value: tuple[str, str] | None = None
    why_unsafe: str = ""  # said beside an unsafe fix: what else the edit changes


@dataclass(frozen=True, slots=True)
class Finding:
    """One located diagnostic: a rule's code and severity, where, and what to do."""

    code: str
    name: str
    severity: Severity
    message: str  # one sentence: what is wrong, where
    span: Span
    related: tuple[Related, ...] = ()
    fix: str = ""
    # the finding this one follows from (code, path, line, column): shown folded into it
    cause: tuple[str, str, int, int] | None = None
    # why it matters: what nats-server does with it, what the clients see (one sentence each)
    notes: tuple[str, ...] = ()
    autofix: Fix | None = None

    @property
    def full_text(self) -> str:
        """The headline and its notes, for consumers with one text field (SARIF)."""
        return " ".join([_sentence(self.message), *map(_sentence, self.notes)])

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of the code table (:mod:`natslint.codes`): the code, its kebab-case name,
    its default severity, and what its doc's header says of it."""

    code: str
    name: str
    severity: Severity  # the default; SARIF's defaultConfiguration
    summary: str
    severities: tuple[Severity, ...] = ()  # every severity its findings can carry
    scope: str = "fleet"  # what it looks at: a document, a server, the fleet, any file
    since: str = "0.1.0"
    url: str = ""  # a custom rule's docs (natslint.custom); built-in codes' docs are in rules/

    @property
    def default_severity(self) -> Severity:
        return self.severity

    def at(self, span: Span, message: str, *notes: str, severity: Severity | None = None,
           related: tuple[Related, ...] = (), fix: str = "", cause: Span | tuple[str, Span] | None = None,
           autofix: Fix | None = None) -> Finding:
        """A finding here: ``message`` is its headline, ``notes`` the sentences that explain it;
        ``cause``: (code, span) of the finding it follows from; ``autofix``: the edit that fixes it."""
        key = (cause[0], cause[1].path, cause[1].line, cause[1].col) if isinstance(cause, tuple) else None
        return Finding(self.code, self.name, self.severity if severity is None else severity,
                       message, span, related, fix, key, tuple(n for n in notes if n), autofix)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."
