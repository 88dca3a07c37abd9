"""Refusals nats-server makes only when it really starts: `nats-server -t` parses the config
and stops, and the server's own validation of the options runs after that (validateOptions).
Each is read from the server model and its config, with where to point at (NL113)."""

from __future__ import annotations

import re

from natslint.fleet.model import GLOBAL_ACCOUNT, Listener, Server
from natslint.fleet.option_errors import option_errors
from natslint.fleet.refusal import Refusal
from natslint.fleet.values import account_js_enabled, as_map, opt, scalar
from natslint.span import Span
from natslint.syntax.model import Array, Entry, Map, Node

# nats-server's defaults (server/const.go): MAX_PAYLOAD_SIZE, MAX_PENDING_SIZE, DEFAULT_LAME_DUCK_*
_MAX_PAYLOAD, _MAX_PENDING = 1024 * 1024, 64 * 1024 * 1024
_LAME_DUCK_DURATION, _LAME_DUCK_GRACE = 120.0, 10.0
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def go_duration(text: str) -> float | None:
    """Seconds in a Go duration (`30s`, `1m30s`, `500ms`); None when Go would not parse it."""
    text = text.strip()
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    parts = _DURATION.findall(body)
    if not body or "".join(n + u for n, u in parts) != body:
        return None
    return sign * sum(float(n) * _UNITS[u] for n, u in parts)


def _seconds(root: Map, key: str, default: float) -> tuple[float | None, Span | None]:
    e = opt(root, key)
    if e is None:
        return default, None
    value = scalar(e)
    if isinstance(value, str):
        return go_duration(value), e.value.span
    return None, e.value.span  # not a duration string: NL108 says so


def _limits(root: Map) -> list[Refusal]:
    out: list[Refusal] = []
    duration, d_span = _seconds(root, "lame_duck_duration", _LAME_DUCK_DURATION)
    grace, g_span = _seconds(root, "lame_duck_grace_period", _LAME_DUCK_GRACE)
    if duration is not None and grace is not None and duration > 0 and grace >= duration and (g_span or d_span):
        out.append(Refusal(
            f"lame duck grace period ({_go(grace)}) should be strictly lower than lame duck duration "
            f"({_go(duration)})", g_span or d_span,  # type: ignore[arg-type]
            ((d_span, "lame_duck_duration"),) if d_span is not None and g_span is not None else (),
            "make lame_duck_grace_period shorter than lame_duck_duration (10s and 2m unless set)"))
    payload_e, pending_e = opt(root, "max_payload"), opt(root, "max_pending")
    payload = scalar(payload_e) if payload_e is not None else _MAX_PAYLOAD
    pending = scalar(pending_e) if pending_e is not None else _MAX_PENDING
    if isinstance(payload, int) and isinstance(pending, int) and not isinstance(payload, bool) \
            and not isinstance(pending, bool) and payload > pending and (payload_e or pending_e) is not None:
        where = (payload_e or pending_e).value.span  # type: ignore[union-attr]
        out.append(Refusal(
            f"max_payload ({payload}) cannot be higher than max_pending ({pending})", where,
            ((pending_e.value.span, "max_pending"),) if pending_e is not None and payload_e is not None else (),
            "keep max_payload at or below max_pending (64MB unless set)"))
    return out


def _go(seconds: float) -> str:
    """A duration as Go prints it, for the common whole values (`30s`, `2m0s`)."""
    whole = int(seconds)
    if whole != seconds:
        return f"{seconds}s"
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if h or m else "") + f"{s}s"


def refusals(s: Server, root: Map | None) -> list[Refusal]:
    """In the order nats-server's validateOptions checks them: the first is what it prints."""
    out: list[Refusal] = option_errors(root, s.nats_version) + (_limits(root) if root is not None else [])
    out += _trusted_operators(root)
    out += _leaf_accounts(s, root)
    out += _leaf_gateway_system_account(s, root)
    out += _no_auth_user(s, root)
    out += _gateway(s, root)
    cluster, gateway = s.cluster_name, s.gateway_name
    if isinstance(cluster.value, str) and cluster.value and isinstance(gateway.value, str) and gateway.value \
            and cluster.value != gateway.value and gateway.span is not None:
        out.append(Refusal(
            "cluster name conflicts between cluster and gateway definitions", gateway.span,
            ((cluster.span, f"the cluster's name `{cluster.value}`"),) if cluster.span is not None else (),
            f"give the cluster and the gateway one name (`{gateway.value}`), or leave the cluster's name out "
            "(it takes the gateway's)"))
    out += _mqtt(s, root)
    out += _default_js_domain(s, root) + _jetstream_options(s)
    out += _websocket(s, root)
    return out + _jetstream_start(s, root)


def _mqtt(s: Server, root: Map | None) -> list[Refusal]:
    """validateMQTTOptions: checked only when MQTT listens (a port other than 0)."""
    entry = opt(root, "mqtt") if root is not None else None
    listener = s.listener("mqtt")
    if entry is None or listener is None or listener.port == 0:
        return []
    cluster = s.cluster_listen is not None and s.cluster_listen.port != 0
    gateway = (s.listener("gateway") or Listener("gateway", "", 0)).port != 0
    where = entry.key.span
    if not (isinstance(s.server_name.value, str) and s.server_name.value) and (cluster or gateway):
        return [Refusal("mqtt requires server name to be explicitly set", where, (),
                        "set `server_name`: MQTT needs a unique, stable name in a cluster")]
    mqtt = as_map(entry)
    found = _listener_auth(s, root, mqtt, "mqtt") if mqtt is not None else []
    if found:
        return found
    for keys, what in ((("ack_wait", "ackwait"), "ack wait"), (("js_api_timeout", "api_timeout"), "JS API timeout")):
        e = opt(mqtt, *keys) if mqtt is not None else None
        seconds = go_duration(scalar(e)) if isinstance(scalar(e), str) else None
        if e is not None and seconds is not None and seconds < 0:
            return [Refusal(f"{what} must be a positive value", e.value.span, (), f"give {e.key.name} a positive duration")]
    if not s.js_enabled.value and not cluster and not gateway and s.listener("leafnode") is None and not s.remotes:
        return [Refusal("mqtt requires JetStream to be enabled if running in standalone mode", where, (),
                        "turn JetStream on (`jetstream { store_dir: ... }`), or link the server to one that runs it")]
    return []


def _gateway(s: Server, root: Map | None) -> list[Refusal]:
    """validateGatewayOptions: a gateway with a name or a port needs both, and each gateway it
    lists needs a name and a URL."""
    entry = opt(root, "gateway") if root is not None else None
    block = as_map(entry)
    if entry is None or block is None:
        return []
    name_e = opt(block, "name")
    name = scalar(name_e)
    port = (s.listener("gateway") or Listener("gateway", "", 0)).port != 0
    if not name and not port:
        return []  # no gateway at all, as the server reads it
    if not name:
        return [Refusal("gateway has no name", entry.key.span, (), "give the gateway its cluster's `name`")]
    if not port:
        return [Refusal(f'gateway "{name}" has no port specified (select -1 for random port)',
                        name_e.value.span if name_e is not None else entry.key.span, (),  # type: ignore[union-attr]
                        "give the gateway a `port` (or `listen`)")]
    listed = opt(block, "gateways")
    for i, g in enumerate(listed.value.items if listed is not None and isinstance(listed.value, Array) else ()):
        if not isinstance(g, Map):
            continue
        g_name = scalar(opt(g, "name"))
        if not g_name:
            return [Refusal(f"gateway in the list {i} has no name", g.span, (), "name every gateway it lists")]
        if opt(g, "url") is None and opt(g, "urls") is None:
            return [Refusal(f'gateway "{g_name}" has no URL', g.span, (),
                            f"give gateway `{g_name}` its `url` (or `urls`)")]
    return []


def _leaf_accounts(s: Server, root: Map | None) -> list[Refusal]:
    """validateLeafNode: the accounts leafnode authorization puts leaf connections in must exist
    (the remotes' accounts are NL111's)."""
    if root is None or s.operator_mode:
        return []
    auth = as_map(opt(as_map(opt(root, "leafnodes", "leaf")), "authorization"))
    if auth is None:
        return []
    known = {*s.accounts, GLOBAL_ACCOUNT, s.system_account}
    written = [opt(auth, "account")]
    users = opt(auth, "users")
    for u in users.value.items if users is not None and isinstance(users.value, Array) else ():
        written.append(opt(u, "account") if isinstance(u, Map) else None)
    for e in written:
        name = scalar(e)
        if e is not None and isinstance(name, str) and name and name not in known:
            return [Refusal(f'cannot find local account "{name}" specified in leafnode authorization',
                            e.value.span, (), f"define account `{name}` in `accounts`, or name one that is")]
    return []


def _no_auth_user(s: Server, root: Map | None, e: Entry | None = None) -> list[Refusal]:
    """validateAuth (and the websocket's own, with ``e``): `no_auth_user` names a user (or
    nkey) of `authorization` or of an account."""
    if e is None:
        e = opt(root, "no_auth_user") if root is not None and not s.operator_mode else None
    name = scalar(e)
    if e is None or not isinstance(name, str) or not name:
        return []
    auth = as_map(opt(root, "authorization", "authentication"))  # type: ignore[arg-type]
    if auth is not None and opt(auth, "user", "username", "token", "auth_callout") is not None:
        return []  # a single user or a token is kept apart from the users: not judged
    entries = _all_users(root)  # type: ignore[arg-type]
    if entries is None:
        return []  # users natslint cannot read (a variable it does not see): unknown, not absent
    names = {scalar(opt(u, k)) for u in entries if isinstance(u, Map) for k in ("user", "username", "nkey")}
    if not entries:
        return [Refusal(f'no_auth_user: "{name}" present, but users/nkeys are not defined', e.value.span, (),
                        "define that user, or remove no_auth_user")]
    if name not in names:
        return [Refusal(f'no_auth_user: "{name}" not present as user or nkey in authorization block or account '
                        "configuration", e.value.span, (), "name a user an account or `authorization` defines")]
    return []


def _all_users(root: Map) -> list[Node] | None:
    """The users of `authorization` and of every account (None: a list natslint cannot read)."""
    auth = as_map(opt(root, "authorization", "authentication"))
    entries: list[Node] = []
    accounts = as_map(opt(root, "accounts"))
    lists = [opt(auth, "users")] + [opt(a.value, "users") for a in (accounts.live() if accounts is not None else ())
                                    if isinstance(a.value, Map)]
    for users in lists:
        if users is not None and not isinstance(users.value, Array):
            return None
        if users is not None:
            entries += users.value.items
    return entries


def _listener_auth(s: Server, root: Map | None, block: Map, kind: str) -> list[Refusal]:
    """A websocket's or MQTT's own `no_auth_user` must name a user, and its own user or token
    cannot stand beside users."""
    found = _no_auth_user(s, root, opt(block, "no_auth_user"))
    if found:
        return found
    auth = as_map(opt(block, "authorization", "authentication"))
    if auth is not None and _all_users(root):  # type: ignore[arg-type]
        for keys, what in ((("user", "username"), "username"), (("token",), "token")):
            e = opt(auth, *keys)
            if e is not None:
                return [Refusal(f"{kind} authentication {what} not compatible with presence of users/nkeys",
                                e.key.span, (), f"log {kind} clients in as one of the users, without a "
                                f"{kind} {what} of its own")]
    return []


def _websocket(s: Server, root: Map | None) -> list[Refusal]:
    """validateWebsocketOptions, checked only when the websocket listens (a port other than 0):
    TLS or `no_tls`, its own `no_auth_user`, its own user or token only without users, and a
    JWT cookie only with an operator or trusted keys."""
    ws_entry = opt(root, "websocket", "ws") if root is not None else None
    ws = as_map(ws_entry)
    listener = s.listener("websocket")
    if ws is None or ws_entry is None or listener is None or listener.port == 0:
        return []
    if opt(ws, "tls") is None and scalar(opt(ws, "no_tls")) is not True:
        return [Refusal("websocket requires TLS configuration", ws_entry.key.span, (),
                        "add `tls { cert_file: ..., key_file: ... }` to `websocket`, or `no_tls: true` behind a "
                        "proxy that terminates TLS")]
    found = _listener_auth(s, root, ws, "websocket")
    if found:
        return found
    cookie = opt(ws, "jwt_cookie")
    if cookie is not None and opt(root, "operator", "operators", "trusted", "trusted_operators",  # type: ignore[arg-type]
                                  "trusted_keys") is None:
        return [Refusal(f'trusted operators or trusted keys configuration is required for JWT authentication via '
                        f'cookie "{scalar(cookie)}"', cookie.key.span, (),
                        "remove jwt_cookie, or run the server in operator mode")]
    return []


_NOT_A_NAME = re.compile(r"[.*>]")


def _jetstream_options(s: Server) -> list[Refusal]:
    """validateJetStreamOptions: a domain must be one name, and a JetStream cluster needs a
    server name and a cluster name (a gateway's name stands in for the latter)."""
    if not s.js_enabled.value or s.synthetic:
        return []
    out: list[Refusal] = []
    d = s.domain.value
    if isinstance(d, str) and d and s.domain.span is not None:
        if any(c.isspace() for c in d):  # the derived subject is checked first
            out.append(Refusal(f'invalid domain name: derived "$JS.{d}.API.>" is not a valid subject',
                               s.domain.span, (), "use one token: letters, digits, - and _", "NL103"))
        elif _NOT_A_NAME.search(d):
            out.append(Refusal("invalid domain name: may not contain ., * or >", s.domain.span, (),
                               "use one token: letters, digits, - and _", "NL103"))
    if s.cluster_listen is None or s.cluster_listen.port == 0:
        return out
    where = s.cluster_listen.span or s.span
    # a name that comes from the environment ($SERVER_NAME) is unknown, not missing
    if s.server_name.value is None and s.server_name.span is None:
        out.append(Refusal("jetstream cluster requires `server_name` to be set", where, (),
                           "set a unique server_name", "NL104"))
    elif s.cluster_name.value is None and s.cluster_name.span is None and not s.gateway_name.value:
        out.append(Refusal("jetstream cluster requires `cluster.name` to be set", where, (), "name the cluster",
                           "NL104"))
    return out


def system_account_js(s: Server, root: Map | None) -> Entry | None:
    """The `jetstream` entry that enables JetStream in the system account's own block."""
    accounts = as_map(opt(root, "accounts")) if root is not None else None
    sys_acc = accounts.entry(s.system_account) if accounts is not None else None
    js = sys_acc.value.get_ci("jetstream") if sys_acc is not None and isinstance(sys_acc.value, Map) else None
    return js if js is not None and account_js_enabled(js.value) else None


def _jetstream_start(s: Server, root: Map | None) -> list[Refusal]:
    """After validateOptions, as JetStream starts: never in the system account, and clustered
    only with routes, or a leaf link in the system account, to find its peers through."""
    if not s.js_enabled.value or s.synthetic:
        return []
    on_sys = system_account_js(s, root)
    if on_sys is not None:
        return [Refusal("Not allowed to enable JetStream on the system account", on_sys.key.span, (), "remove it",
                        "NL106")]
    if s.cluster_listen is None or s.cluster_listen.port == 0 \
            or s.routes or any(r.account == s.system_account for r in s.remotes):
        return []
    return [Refusal("Can't start JetStream: JetStream cluster requires configured routes or solicited leafnode "
                    "for the system account", s.cluster_listen.span or s.span, (),
                    "list the cluster's routes (its own URL included is fine)", "NL104")]


def _leaf_gateway_system_account(s: Server, root: Map | None) -> list[Refusal]:
    """validateLeafNode: a leafnode listener and a gateway need a system account written out
    (remotes alone do not count; operator mode names its own)."""
    gateway = opt(root, "gateway") if root is not None and not s.operator_mode else None
    leaf = s.listener("leafnode")
    if gateway is None or leaf is None or leaf.port == 0 or opt(root, "system_account") is not None:  # type: ignore[arg-type]
        return []
    name = scalar(opt(as_map(gateway), "name")) if as_map(gateway) is not None else None
    if not name and (s.listener("gateway") or Listener("gateway", "", 0)).port == 0:
        return []
    return [Refusal("leaf nodes and gateways (both being defined) require a system account to also be configured",
                    gateway.key.span, ((leaf.span, "the leafnode listener"),) if leaf.span is not None else (),
                    "set `system_account` (and define that account)")]


def _default_js_domain(s: Server, root: Map | None) -> list[Refusal]:
    """validateJetStreamOptions, outside operator mode: each account `default_js_domain` maps
    must be defined, and be neither the system account nor one with JetStream of its own."""
    mapping = as_map(opt(root, "default_js_domain")) if root is not None and not s.operator_mode else None
    if mapping is None:
        return []
    accounts = as_map(opt(root, "accounts"))  # type: ignore[arg-type]
    defined = {e.key.name: e for e in (accounts.live() if accounts is not None else ())}
    entries = list(mapping.live())
    for e in entries:
        if e.key.name not in defined:
            return [Refusal(f"in non operator mode, `default_js_domain` references non existing account "
                            f'"{e.key.name}"', e.key.span, (), f"define account `{e.key.name}`, or remove the entry")]
    system = scalar(opt(root, "system_account"))  # type: ignore[arg-type]
    for e in entries:
        if e.key.name == system:
            return [Refusal(f'system account "{e.key.name}" can not be in default_js_domain', e.key.span, (),
                            "remove the system account from default_js_domain")]
        own = as_map(defined[e.key.name])
        js = opt(own, "jetstream") if own is not None else None
        if scalar(e) and js is not None and account_js_enabled(js.value):
            return [Refusal(f'default_js_domain contains account name "{e.key.name}" with enabled JetStream',
                            e.key.span, ((js.key.span, "its JetStream"),),
                            "remove the entry: an account with JetStream of its own uses it")]
    return []


def _trusted_operators(root: Map | None) -> list[Refusal]:
    """validateTrustedOperators: with an operator, accounts, users and auth callouts come from
    JWTs only, and `trusted_keys` may not stand beside it."""
    operator = opt(root, "operator", "operators", "trusted", "trusted_operators") if root is not None else None
    if operator is None:
        return []
    why = ((operator.key.span, "the operator"),)
    accounts = opt(root, "accounts")  # type: ignore[arg-type]
    if accounts is not None and (not isinstance(accounts.value, Map) or list(accounts.value.live())):
        return [Refusal("operators do not allow Accounts to be configured directly", accounts.key.span,
                        why,
                        "define the accounts with nsc (JWTs the resolver holds), or drop the operator")]
    auth_e = opt(root, "authorization", "authentication")  # type: ignore[arg-type]
    auth = as_map(auth_e)
    users = opt(auth, "users", "nkeys") if auth is not None else None
    if users is not None:
        return [Refusal("operators do not allow users to be configured directly", users.key.span,
                        why, "issue the users as JWTs with nsc")]
    keys = opt(root, "trusted_keys")  # type: ignore[arg-type]
    if keys is not None:
        return [Refusal("conflicting options for 'TrustedKeys' and 'TrustedOperators'", keys.key.span,
                        why, "keep the operator, and remove trusted_keys")]
    callout = opt(auth, "auth_callout", "callout", "callouts") if auth is not None else None
    if callout is not None:
        return [Refusal("operators do not allow authorization callouts to be configured directly",
                        callout.key.span, why,
                        "configure the callout in the account JWT (nsc), not in the config")]
    return []
