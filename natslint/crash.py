"""One crash policy for the whole run: a reader or a rule that fails becomes NL000 at the
place it was working on, and the rest of the fleet is still checked; with ``debug`` the
exception propagates, so ``--debug`` shows its traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, TypeVar

from natslint.codes import INTERNAL_ERROR
from natslint.findings import Finding
from natslint.span import Span

T = TypeVar("T")


def file_start(path: str) -> Span:
    return Span(path, 0, 0, 1, 1, 1, 1)


@dataclass(slots=True)
class Crashes:
    """What readers and rules that failed left behind, as NL000 findings (raised under --debug)."""

    debug: bool = False
    findings: list[Finding] = field(default_factory=list)

    def guard(self, where: str, what: str, fix: str, fn: Callable[..., T], *args) -> T | None:
        """``fn(*args)``; None and an NL000 finding at ``where`` if it raises."""
        try:
            return fn(*args)
        except Exception as exc:  # one broken input or rule must not hide the others' findings
            if self.debug:
                raise
            self.findings.append(INTERNAL_ERROR.at(file_start(where), f"{what}: {type(exc).__name__}: {exc}",
                                                   fix=fix))
            return None
