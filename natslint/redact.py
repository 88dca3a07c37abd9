"""Masking secrets before anything is printed: configs are full of passwords and seeds."""

from __future__ import annotations

import re

MASK = "••••"
SECRET_KEYS = ("password", "pass", "token", "auth_token", "nkey", "seed", "jwt", "bcrypt",
               "credentials", "creds", "key_file_contents", "private_key")
_KEY_VALUE = re.compile(
    r"""(?ix)
    (?P<key>["']?\b(?:%s)\b["']?\s*(?:[:=]\s*|\s+))
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s,;}\]#]+)
    """ % "|".join(re.escape(k) for k in SECRET_KEYS))
_URL_PASSWORD = re.compile(r"(?P<pre>\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<value>[^@\s/]+)(?=@)", re.I)
_NKEY_SEED = re.compile(r"\bS[UOACN][A-Z2-7]{40,}\b")
_BCRYPT = re.compile(r"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{20,}")


def redact_line(line: str) -> str:
    line = _KEY_VALUE.sub(lambda m: m.group("key") + MASK, line)
    line = _URL_PASSWORD.sub(lambda m: m.group("pre") + MASK, line)
    line = _NKEY_SEED.sub(MASK, line)
    return _BCRYPT.sub(MASK, line)
