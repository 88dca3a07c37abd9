"""Masking secrets where they stand, and nowhere else.

A secret is a value in a secret-bearing place, never a word: the value of a secret key (and of
a key whose did-you-mean target is one, `pasword`), a URL's userinfo password or token, the
value of a secret environment name (a name part PASSWORD, PASS, TOKEN, SEED, JWT, CREDS,
SECRET or KEY), an nkey seed, a bcrypt hash, the value of `--pass`/`--auth`.  A `$VAR`
reference holds no secret and stays readable.

- Source lines (code frames, SARIF fingerprints): :func:`mask_line` masks those values and
  returns the column map, so carets are placed on the masked line.
- Messages never quote a secret (rules say "the value" for a secret key); URLs in them are
  masked by :func:`mask_urls`.  Help and fix texts are never masked.
- `dump` and `graph`: :func:`mask_document`, :func:`mask_urls`.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable

MASK = "••••"
SECRET_KEYS = ("password", "pass", "token", "auth_token", "seed", "jwt", "bcrypt", "credentials", "creds",
               "private_key", "secret", "nkey_seed")
SECRET_ENV = re.compile(r"(?:^|_)(PASSWORD|PASS|PASSWD|TOKEN|SEED|JWT|CREDS|SECRET|KEY)$", re.I)
_KEY_VALUE = re.compile(
    r"""(?P<key>(?<![\w.$-])["']?(?P<name>[A-Za-z_][\w.-]*)["']?\s*(?:=|:(?!//)|\s(?=["']))\s*)"""
    r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s,;}\]#]+)""")
_ENV_ASSIGN = re.compile(r"(?<![\w.-])(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s\"']+)")
_FLAG = re.compile(r"(?P<key>--?(?:pass|auth|password)(?:=|\s+))(?P<value>[^\s\"',\]]+)")
_URL_USERINFO = re.compile(r"(?P<pre>\b[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s\"']+)(?::(?P<pw>[^@\s/\"']*))?(?=@)",
                           re.I)
_NKEY_SEED = re.compile(r"\bS[UOACNPX][A-Z2-7]{40,}\b")
_BCRYPT = re.compile(r"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{20,}")
_VAR_REF = re.compile(r"""["']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?["']?""")


def is_secret_key(key: str) -> bool:
    """A key or environment name whose value is a secret, or a misspelling of one."""
    k = key.lower().strip("\"'")
    if k in SECRET_KEYS or SECRET_ENV.search(key):
        return True
    return len(k) >= 5 and bool(difflib.get_close_matches(k, [s for s in SECRET_KEYS if len(s) >= 5], n=1,
                                                          cutoff=0.8))


def _spans(line: str, known: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The character ranges of the secrets on one line (``known``: those the model located,
    such as a Kubernetes env `value:` under a secret `name:`)."""
    out: list[tuple[int, int]] = list(known)
    for m in _KEY_VALUE.finditer(line):
        value = m.group("value")
        if is_secret_key(m.group("name")) and not _VAR_REF.fullmatch(value) and \
                not value.strip("\"'").startswith(("/", "./", "../")):  # a credentials file's path
            out.append(m.span("value"))
    out += [m.span("value") for m in _ENV_ASSIGN.finditer(line)  # `Environment=NATS_TOKEN=…`
            if SECRET_ENV.search(m.group("name")) and not _VAR_REF.fullmatch(m.group("value"))]
    out += [m.span("value") for m in _FLAG.finditer(line)]
    for m in _URL_USERINFO.finditer(line):
        part = "pw" if m.group("pw") is not None else "user"  # `nats://token@host`: the token
        if m.group(part) and not _VAR_REF.fullmatch(m.group(part)):
            out.append(m.span(part))
    out += [m.span() for m in _NKEY_SEED.finditer(line)] + [m.span() for m in _BCRYPT.finditer(line)]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def mask_line(line: str, known: list[tuple[int, int]] = ()) -> tuple[str, Callable[[int], int]]:
    """The line with each secret replaced by ••••, and a map from a 0-based column of the line
    to the column of the same place on the masked line (a column inside a secret maps to its
    mask)."""
    spans = _spans(line, known)
    if not spans:
        return line, lambda col: col
    parts, last = [], 0
    for a, b in spans:
        parts += [line[last:a], MASK]
        last = b
    parts.append(line[last:])

    def column(col: int) -> int:
        shift = 0
        for a, b in spans:
            if col < a:
                break
            if col < b:
                return a + shift
            shift += len(MASK) - (b - a)
        return col + shift

    return "".join(parts), column


def redact_line(line: str) -> str:
    return mask_line(line)[0]


def mask_urls(text: str) -> str:
    """URL userinfo (a password, or a token with no `:`) masked in free text: a message, a
    graph label, a link in prove's output."""
    def sub(m: re.Match) -> str:
        if m.group("pw") is not None:
            pw = m.group("pw")
            return f"{m.group('pre')}{m.group('user')}:{pw if _VAR_REF.fullmatch(pw) else MASK}"
        user = m.group("user")
        return f"{m.group('pre')}{user if _VAR_REF.fullmatch(user) else MASK}"
    return _URL_USERINFO.sub(sub, text)


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
                nv = _BCRYPT.sub(MASK, _NKEY_SEED.sub(MASK, mask_urls(v)))
            else:
                nv = v
            if isinstance(dst, dict):
                dst[k] = nv
            else:
                dst.append(nv)
    return root
