"""What a rule is: a code from the code table and a ``check(ctx)`` generator of findings.

A rule never prints, reads files or looks at other rules' findings.  Its doc lives in
``rules/<CODE>-<name>.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

from natslint.findings import Code, Finding

if TYPE_CHECKING:
    from natslint.rules.context import Context


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its code and the check that yields its findings."""

    code: Code
    check: Callable[..., Iterator[Finding]]  # (Context) -> findings; a change rule's: (ChangeContext)
