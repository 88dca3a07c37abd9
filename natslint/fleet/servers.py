"""One NATS config document -> one :class:`Server`, reading options as nats-server does.

Option names match case-insensitively and aliases count (``leaf`` for ``leafnodes``,
``store`` for ``store_dir``); the last assignment wins.  Values natslint cannot see (an
unresolved ``$VAR``) stay unknown.
"""

from __future__ import annotations

import functools
import posixpath
from urllib.parse import urlsplit

from natslint.deploy.flags import CommandLine
from natslint.fleet.accounts import read_accounts
from natslint.fleet.values import as_map, js_enabled_value, opt, scalar, value_span
from natslint.fleet.operator import read_creds
from natslint.fleet.model import (
    DEFAULT_CLIENT_PORT,
    DEFAULT_LEAF_PORT,
    DEFAULT_SYSTEM_ACCOUNT,
    GLOBAL_ACCOUNT,
    LeafTLS,
    Listener,
    Remote,
    Route,
    Server,
    Value,
)
from natslint.span import Span
from natslint.syntax.document import Document
from natslint.syntax.model import UNKNOWN, Array, Map, Node, Scalar

WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]", "*"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def strings(node: Node | None) -> list[tuple[str, Span]]:
    """A string or an array of strings, with spans (unknown values are skipped)."""
    if isinstance(node, Scalar):
        return [(node.value, node.span)] if isinstance(node.value, str) else []
    if isinstance(node, Array):
        return [(i.value, i.span) for i in node.items if isinstance(i, Scalar) and isinstance(i.value, str)]
    return []


def split_hostport(text: str, default_port: int | None) -> tuple[str, int | None]:
    """'h:p', ':p', 'p', 'h', '[::1]:p' -> (host, port)."""
    text = text.strip()
    if text.isdigit():
        return "", int(text)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else default_port
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port) if port.isdigit() else default_port
    return text, default_port


@functools.lru_cache(maxsize=8192)  # a fleet's URLs repeat: every leaf of a site dials its hub
def parse_url(url: str, default_port: int | None) -> tuple[str, int | None, str | None]:
    """(host, port, user) of a NATS URL; the scheme's default port when none is written."""
    if "://" not in url:
        url = "nats://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "", None, None
    host = (parts.hostname or "").lower()
    if host.startswith("$"):  # literal text from a quoted `$VAR`: kept as written, for the message
        host = parts.netloc.rsplit("@", 1)[-1].partition(":")[0]
    return host, port if port is not None else default_port, parts.username


def _listen(m: Map | None, kind: str, default_port: int | None, *, listen_keys=("listen",),
            port_keys=("port",), host_keys=("host", "net")) -> Listener | None:
    """A listener from `listen: h:p` or `port`/`host`; None when the block does not listen."""
    if m is None:
        return None
    listen = opt(m, *listen_keys)
    port_e = opt(m, *port_keys)
    host_e = opt(m, *host_keys)
    if listen is None and port_e is None and (default_port is None or host_e is None):
        return None
    if listen is None and port_e is None and not host_keys:
        return None
    host, port = "", default_port
    span = None
    if listen is not None:
        v = scalar(listen)
        if isinstance(v, str):
            host, port = split_hostport(v, default_port)
        elif isinstance(v, int):
            port = v
        span = value_span(listen)
    if host_e is not None and isinstance(scalar(host_e), str):
        host = scalar(host_e)  # type: ignore[assignment]
        span = span or value_span(host_e)
    if port_e is not None and isinstance(scalar(port_e), int):
        port = scalar(port_e)  # type: ignore[assignment]
        span = value_span(port_e)
    if port is None:
        return None
    return Listener(kind, host, port, span)


def server_from_document(doc: Document, path: str, *, names_and_links: bool = False, take: bool = False) -> Server:
    """The server a config describes, read once per document (the document keeps it): each call
    gets a copy of its own, which linking may change; with ``names_and_links`` (deciding where
    a fleet ends reads its names and the addresses it dials) the kept model itself, not to be
    changed.  ``take``: a run that keeps nothing for the next (the command line) is handed the
    kept model itself, once, instead of a copy; a later call reads the document again."""
    if take:
        kept = doc.derived.pop(("server", path), None)
        return kept if kept is not None else _read_server(doc, path)
    kept = doc.derived.get(("server", path))
    if kept is None:
        kept = doc.derived[("server", path)] = _read_server(doc, path)
    return kept if names_and_links else kept.fresh()  # the partition only reads it


def _read_server(doc: Document, path: str) -> Server:
    root = doc.root
    # where the server is defined: its first setting (not a comment on line 1)
    first = next(iter(root.live()), None) if root is not None else None
    start = doc.origin or (first.key.span if first is not None else Span(path, 0, 0, 1, 1, 1, 1))
    s = Server(id=path, path=path, span=start)
    if "#" not in path:  # a ConfigMap's key (or a chart's rendering) is no name a client can dial
        s.file_names.add(posixpath.splitext(posixpath.basename(path))[0].lower())
    if doc.server_error is not None:
        s.refuses = doc.server_error
    if doc.opaque:  # it includes a file natslint cannot see: its settings are unknown
        s.config_unseen = True
        s.config_unseen_why = f"it includes a file {doc.opaque[0][1]}"
    if root is None:
        # a config that does not parse (NL001): the server never starts, and what it would have
        # listened on or dialled is unknown; links to it are not judged (no follow-on findings)
        s.config_unseen, s.config_unseen_why = True, s.config_unseen_why or "NL001: it does not parse"
        return s

    e = opt(root, "server_name")
    if isinstance(scalar(e), str):
        s.server_name = Value(scalar(e), value_span(e))
        s.names.add(str(scalar(e)).lower())
    elif e is not None:
        s.server_name = Value(None, value_span(e))

    client = _listen(root, "client", DEFAULT_CLIENT_PORT, host_keys=("host", "net", "addr"))
    s.listeners.append(client or Listener("client", "", DEFAULT_CLIENT_PORT, None))
    if client and client.host not in WILDCARD_HOSTS | LOOPBACK_HOSTS:
        s.names.add(client.host.lower())

    for key, kind in (("websocket", "websocket"), ("mqtt", "mqtt")):
        li = _listen(as_map(opt(root, key)), kind, None)
        if li:
            s.listeners.append(li)
    mon = opt(root, "http_port", "monitor_port", "http")
    if isinstance(scalar(mon), int):
        s.listeners.append(Listener("monitor", "", scalar(mon), value_span(mon)))  # type: ignore[arg-type]

    _cluster(root, s)
    _gateway(root, s)
    _jetstream(root, s)
    read_accounts(root, s)
    _leafnodes(root, s)
    return s


def _cluster(root: Map, s: Server) -> None:
    cluster_e = opt(root, "cluster")
    cluster = as_map(cluster_e)
    if cluster is not None:
        name = opt(cluster, "name")
        if name is not None:
            s.cluster_name = Value(scalar(name), value_span(name))
        s.cluster_listen = _listen(cluster, "cluster", None)
        if s.cluster_listen:
            s.cluster_listen.span = s.cluster_listen.span or cluster_e.key.span
            s.listeners.append(s.cluster_listen)
        for url, span in strings(opt(cluster, "routes").value if opt(cluster, "routes") else None):
            host, port, _ = parse_url(url, None)
            s.routes.append(Route(url, span, host, port))


def _gateway(root: Map, s: Server) -> None:
    gw = as_map(opt(root, "gateway"))
    if gw is not None:
        name = opt(gw, "name")
        s.gateway_name = Value(scalar(name), value_span(name))
        li = _listen(gw, "gateway", None)
        if li:
            s.listeners.append(li)
        gws = opt(gw, "gateways")
        if gws is not None and isinstance(gws.value, Array):
            for g in gws.value.items:
                if isinstance(g, Map):
                    for key in ("url", "urls"):
                        u = opt(g, key)
                        if u is not None:
                            s.gateway_urls.extend(strings(u.value))


def _jetstream(root: Map, s: Server) -> None:
    js_e = opt(root, "jetstream")
    top_store = opt(root, "store_dir", "storedir")
    if top_store is not None:
        s.store_dir = Value(scalar(top_store), value_span(top_store))
    if js_e is None:
        return
    s.js_enabled = Value(js_enabled_value(js_e.value), js_e.key.span)
    js = as_map(js_e)
    if js is None:
        return
    d = opt(js, "domain")
    if d is not None:
        v = scalar(d)
        s.domain = Value(v if isinstance(v, str) else None if v is None else str(v), value_span(d))
        # `domain: $EDGE_DOMAIN` from an environment natslint does not see: set, to a value not known
        s.domain_unknown = isinstance(d.value, Scalar) and d.value.kind == UNKNOWN
    hint = opt(js, "extension_hint")
    if hint is not None:
        s.extension_hint = Value(scalar(hint), value_span(hint))
    sd = opt(js, "store_dir", "store", "storedir")
    if sd is not None:
        s.store_dir = Value(scalar(sd), value_span(sd))


def _leafnodes(root: Map, s: Server) -> None:
    leaf_e = opt(root, "leafnodes", "leaf")
    leaf = as_map(leaf_e)
    if leaf is None:
        return
    # only `listen` or `port` opens the leafnode listener; a listen without a port means 7422
    li = _listen(leaf, "leafnode", DEFAULT_LEAF_PORT, host_keys=())
    if li is not None:
        li.span = li.span or leaf_e.key.span
        s.listeners.append(li)
    s.leaf_tls = leaf_tls(leaf)
    remotes = opt(leaf, "remotes")
    if remotes is None or not isinstance(remotes.value, Array):
        return
    for r in remotes.value.items:
        if not isinstance(r, Map):
            continue
        urls: list[tuple[str, Span]] = []
        for key in ("url", "urls"):
            u = opt(r, key)
            if u is not None:
                urls.extend(strings(u.value))
        acc_e = opt(r, "account", "local")
        account = scalar(acc_e) if isinstance(scalar(acc_e), str) else GLOBAL_ACCOUNT
        creds = any(opt(r, k) is not None for k in ("credentials", "creds", "nkey", "seed"))
        remote = Remote(urls, account, r.span, creds, value_span(acc_e))  # type: ignore[arg-type]
        remote.tls = leaf_tls(r)
        creds_e = opt(r, "credentials", "creds")
        remote.creds_file, remote.creds_span = read_creds(s.path, scalar(creds_e)), value_span(creds_e)
        for key, attr in (("deny_imports", "deny_imports"), ("deny_import", "deny_imports"),
                          ("deny_exports", "deny_exports"), ("deny_export", "deny_exports")):
            e = opt(r, key)
            if e is not None:
                getattr(remote, attr).extend(text for text, _ in strings(e.value))
        s.remotes.append(remote)


def leaf_tls(block: Map) -> LeafTLS | None:
    """The `tls` of a leafnodes block or of one remote."""
    e = opt(block, "tls")
    tls = as_map(e)
    if e is None or tls is None:
        return None
    first = scalar(opt(tls, "handshake_first", "first", "immediate"))
    verify = any(scalar(opt(tls, k)) is True for k in ("verify", "verify_and_map", "verify_cert_and_check_known_urls"))
    return LeafTLS(e.key.span, first, opt(tls, "ca_file", "ca_certs_match") is not None, verify,
                   opt(tls, "cert_file", "cert_store") is not None)


def apply_cli(s: Server, cmd: CommandLine) -> None:
    """nats-server's flags override the file, as the server applies them."""
    s.unknown_flags = list(cmd.unknown) + [(w, sp, None) for w, sp in cmd.missing_value]
    s.unmodelled_flags = list(cmd.unmodelled)
    for flag, value, span in cmd.values:
        _apply_flag(s, flag, value, span)


def _apply_flag(s: Server, flag: str, value: str | None, span: Span) -> None:
    if flag == "jetstream":
        s.js_enabled = Value((value or "true").lower() not in ("false", "0", "f"), span)
        s.js_by_flag = True
    elif flag in ("port", "http_port") and value and value.lstrip("-").isdigit():
        kind = "client" if flag == "port" else "monitor"
        li = s.listener(kind)
        if li is None:
            s.listeners.append(Listener(kind, "", int(value), span))
        else:
            li.port, li.span = int(value), span
    elif flag == "addr" and value:
        client = s.listener("client")
        if client is not None:
            client.host = value
    elif flag == "store_dir" and value:
        s.store_dir = Value(value, span)
    elif flag == "server_name" and value:
        s.server_name = Value(value, span)
        s.names.add(value.lower())
    elif flag == "cluster_name" and value:
        s.cluster_name = Value(value, span)
    elif flag in ("cluster", "cluster_listen") and value:
        host, port = split_hostport(value.split("://")[-1], None)
        if port:
            if s.cluster_listen is not None and s.cluster_listen in s.listeners:
                s.listeners.remove(s.cluster_listen)
            s.cluster_listen = Listener("cluster", host, port, span)
            s.listeners.append(s.cluster_listen)
    elif flag == "routes" and value:  # the flag's routes replace the file's
        s.routes = []
        for url in (u.strip() for u in value.split(",")):
            if url:
                host, port, _ = parse_url(url, None)
                s.routes.append(Route(url, span, host, port))


def bare_server(sid: str, path: str, span: Span) -> Server:
    """A server known only from a deployment (no config file): defaults everywhere."""
    s = Server(id=sid, path=path, span=span, synthetic=True)
    s.listeners.append(Listener("client", "", DEFAULT_CLIENT_PORT, None))
    s.js_accounts.add(GLOBAL_ACCOUNT)
    s.system_account = DEFAULT_SYSTEM_ACCOUNT
    return s
