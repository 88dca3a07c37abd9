"""NATS JWTs as nats-server reads them: operator, account and user claims, each signed with
the nkey of its issuer (ed25519), decoded and verified with the `nkeys` library.

A JWT is `header.payload.signature`, base64url without padding; the header says
`{"typ": "JWT", "alg": "ed25519-nkey"}`; the payload holds `iss` (the issuer's public nkey),
`sub` (the subject's), `iat`, `exp`, `name` and the `nats` claim (`type`: operator, account or
user, with its signing keys, limits, exports and imports).  A `.creds` file holds a user JWT and
the user's seed between `-----BEGIN ...-----` lines; the seed is a secret and is never kept.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field

# the first letter of a public nkey says what it is
PREFIXES = {"operator": "O", "account": "A", "user": "U"}


class JWTError(Exception):
    """A JWT nats-server would refuse, in its words where it has them."""


@dataclass(slots=True)
class Claims:
    kind: str  # operator | account | user
    subject: str  # public nkey
    issuer: str  # public nkey of the signer
    name: str = ""
    issued_at: int | None = None
    expires: int | None = None
    nats: dict = field(default_factory=dict)
    signed: bytes = b""  # header.payload, what the signature covers
    signature: bytes = b""

    @property
    def short(self) -> str:
        """The subject as messages show it: its first 8 characters."""
        return f"{self.subject[:8]}…"

    @property
    def signing_keys(self) -> list[str]:
        keys = self.nats.get("signing_keys") or []
        return [k if isinstance(k, str) else k.get("key", "") for k in keys if isinstance(k, (str, dict))]

    @property
    def issuer_account(self) -> str | None:
        """A user signed with an account's signing key names its account here."""
        value = self.nats.get("issuer_account")
        return value if isinstance(value, str) and value else None

    def service_imports(self) -> list[tuple[str, str, str]]:
        """An account's service imports: (the subject its users send to, the exporting account,
        the subject that account exports); `local_subject` (2.10) or the older `to` map it."""
        out = []
        for imp in self.nats.get("imports") or ():
            if not isinstance(imp, dict) or imp.get("type") != "service":
                continue
            subject, other = imp.get("subject"), imp.get("account")
            if isinstance(subject, str) and isinstance(other, str):
                local = imp.get("local_subject") or imp.get("to") or subject
                out.append((str(local), other, subject))
        return out

    def jetstream(self) -> bool:
        """An account's JetStream: on when its limits allow any memory or disk storage, tiered
        (`R1`, `R3`) or not; the JWT's default (both 0) leaves it off."""
        limits = self.nats.get("limits") or {}
        tiers = [limits, *((limits.get("tiered_limits") or {}).values())]
        return any(isinstance(t, dict) and (t.get("mem_storage", 0) or t.get("disk_storage", 0)) for t in tiers)


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode(token: str) -> Claims:
    """The claims of ``token``, unverified; JWTError when it is no NATS JWT."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JWTError("expected 3 chunks")
    try:
        header = json.loads(_b64(parts[0]))
        payload = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise JWTError(f"invalid encoding: {exc}") from None
    if not isinstance(header, dict) or header.get("alg") not in ("ed25519-nkey", "ed25519"):
        raise JWTError(f"unexpected alg {header.get('alg') if isinstance(header, dict) else header!r}")
    if not isinstance(payload, dict) or not isinstance(payload.get("nats"), dict):
        raise JWTError("no nats claim")
    kind = str(payload["nats"].get("type", ""))
    if kind not in PREFIXES:
        raise JWTError(f"unknown claim type {kind!r}")
    return Claims(kind, str(payload.get("sub", "")), str(payload.get("iss", "")), str(payload.get("name", "")),
                  payload.get("iat"), payload.get("exp") or None, payload["nats"],
                  f"{parts[0]}.{parts[1]}".encode(), signature)


def public_key_bytes(key: str) -> bytes:
    """The 32 bytes of a public nkey, its prefix and checksum checked (nkeys' encoding)."""
    import nkeys

    try:
        raw = base64.b32decode(key + "=" * (-len(key) % 8))
    except (binascii.Error, ValueError):
        raise JWTError(f"{key[:8]}… is no public nkey") from None
    if len(raw) != 35 or int.from_bytes(raw[-2:], "little") != nkeys.crc16(raw[:-2]):
        raise JWTError(f"{key[:8]}… is no public nkey")
    return raw[1:33]


def verify(claims: Claims, now: float | None = None) -> None:
    """JWTError unless ``claims`` is signed by its issuer's key and has not expired."""
    import nacl.exceptions
    import nacl.signing

    try:
        nacl.signing.VerifyKey(public_key_bytes(claims.issuer)).verify(claims.signed, claims.signature)
    except nacl.exceptions.BadSignatureError:
        raise JWTError("claim failed V2 signature verification") from None
    if claims.expires is not None and claims.expires < (now if now is not None else time.time()):
        raise JWTError("claim is expired")


def load(token: str) -> Claims:
    """Decode and verify, as nats-server reads an operator JWT."""
    claims = decode(token)
    verify(claims)
    return claims


_BLOCK = re.compile(r"-{3,}BEGIN ([A-Z ]+)-{3,}\s*\n(.*?)\n\s*-{3,}END \1-{3,}", re.S)


class CredsMalformed(JWTError):
    """A creds file the leaf itself cannot use: it never presents a user."""


def creds_user(text: str) -> Claims:
    """The user JWT of a `.creds` file (its seed is read by nobody here)."""
    for kind, body in _BLOCK.findall(text):
        if "JWT" in kind:
            claims = decode(body.strip())
            if claims.kind != "user":
                raise JWTError(f"the creds file holds a {claims.kind} JWT, not a user's")
            return claims
    raise JWTError("no user JWT in the creds file")


def creds_check(text: str) -> Claims:
    """The user of a `.creds` file, checked as the leaf and then the hub check it: both blocks
    present (else CredsMalformed, as the leaf says), a user JWT that decodes (else
    CredsMalformed), signed by its issuer and unexpired, and a seed whose public key is the
    JWT's subject (else JWTError: the hub refuses).  The seed is read here and dropped."""
    blocks = dict((kind, body.strip()) for kind, body in _BLOCK.findall(text))
    token = next((b for k, b in blocks.items() if "JWT" in k), None)
    seed = next((b for k, b in blocks.items() if "SEED" in k), None)
    if token is None or seed is None:
        raise CredsMalformed("malformed")
    try:
        claims = decode(token)
    except JWTError:
        raise CredsMalformed("has malformed user jwt") from None
    if claims.kind != "user":
        raise CredsMalformed(f"has malformed user jwt (a {claims.kind} JWT)")
    verify(claims)
    if _public_of_seed(seed) != claims.subject:
        raise JWTError("its seed is not the key of the user its JWT names")
    return claims


def _public_of_seed(seed: str) -> str | None:
    import nkeys

    try:
        pair = nkeys.from_seed(bytearray(seed.encode()))
        public = pair.public_key.decode()
        pair.wipe()
        return public
    except (nkeys.NkeysError, ValueError, TypeError):
        return None


def mask(text: str) -> str:
    """``text`` with every nkey seed (`S` + prefix + 56 base32) replaced: never shown."""
    return re.sub(r"\bS[OAUNC][A-Z2-7]{56}\b", "S…(seed)", text)
