"""One reason nats-server does not start, in its own words, with where to point at."""

from __future__ import annotations

from dataclasses import dataclass

from natslint.span import Span


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why nats-server would refuse to start, where, and what to change."""

    message: str  # nats-server's own words
    span: Span
    related: tuple[tuple[Span, str], ...]
    fix: str
    code: str | None = None  # the rule that reports it, where not NL113 (NL103, NL104: JetStream)
