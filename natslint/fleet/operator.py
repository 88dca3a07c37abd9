"""Operator mode: accounts from the JWTs a server is given, users from creds files.

A MEMORY resolver's accounts are its `resolver_preload` JWTs, each with JetStream as its limits
say; a directory or URL resolver's accounts stay unknown.  A leaf remote's creds file names the
account its user belongs to on the hub.
"""

from __future__ import annotations

import os
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
    for e in preload.live() if preload is not None else ():
        if isinstance(e.value, Scalar) and isinstance(e.value.value, str):
            _account(s, e.key.name, e.value.value, e.key.span)


def directory_accounts(config: str, resolver: Map | None, s: Server) -> None:
    """A `full` or `cache` resolver's directory, when it is in the tree: one account JWT a file
    (`<account public key>.jwt`); a directory natslint cannot read leaves the accounts unknown."""
    if resolver is None or "#" in config:
        return
    kind, folder = resolver.get_ci("type"), resolver.get_ci("dir")
    if folder is None or not isinstance(folder.value, Scalar) or not isinstance(folder.value.value, str) or \
            (kind is not None and str(getattr(kind.value, "value", "")).lower() not in ("full", "cache")):
        return
    where = go_join(posixpath.dirname(config), folder.value.value)
    try:
        names = sorted(os.listdir(where))
    except OSError:
        return
    for name in names:
        if name.endswith(".jwt"):
            try:
                with open(os.path.join(where, name), encoding="utf-8") as fh:
                    _account(s, name[:-4], fh.read().strip(), folder.value.span)
            except (OSError, UnicodeDecodeError):
                continue


def _account(s: Server, key: str, token: str, span) -> None:
    from natslint.natsjwt import JWTError, decode

    try:
        claims = decode(token)
    except JWTError:
        return
    if claims.kind == "account" and claims.subject == key:
        s.accounts[key] = span
        s.account_names[key] = claims.name
        if claims.jetstream():
            s.js_accounts.add(key)
