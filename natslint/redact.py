"""Masking secrets before anything is printed: configs are full of passwords and seeds.

Two layers: every printed source line goes through :func:`redact_line` (key/value and URL
patterns), and every finding's words go through :func:`redact_text` with the secret values
natslint found in the fleet (so a password quoted in a message is masked too).
"""

from __future__ import annotations

import re

MASK = "••••"
SECRET_KEYS = ("password", "pass", "token", "auth_token", "seed", "jwt", "bcrypt", "credentials", "creds",
               "private_key", "secret", "nkey_seed")
SECRET_ENV = re.compile(r"^[A-Z0-9_]*(PASSWORD|PASS|TOKEN|SEED|JWT|CREDS|SECRET)$")
_KEY_VALUE = re.compile(
    r"""(?ix)
    (?P<key>["']?\b(?:%s)\b["']?\s*(?:[:=]\s*|\s+))
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s,;}\]#]+)
    """ % "|".join(re.escape(k) for k in SECRET_KEYS))
_ENV_VALUE = re.compile(
    r"(?P<key>\b[A-Za-z0-9_]*(?:PASSWORD|PASS|TOKEN|SEED|JWT|CREDS|SECRET)\b[\"']?\s*[:=]\s*)"
    r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s,;}\]#]+)")
_URL_PASSWORD = re.compile(r"(?P<pre>\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<value>[^@\s/]+)(?=@)", re.I)
_NKEY_SEED = re.compile(r"\bS[UOACNPX][A-Z2-7]{40,}\b")
_BCRYPT = re.compile(r"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{20,}")


def redact_line(line: str) -> str:
    line = _KEY_VALUE.sub(lambda m: m.group("key") + MASK, line)
    line = _ENV_VALUE.sub(lambda m: m.group("key") + MASK, line)
    line = _URL_PASSWORD.sub(lambda m: m.group("pre") + MASK, line)
    line = _NKEY_SEED.sub(MASK, line)
    return _BCRYPT.sub(MASK, line)


_QUOTED = re.compile(r"`([^`]+)`")
_TRIGGERS = ("pass", "token", "seed", "jwt", "bcrypt", "cred", "secret", "private_key")


def redact_text(text: str, secrets: Secrets) -> str:
    for secret in secrets.longest_first:
        if secret in text:
            text = text.replace(secret, MASK)
    # a message may quote a piece of a secret (`$VAR` inside a quoted password): mask it too
    if "`" in text:
        text = _QUOTED.sub(lambda m: f"`{MASK}`" if len(m.group(1)) >= 4 and m.group(1).startswith("$") and
                           m.group(1) in secrets.joined else m.group(0), text)
    return redact_line(text)


class Secrets:
    """The secret values of one run, prepared once for every message that is masked."""

    def __init__(self, values: set[str]) -> None:
        self.longest_first = [v for v in sorted(values, key=lambda v: (-len(v), v)) if len(v) >= 3]
        # one search over all of them for a quoted fragment; NUL cannot occur in a fragment
        self.joined = "\x00".join(values)


def is_secret_key(key: str) -> bool:
    k = key.lower()
    return k in SECRET_KEYS or bool(SECRET_ENV.match(key.upper()))


def mask_document(value: object) -> object:
    """A resolved config with the values of secret-bearing keys masked (iterative)."""
    root: object = {} if isinstance(value, dict) else [] if isinstance(value, list) else value
    if not isinstance(value, (dict, list)):
        return value
    stack = [(value, root)]
    while stack:
        src, dst = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(k, str) and is_secret_key(k) and not isinstance(v, (dict, list)):
                nv: object = MASK
            elif isinstance(v, (dict, list)):
                nv = {} if isinstance(v, dict) else []
                stack.append((v, nv))
            elif isinstance(v, str):
                nv = redact_line(v)
            else:
                nv = v
            if isinstance(dst, dict):
                dst[k] = nv
            else:
                dst.append(nv)
    return root


def secrets_in(texts: dict[str, str], env: dict[str, str]) -> set[str]:
    """Secret values written in the checked files (and the lint environment): the words to
    mask wherever a message quotes them."""
    found: set[str] = set()
    for text in texts.values():
        low = text.lower()
        # most lines hold no secret: the regexes only run where a trigger word or an @ is
        if not any(t in low for t in _TRIGGERS) and "@" not in text and "$2" not in text:
            continue
        for line in text.split("\n"):
            if line.lstrip().startswith(("#", "//")):
                continue  # a comment names no secret value ("# injected from the secret store")
            line_low = line.lower()
            rxs = [rx for rx, hit in ((_KEY_VALUE, any(t in line_low for t in _TRIGGERS)),
                                      (_ENV_VALUE, any(t in line_low for t in _TRIGGERS)),
                                      (_URL_PASSWORD, "@" in line)) if hit]
            for rx in rxs:
                for m in rx.finditer(line):
                    value = m.group("value").strip("\"'")
                    # `credentials: /etc/nats/app.creds` names a file: the secret is in it
                    if value and not value.startswith(("$", "/", "./", "../")):
                        found.add(value)
            if "$2" in line:
                found.update(_BCRYPT.findall(line))
            if len(line) >= 56:
                found.update(_NKEY_SEED.findall(line))
    found.update(v for k, v in env.items() if v and is_secret_key(k))
    return found
