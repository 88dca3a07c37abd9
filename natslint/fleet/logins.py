"""Which accounts a server's clients can log into, as nats-server decides it from the config.

Once any user is configured (in `authorization` or in an account), an anonymous client is
refused (`Authorization Violation`) unless `no_auth_user` names one.  A client then lands in
its user's account: top-level users in `$G`, an account's users in that account.
"""

from __future__ import annotations

from natslint.defaults import GLOBAL_ACCOUNT
from natslint.fleet.model import Server
from natslint.syntax.model import Array, Map, Node, Scalar


def _get(m: Map | None, *names: str) -> Node | None:
    if m is None:
        return None
    for name in names:
        e = m.get_ci(name)
        if e is not None:
            return e.value
    return None


def _users(node: Node | None, default: str) -> list[str]:
    """The account of each user (or nkey user) of a users array."""
    out: list[str] = []
    for u in node.items if isinstance(node, Array) else []:
        if isinstance(u, Map):
            acc = _get(u, "account")
            out.append(acc.value if isinstance(acc, Scalar) and isinstance(acc.value, str) else default)
    return out


def client_accounts(root: Map, no_auth_account: str | None) -> tuple[bool, frozenset[str] | None]:
    """(whether clients must authenticate, the accounts they can log into); the accounts are
    None when the config leaves them to something natslint does not read (an auth callout,
    a websocket or MQTT listener's own authentication)."""
    required = False
    logins: set[str] = set()
    auth = _get(root, "authorization", "authentication")
    if isinstance(auth, Map):
        if _get(auth, "auth_callout", "callout") is not None:
            return True, None
        if any(_get(auth, k) is not None for k in ("user", "username", "token", "nkey")):
            required = True
            logins.add(GLOBAL_ACCOUNT)
        users = _users(_get(auth, "users"), GLOBAL_ACCOUNT)
        required = required or bool(users)
        logins.update(users)
    accounts = _get(root, "accounts")
    for e in accounts.live() if isinstance(accounts, Map) else []:
        users = _users(_get(e.value, "users") if isinstance(e.value, Map) else None, e.key.name)
        required = required or bool(users)
        logins.update(users)
    for block in ("websocket", "ws", "mqtt"):
        listener = _get(root, block)
        if isinstance(listener, Map) and any(_get(listener, k) is not None
                                             for k in ("authorization", "no_auth_user")):
            return required, None
    if no_auth_account is not None:
        logins.add(no_auth_account)
    return required, frozenset(logins)


def shared_accounts(root: Map) -> set[str]:
    """The accounts that exchange messages with another account: those that export, and those
    another account imports from (traffic reaches them without a login of their own)."""
    out: set[str] = set()
    accounts = _get(root, "accounts")
    for e in accounts.live() if isinstance(accounts, Map) else []:
        if not isinstance(e.value, Map):
            continue
        if _get(e.value, "exports") is not None:
            out.add(e.key.name)
        imports = _get(e.value, "imports")
        if imports is not None:
            out.add(e.key.name)
        for item in imports.items if isinstance(imports, Array) else []:
            for kind in ("stream", "service"):
                source = _get(item, kind) if isinstance(item, Map) else None
                other = _get(source, "account") if isinstance(source, Map) else None
                if isinstance(other, Scalar) and isinstance(other.value, str):
                    out.add(other.value)
    return out


def read_logins(root: Map, s: Server) -> None:
    s.auth_required, s.client_logins = client_accounts(root, s.no_auth_account)
    s.shared_accounts = shared_accounts(root)
