"""Operator mode: accounts from the JWTs a server is given, users from creds files.

A MEMORY resolver's accounts are its `resolver_preload` JWTs, each with JetStream as its limits
say; a directory or URL resolver's accounts stay unknown.  A leaf remote's creds file names the
account its user belongs to on the hub.
"""

from __future__ import annotations

import posixpath

from natslint.fleet.model import Server
from natslint.syntax.document import go_join
from natslint.syntax.model import Map, Scalar


def creds_account(config: str, written: object) -> tuple[str, str] | None:
    """The account of the user in a creds file beside the config (its user JWT's issuer, or the
    `issuer_account` of a signing key) and the file's path; None when the file is not in the tree
    or is no creds."""
    if not isinstance(written, str) or "#" in config:
        return None
    from natslint.natsjwt import JWTError, creds_user

    path = go_join(posixpath.dirname(config), written)
    try:
        with open(path, encoding="utf-8") as fh:
            user = creds_user(fh.read())
    except (OSError, UnicodeDecodeError, JWTError):
        return None
    return user.issuer_account or user.issuer, path


def preloaded_accounts(preload: Map | None, s: Server) -> None:
    """Operator mode with a MEMORY resolver: its accounts are the preloaded account JWTs, each
    with JetStream as its limits say; other resolvers' accounts stay unknown."""
    from natslint.natsjwt import JWTError, decode

    for e in preload.live() if preload is not None else ():
        if isinstance(e.value, Scalar) and isinstance(e.value.value, str):
            try:
                claims = decode(e.value.value)
            except JWTError:
                continue
            if claims.kind == "account" and claims.subject == e.key.name:
                s.accounts[e.key.name] = e.key.span
                if claims.jetstream():
                    s.js_accounts.add(e.key.name)
