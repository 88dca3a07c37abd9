"""NATS keys and JWTs made for a test, with `nkeys`: nothing a test uses is committed."""

from __future__ import annotations

import base64
import json
import os
import time

import nkeys

PREFIX = {"operator": nkeys.PREFIX_BYTE_OPERATOR, "account": nkeys.PREFIX_BYTE_ACCOUNT,
          "user": nkeys.PREFIX_BYTE_USER}


class Key:
    def __init__(self, kind: str) -> None:
        self.seed = nkeys.encode_seed(os.urandom(32), PREFIX[kind])
        self.pair = nkeys.from_seed(bytearray(self.seed))
        self.public = self.pair.public_key.decode()

    def sign(self, data: bytes) -> bytes:
        return self.pair.sign(data)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# what nsc writes when no limit is given (nats-server reads a missing limit as 0: nothing allowed)
DEFAULTS = {
    "account": {"limits": {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": True,
                           "conn": -1, "leaf": -1, "mem_storage": 0, "disk_storage": 0}},
    "user": {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1},
    "operator": {},
}


def jwt(subject: Key, issuer: Key, kind: str, name: str, nats: dict | None = None, exp: int | None = None) -> str:
    header = _b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    claim = json.loads(json.dumps(DEFAULTS[kind]))
    for k, v in (nats or {}).items():
        claim[k] = {**claim.get(k, {}), **v} if isinstance(v, dict) and isinstance(claim.get(k), dict) else v
    payload = {"jti": _b64(os.urandom(12)), "iat": int(time.time()), "iss": issuer.public, "name": name,
               "sub": subject.public, "nats": {"type": kind, "version": 2, **claim}}
    if exp is not None:
        payload["exp"] = exp
    body = _b64(json.dumps(payload).encode())
    return f"{header}.{body}.{_b64(issuer.sign(f'{header}.{body}'.encode()))}"


def creds(user_jwt: str, user: Key) -> str:
    return (f"-----BEGIN NATS USER JWT-----\n{user_jwt}\n------END NATS USER JWT------\n\n"
            f"-----BEGIN USER NKEY SEED-----\n{user.seed.decode()}\n------END USER NKEY SEED------\n")


def tampered(token: str) -> str:
    """The token with its payload edited by hand (its signature left as it was)."""
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = claims["name"] + "-edited"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{sig}"
