"""NL504 account-moved: a user or a leaf remote that moves to another account.

An account is a namespace: subscriptions, streams, KV buckets and imports belong to it.  A
user moved to another account logs in somewhere else, and what the old account holds is out
of its reach; a leaf remote bound to another account carries another account's messages, and
the leaf's clients lose what crossed the link before.  Both pass every check at rest.
"""

from __future__ import annotations

from typing import Iterator

from natslint.codes import ACCOUNT_MOVED
from natslint.defaults import GLOBAL_ACCOUNT
from natslint.findings import Finding
from natslint.rules.base import Rule
from natslint.since.changes import Change
from natslint.since.context import ChangeContext
from natslint.span import Span
from natslint.syntax.model import Array, Map, Node


def _users(accounts: object) -> dict[str, str]:
    """User (or nkey) -> the account that holds it, from an `accounts` block's plain value."""
    out: dict[str, str] = {}
    if not isinstance(accounts, dict):
        return out
    for name, body in accounts.items():
        users = body.get("users") if isinstance(body, dict) else None
        for u in users if isinstance(users, list) else ():
            who = u.get("user", u.get("nkey")) if isinstance(u, dict) else None
            if isinstance(who, str):
                out[who] = name
    return out


def _user_span(node: Node | None, account: str, user: str) -> Span | None:
    if not isinstance(node, Map):
        return None
    body = node.get(account)
    users = body.get("users") if isinstance(body, Map) else None
    for item in users.items if isinstance(users, Array) else ():
        if isinstance(item, Map):
            for key in ("user", "nkey"):
                v = item.get(key)
                if v is not None and getattr(v, "value", None) == user:
                    return v.span
    return None


def _urls(remote: object) -> tuple:
    if not isinstance(remote, dict):
        return ()
    got = remote.get("urls", remote.get("url"))
    return tuple(got) if isinstance(got, list) else (got,)


def _account(remote: object) -> str:
    return str(remote.get("account", GLOBAL_ACCOUNT)) if isinstance(remote, dict) else GLOBAL_ACCOUNT


def check(ctx: ChangeContext) -> Iterator[Finding]:
    seen: set[tuple] = set()
    for c in ctx.changes:
        for f in _moved_users(c) if c.option == "accounts" else _moved_remote(c) if c.option == "leafnodes.remotes" \
                else ():
            key = (f.span.path, f.span.line, f.span.col, f.message)
            if key not in seen:
                seen.add(key)
                c.rule = c.rule or ACCOUNT_MOVED.code
                yield f


def _moved_users(c: Change) -> Iterator[Finding]:
    old, new = _users(c.old), _users(c.new)
    node = c.node
    for user in sorted(set(old) & set(new)):
        if old[user] == new[user]:
            continue
        yield ACCOUNT_MOVED.at(
            _user_span(node, new[user], user) or c.span,
            f"user `{user}` moves from account {old[user]} to account {new[user]} on {c.after.label}",
            f"a client that logs in as `{user}` now lands in {new[user]}: the subscriptions, streams and KV buckets "
            f"of {old[user]} are out of its reach, unless {new[user]} imports them",
            fix=f"keep `{user}` in {old[user]}, or export what it uses from {old[user]} and import it in {new[user]}")


def _moved_remote(c: Change) -> Iterator[Finding]:
    if _urls(c.old) != _urls(c.new) or _account(c.old) == _account(c.new):
        return
    yield ACCOUNT_MOVED.at(
        c.span, f"a leaf remote of {c.after.label} moves from account {_account(c.old)} to account {_account(c.new)}",
        f"the link now carries {_account(c.new)}'s messages: the leaf's clients in {_account(c.old)} lose every "
        "subscription and JetStream request that crossed it",
        fix=f"keep `account: {_account(c.old)}`, or add a remote for {_account(c.new)} beside it")


RULE = Rule(ACCOUNT_MOVED, check)
