"""Values nats-server rejects while it reads its options (`nats-server -t` says so too, with the
file's position): users that clash, and names with spaces.  Each is a Refusal of code NL114,
so the model knows the server never starts."""

from __future__ import annotations

from natslint.fleet.refusal import Refusal
from natslint.fleet.values import as_map, opt, scalar
from natslint.syntax.model import Array, Entry, Map


def option_errors(root: Map | None, version: str) -> list[Refusal]:
    """In the order nats-server reads them: the first is what it prints.  ``version``: the
    server's (2.10 takes names with spaces, at `-t` and at a real start)."""
    if root is None:
        return []
    leaf = as_map(opt(root, "leafnodes", "leaf"))
    leaf_auth = opt(leaf, "authorization") if leaf is not None else None
    out: list[Refusal] = _spaces(root) if _at_least(version, (2, 11)) else []
    out += _single_and_array(opt(root, "authorization", "authentication"), "Can not")
    out += _single_and_array(leaf_auth, "can not")
    out += _duplicates(_users_of(root), 'Duplicate user "{}" detected')
    out += _duplicates(_listed(as_map(leaf_auth)), 'duplicate user "{}" detected in leafnode authorization')
    return out


def _at_least(version: str, wanted: tuple[int, int]) -> bool:
    try:
        return tuple(int(x) for x in version.split(".")[:2]) >= wanted
    except ValueError:
        return True


def _spaces(root: Map) -> list[Refusal]:
    out: list[Refusal] = []
    e = opt(root, "server_name")
    if isinstance(scalar(e), str) and " " in scalar(e):  # type: ignore[operator]
        out.append(Refusal("server name cannot contain spaces", e.value.span, (), "use a name without spaces",  # type: ignore[union-attr]
                           "NL114"))
    cluster = as_map(opt(root, "cluster"))
    name = opt(cluster, "name") if cluster is not None else None
    if isinstance(scalar(name), str) and " " in scalar(name):  # type: ignore[operator]
        out.append(Refusal("cluster name cannot contain spaces", name.value.span, (), "use a name without spaces",  # type: ignore[union-attr]
                           "NL114"))
    return out


def _single_and_array(auth: Entry | None, can: str) -> list[Refusal]:
    block = as_map(auth)
    if auth is None or block is None or opt(block, "users") is None or opt(block, "user", "username") is None:
        return []
    return [Refusal(f"{can} have a single user/pass and a users array", auth.key.span, (),
                    "keep either `user`/`password` or the `users` list", "NL114")]


def _listed(block: Map | None) -> list[Map]:
    users = opt(block, "users") if block is not None else None
    return [u for u in users.value.items if isinstance(u, Map)] if users is not None and isinstance(users.value, Array) \
        else []


def _users_of(root: Map) -> list[Map]:
    """The users of `authorization` and of every account, in the order the server reads them."""
    out = _listed(as_map(opt(root, "authorization", "authentication")))
    accounts = as_map(opt(root, "accounts"))
    for a in accounts.live() if accounts is not None else ():
        if isinstance(a.value, Map):
            out += _listed(a.value)
    return out


def _duplicates(users: list[Map], message: str) -> list[Refusal]:
    seen: dict[str, Map] = {}
    for u in users:
        name = scalar(opt(u, "user", "username"))
        if not isinstance(name, str):
            continue
        if name in seen:
            return [Refusal(message.format(name), u.span, ((seen[name].span, f"user `{name}` first"),),
                            f"give each user a name of its own (`{name}` is defined twice)", "NL114")]
        seen[name] = u
    return []
