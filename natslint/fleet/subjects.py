"""NATS subject matching, as the server matches a subscription or permission pattern
(`*` one token, `>` the rest), for the few questions the model asks of it."""

from __future__ import annotations

# The request a JetStream API probe sends; the model asks whether a pattern stops it.
API_PROBE = "API.STREAM.NAMES"


def matches(pattern: str, subject: str) -> bool:
    """Does ``pattern`` match the literal ``subject``?"""
    pt, st = pattern.split("."), subject.split(".")
    for i, tok in enumerate(pt):
        if tok == ">":
            return len(st) > i
        if i >= len(st) or (tok != "*" and tok != st[i]):
            return False
    return len(pt) == len(st)


def api_subject(domain: str | None) -> str:
    """The subject of a JetStream API request: `$JS.API.…` or `$JS.<domain>.API.…`."""
    return f"$JS.{domain}.{API_PROBE}" if domain else f"$JS.{API_PROBE}"


def denies(patterns: list[str], domain: str | None) -> bool:
    return any(matches(p, api_subject(domain)) for p in patterns)
