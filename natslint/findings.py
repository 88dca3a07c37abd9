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
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fix: str = ""

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of the code table: the code, its kebab name, its default severity."""

    code: str
    name: str
    severity: Severity
    summary: str

    def at(self, span: Span, message: str, *, severity: Severity | None = None,
           related: tuple[Related, ...] = (), fix: str = "") -> Finding:
        return Finding(self.code, self.name, self.severity if severity is None else severity,
                       message, span, related, fix)


# Input problems (NL0xx).  The codes are fixed: users put them in config and suppressions.
INTERNAL_ERROR = Code("NL000", "internal-error", Severity.ERROR,
                      "natslint failed on this input; the rest of the fleet was still checked")
SYNTAX_ERROR = Code("NL001", "syntax-error", Severity.ERROR,
                    "nats-server's parser rejects the file")
INCLUDE_NOT_FOUND = Code("NL002", "include-not-found", Severity.ERROR,
                         "an include names a file that is missing or unreadable")
INCLUDE_CYCLE = Code("NL003", "include-cycle", Severity.ERROR,
                     "a file includes itself, directly or through other files")
UNDEFINED_VARIABLE = Code("NL004", "undefined-variable", Severity.ERROR,
                          "a $variable is defined neither in the config nor in the environment")
UNREADABLE_FILE = Code("NL005", "unreadable-file", Severity.ERROR,
                       "a file could not be read as text (binary, not UTF-8, too large, no permission)")
SURPRISING_VALUE = Code("NL006", "surprising-value", Severity.WARNING,
                        "nats-server reads a value differently than it looks")

INPUT_CODES: tuple[Code, ...] = (
    INTERNAL_ERROR, SYNTAX_ERROR, INCLUDE_NOT_FOUND, INCLUDE_CYCLE, UNDEFINED_VARIABLE, UNREADABLE_FILE,
    SURPRISING_VALUE,
)
