"""A server's accounts as its config gives them: users, imports and exports, `no_auth_user`,
the users leaf connections log in as, and the accounts its clients can log into.  Operator mode
reads its accounts from JWTs (natslint.fleet.operator)."""

from __future__ import annotations

from natslint.fleet.model import GLOBAL_ACCOUNT, Server
from natslint.fleet.operator import directory_accounts, preloaded_accounts, trusted_issuers
from natslint.fleet.values import account_js_enabled, as_map, opt, scalar, value_span
from natslint.syntax.model import Array, Map, Node, Scalar


def _users(node: Node | None) -> list[tuple[str, str | None]]:
    """(user, account) pairs of a users array (account None when not given)."""
    out = []
    if isinstance(node, Array):
        for u in node.items:
            if isinstance(u, Map):
                name = scalar(opt(u, "user", "username"))
                acc = scalar(opt(u, "account"))
                if isinstance(name, str):
                    out.append((name, acc if isinstance(acc, str) else None))
    return out


def _trades(account: Map, name: str, s: Server, shared: set[str]) -> None:
    """An account's exports and imports: the accounts that trade messages (into ``shared``),
    and the JetStream API subjects it imports as a service, `imports: [ { service: { account:
    L, subject: "$JS.API.>" }, to: "..." } ]` (local subject, that account, its subject)."""
    if opt(account, "exports") is not None:
        shared.add(name)
    imports = opt(account, "imports")
    if imports is None:
        return
    shared.add(name)
    for item in imports.value.items if isinstance(imports.value, Array) else ():
        for kind in ("stream", "service"):
            source = as_map(opt(item, kind)) if isinstance(item, Map) else None
            other = scalar(opt(source, "account")) if source is not None else None
            if isinstance(other, str):
                shared.add(other)
        service = as_map(opt(item, "service")) if isinstance(item, Map) else None
        if service is None:
            continue
        other, subject = scalar(opt(service, "account")), scalar(opt(service, "subject"))
        to = scalar(opt(item, "to"))  # type: ignore[arg-type]
        if isinstance(other, str) and isinstance(subject, str) and subject.startswith("$JS."):
            s.service_imports.setdefault(name, []).append((to if isinstance(to, str) else subject, other, subject))


def _client_logins(root: Map, logins: set[str], no_auth_account: str | None) -> tuple[bool, frozenset[str] | None]:
    """(whether clients must authenticate, the accounts they can log into).  Once any user is
    configured (in `authorization` or in an account), an anonymous client is refused unless
    `no_auth_user` names one; top-level users land in `$G`.  The accounts are None when
    something natslint does not read decides (an auth callout, a websocket or MQTT listener's
    own authentication)."""
    required = bool(logins)
    auth = as_map(opt(root, "authorization", "authentication"))
    if auth is not None:
        if opt(auth, "auth_callout", "callout") is not None:
            return True, None
        if opt(auth, "user", "username", "token", "nkey") is not None:
            required = True
            logins = logins | {GLOBAL_ACCOUNT}
        users = opt(auth, "users")
        for u in users.value.items if users is not None and isinstance(users.value, Array) else ():
            if isinstance(u, Map):
                required = True
                acc = scalar(opt(u, "account"))
                logins = logins | {acc if isinstance(acc, str) else GLOBAL_ACCOUNT}
    for block in ("websocket", "ws", "mqtt"):
        listener = as_map(opt(root, block))
        if listener is not None and opt(listener, "authorization", "no_auth_user") is not None:
            return required, None
    if no_auth_account is not None:
        logins = logins | {no_auth_account}
    return required, frozenset(logins)


def read_accounts(root: Map, s: Server) -> None:
    """Its accounts, users, imports and exports, `no_auth_user`, leafnode users, and which
    accounts its clients can log into, in one pass over the accounts."""
    s.operator_mode = opt(root, "operator", "operators", "trusted", "trusted_keys", "resolver") is not None
    if s.operator_mode:
        op = opt(root, "operator", "operators", "trusted_operators")
        trusted = trusted_issuers(s.path, op.value if op else None)
        preloaded_accounts(as_map(opt(root, "resolver_preload")), s, trusted)
        # a MEMORY resolver holds its preloads and nothing else; any other resolver may fetch more
        resolver = scalar(opt(root, "resolver"))
        s.accounts_known = trusted is not None and isinstance(resolver, str) and resolver.upper() == "MEMORY"
        directory_accounts(s.path, as_map(opt(root, "resolver")), s)
    sys_e = opt(root, "system_account", "system")
    if isinstance(scalar(sys_e), str):
        s.system_account = scalar(sys_e)  # type: ignore[assignment]
    accounts = as_map(opt(root, "accounts"))
    user_account: dict[str, str] = {}
    logins: set[str] = set()  # accounts a client can log into
    shared: set[str] = set()  # accounts that trade messages with another through imports or exports
    if accounts is not None:
        for e in accounts.live():
            name = e.key.name
            s.accounts[name] = e.key.span
            if isinstance(e.value, Map):
                js = opt(e.value, "jetstream")
                if js is not None and account_js_enabled(js.value):
                    s.js_accounts.add(name)
                users = opt(e.value, "users")
                if users is not None and isinstance(users.value, Array) and users.value.items:
                    logins.add(name)  # users and nkey users alike
                for user, _ in _users(users.value if users else None):
                    user_account[user] = name
                _trades(e.value, name, s, shared)
    if not s.app_accounts and not s.operator_mode:
        s.js_accounts.add(GLOBAL_ACCOUNT)  # only $G and the system account: $G gets JetStream
    nau_e = opt(root, "no_auth_user")
    nau = scalar(nau_e)
    if nau_e is not None and opt(root, "operator", "operators", "trusted_operators") is not None:
        s.no_auth_with_operator = value_span(nau_e)  # nats-server refuses to start
    if isinstance(nau, str):
        s.no_auth_account = user_account.get(nau, GLOBAL_ACCOUNT)
    s.shared_accounts = shared
    s.auth_required, s.client_logins = _client_logins(root, logins, s.no_auth_account)
    djd = as_map(opt(root, "default_js_domain"))
    if djd is not None:
        for e in djd.live():
            if isinstance(e.value, Scalar) and isinstance(e.value.value, str):
                s.default_js_domain[e.key.name] = e.value.value
    _leaf_users(root, s, user_account)


def _leaf_users(root: Map, s: Server, user_account: dict[str, str]) -> None:
    """The account each leafnode user lands in."""
    s.leaf_users = {}
    leaf = as_map(opt(root, "leafnodes", "leaf"))
    auth = as_map(opt(leaf, "authorization")) if leaf is not None else None
    if auth is not None:
        acc = scalar(opt(auth, "account"))
        if isinstance(acc, str):
            s.leaf_default_account = acc
        single = scalar(opt(auth, "user", "username"))
        if isinstance(single, str):
            s.leaf_users[single] = s.leaf_default_account or GLOBAL_ACCOUNT
        users = opt(auth, "users")
        for user, acc2 in _users(users.value if users else None):
            s.leaf_users[user] = acc2 or s.leaf_default_account or GLOBAL_ACCOUNT
    if not s.leaf_users:
        # no leafnode authorization: leaf connections log in as the accounts' users
        s.leaf_users = dict(user_account)
