"""Scalar conversion, as nats-server's conf/parse.go turns item text into values."""

from __future__ import annotations

import re
from datetime import datetime, timezone

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Size suffixes.  The letters alone are decimal; with b/i/ib they are binary ("1K" is
# 1000, "1KB" is 1024).  A suffix the lexer accepts but this table lacks drops the value.
_BASE = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}
MULTIPLIERS: dict[str, int] = {"": 1}
for _letter, _power in _BASE.items():
    MULTIPLIERS[_letter] = 1000**_power
    for _tail in ("b", "i", "ib"):
        MULTIPLIERS[_letter + _tail] = 1024**_power

_ASCII_INT = re.compile(r"-?[0-9]+\Z")
_ASCII_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_ASCII_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")


class ConvertError(ValueError):
    """The server's own conversion error text."""


def wrap_int64(value: int) -> int:
    return ((value - INT64_MIN) % 2**64) + INT64_MIN


def split_int(text: str) -> tuple[str, str]:
    """The number part (a run of digits and '-') and the suffix as written."""
    i = 0
    while i < len(text) and (text[i] == "-" or text[i].isdecimal()):
        i += 1
    return text[:i], text[i:]


def to_int(text: str) -> tuple[int | None, bool]:
    """(value, wrapped).  None means the server silently stores nothing (unknown suffix)."""
    number, suffix = split_int(text)
    if not _ASCII_INT.match(number):
        raise ConvertError(f"expected integer, but got '{text}'")
    n = int(number)
    if not INT64_MIN <= n <= INT64_MAX:
        raise ConvertError(f"integer '{text}' is out of the range")
    mult = MULTIPLIERS.get(suffix.strip().lower())
    if mult is None:
        return None, False
    product = n * mult
    wrapped = wrap_int64(product)
    return wrapped, wrapped != product


def to_float(text: str) -> float:
    if not _ASCII_FLOAT.match(text):
        raise ConvertError(f"expected float, but got '{text}'")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ConvertError(f"float '{text}' is out of the range")
    return value


def to_datetime(text: str) -> datetime:
    """Go's layout 2006-01-02T15:04:05Z: calendar checked, no leap second."""
    try:
        if not _ASCII_DATETIME.match(text):
            raise ValueError
        y, mo, d = int(text[0:4]), int(text[5:7]), int(text[8:10])
        h, mi, s = int(text[11:13]), int(text[14:16]), int(text[17:19])
        if s > 59:
            raise ValueError
        return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)
    except ValueError:
        raise ConvertError(f"expected Zulu formatted DateTime, but got '{text}'") from None
