"""The rule registry: one explicit tuple, looked up by code or by name.

A rule is a code (from :mod:`natslint.findings`) plus a ``check(ctx)`` generator that
yields findings; it never prints, reads files or looks at other rules.  Its doc lives in
``rules/<CODE>-<name>.md`` beside the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from natslint.findings import Code, Finding


@dataclass(frozen=True, slots=True)
class Rule:
    code: Code
    check: Callable[..., Iterator[Finding]]


def _load() -> tuple[Rule, ...]:
    from natslint.rules import nl1xx_options, nl2xx_domains, nl3xx_hosts, nl4xx_wiring

    return (*nl1xx_options.RULES, *nl2xx_domains.RULES, *nl3xx_hosts.RULES, *nl4xx_wiring.RULES)


_RULES: tuple[Rule, ...] | None = None


def all_rules() -> tuple[Rule, ...]:
    global _RULES
    if _RULES is None:
        _RULES = _load()
    return _RULES


def all_codes() -> tuple[Code, ...]:
    from natslint.findings import INPUT_CODES
    from natslint.selection import UNUSED_SUPPRESSION

    return (*INPUT_CODES, *(r.code for r in all_rules()), UNUSED_SUPPRESSION)


def get(code_or_name: str) -> Code | None:
    key = code_or_name.strip().lower()
    return next((c for c in all_codes() if c.code.lower() == key or c.name == key), None)
