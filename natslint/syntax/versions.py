"""Which nats-server reads a config, and where its reading changed between versions."""

from __future__ import annotations

from natslint.defaults import DEFAULT_NATS_VERSION

# The shared reference (commit 1787eee, "2.15.0-dev") still ends an integer at a digit after a
# size suffix; released 2.15.1 reads "1m30s" as a string (nats-server PR #8263).
REFERENCE_NATS_VERSION = "2.15.0-dev"

__all__ = ["DEFAULT_NATS_VERSION", "REFERENCE_NATS_VERSION", "version_tuple", "digit_ends_suffix"]


def version_tuple(version: str) -> tuple[int, int, int]:
    """'2.15.1' -> (2, 15, 1); a pre-release such as '2.15.0-dev' counts as before 2.15.0."""
    core, _, pre = version.lstrip("v").partition("-")
    parts = [int(p) for p in core.split(".")[:3] if p.isdigit()]
    parts += [0] * (3 - len(parts))
    major, minor, patch = parts
    return (major, minor, patch) if not pre else (major, minor, patch - 1) if patch else (major, minor - 1, 99)


def digit_ends_suffix(version: str) -> bool:
    return version_tuple(version) < (2, 15, 1)
