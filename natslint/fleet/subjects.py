"""NATS subject matching, as the server matches a subscription or permission pattern
(`*` one token, `>` the rest), for the few questions the model asks of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from natslint.fleet.model import Server

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


def imported_api(server: Server, account: str, domain: str | None) -> tuple[str, str | None] | None:
    """(the exporting account, the domain it is asked in) when `account` imports the API
    request as a service (`to:` renames it locally); None when it does not."""
    if domain is not None and server.js_enabled.value and domain == server.domain.value:
        return None  # the server's own domain wins over an import renamed into it (live: its 503, or nothing)
    request = api_subject(domain)
    for local, other, exported in server.service_imports.get(account, ()):
        if matches(local, request):
            tail = exported.split(".")
            return other, (tail[1] if len(tail) > 2 and tail[2] == "API" else None)
    return None


def imports_plain_api(server: Server, account: str) -> bool:
    """An account that imports `$JS.API.>` itself gets no JetStream handler of its own from the
    server: no error reply, and no mapping of the server's domain (live: no responders)."""
    return any(matches(local, api_subject(None)) for local, _, _ in server.service_imports.get(account, ()))
