"""Operator mode: accounts from the JWTs a server is given, users from creds files.

A MEMORY resolver's accounts are its `resolver_preload` JWTs, each with JetStream as its limits
say; a directory or URL resolver's accounts stay unknown.  A leaf remote's creds file names the
account its user belongs to on the hub.
"""

from __future__ import annotations

import os
import posixpath
from typing import Iterator

from natslint.fleet.model import Creds, Remote, Server
from natslint.syntax.document import go_join
from natslint.syntax.model import Array, Map, Scalar


def read_creds(config: str, written: object) -> Creds | None:
    """The creds file a remote names, when it is in the tree; None when it is not (mounted from
    a secret, generated at deploy time): then its account is unknown."""
    if not isinstance(written, str) or "#" in config:
        return None
    from natslint.natsjwt import CredsMalformed, JWTError, creds_check, creds_user

    path = go_join(posixpath.dirname(config), written)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    creds = Creds(path, written)
    try:
        user = creds_check(text)
    except CredsMalformed as exc:
        creds.problem, creds.malformed = f'LeafNode Remote Credentials file "{written}" {exc}', True
        return creds
    except JWTError as exc:
        creds.problem = f"the hub refuses its user ({exc}): `Authorization Violation`"
        user = creds_user(text)
    creds.account, creds.issuer = user.issuer_account or user.issuer, user.issuer
    return creds


def trusted_issuers(config: str, operator_node) -> set[str] | None:
    """The keys that may sign accounts: each operator that verifies, and its signing keys; None
    when no operator JWT could be read (then no account is judged)."""
    from natslint.natsjwt import JWTError, load

    keys: set[str] = set()
    for token, _, _ in operator_tokens(config, operator_node) if operator_node is not None else ():
        try:
            claims = load(token) if token else None
        except JWTError:
            continue
        if claims is not None and claims.kind == "operator":
            keys |= {claims.subject, *claims.signing_keys}
    return keys or None


def preloaded_accounts(preload: Map | None, s: Server, trusted: set[str] | None = None) -> None:
    """Operator mode with a MEMORY resolver: its accounts are the preloaded account JWTs, each
    with JetStream as its limits say; other resolvers' accounts stay unknown.  An account JWT
    the operator did not sign is no account a user can log in to."""
    for e in preload.live() if preload is not None else ():
        if isinstance(e.value, Scalar) and isinstance(e.value.value, str):
            _account(s, e.key.name, e.value.value, e.key.span, trusted)


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


def _account(s: Server, key: str, token: str, span, trusted: set[str] | None = None) -> None:
    from natslint.natsjwt import JWTError, decode, verify

    try:
        claims = decode(token)
        if trusted is not None:
            if claims.issuer not in trusted:
                raise JWTError(f"its issuer {claims.issuer[:8]}… is neither the operator nor one of its signing keys")
            verify(claims)
    except JWTError as exc:
        if trusted is not None:
            s.untrusted_accounts[key] = (span, str(exc))
        return
    if claims.kind == "account" and claims.subject == key:
        s.accounts[key] = span
        s.account_names[key] = claims.name
        s.account_signers[key] = {key, *claims.signing_keys}
        if claims.jetstream():
            s.js_accounts.add(key)
        for local, other, subject in claims.service_imports():
            if subject.startswith("$JS."):
                s.service_imports.setdefault(key, []).append((local, other, subject))


def operator_tokens(doc_path: str, node) -> Iterator[tuple[str | None, object, str]]:
    """(token or None, the scalar, what it is) of each operator the config names: inline, or a
    file beside the config (read as the server reads it, joined to the config's folder)."""
    items = node.items if isinstance(node, Array) else [node]
    for item in items:
        if not isinstance(item, Scalar) or not isinstance(item.value, str):
            continue
        text = item.value.strip()
        if text.count(".") == 2 and " " not in text and "/" not in text:
            yield text, item, "the operator JWT"
            continue
        path = go_join(os.path.dirname(doc_path), text)
        try:
            with open(path, encoding="utf-8") as fh:
                body = fh.read()
        except OSError:
            yield None, item, f"operator JWT file {text}"  # unreadable: NL002-like, left to the server's words
            continue
        lines = [ln.strip() for ln in body.splitlines() if ln.strip() and not ln.startswith("-")]
        yield (lines[0] if lines else ""), item, f"the operator JWT in {text}"


def refused_user(remote: Remote, hub: Server) -> str | None:
    """Why an operator-mode hub refuses the user of a remote's creds file, when the hub's
    accounts are all known (a MEMORY resolver, its config read whole): an account it does not
    hold, or a user signed by a key that is neither the account's nor one of its signing keys."""
    creds = remote.creds_file
    if creds is None or creds.account is None or not hub.operator_mode or not hub.accounts_known \
            or hub.config_unseen or hub.refuses:
        return None
    if creds.account not in hub.accounts:
        return f"its account {creds.account[:8]}… is no account the hub's MEMORY resolver preloads " \
               "(the hub logs `Account fetch failed: account missing`)"
    if creds.issuer not in hub.account_signers.get(creds.account, {creds.account}):
        return f"its signer {(creds.issuer or '')[:8]}… is neither account {creds.account[:8]}… nor one of " \
               "its signing keys"
    return None
