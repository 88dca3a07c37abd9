"""Rewrite a fleet's configs so it runs on 127.0.0.1: every listener gets a free loopback
port through one port map, and every route, leaf remote and gateway URL is rewritten through
the same map, so a mistake (a remote aimed at a client port) stays the same mistake.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime

from natslint.fleet.model import Fleet, Listener, Server
from natslint.fleet.servers import parse_url
from natslint.syntax.model import plain

LOOPBACK = "127.0.0.1"
_DROP_TOP = {"listen", "port", "host", "net", "http", "http_port", "https", "https_port", "monitor_port",
             "pid_file", "log_file", "logfile", "ports_file", "syslog", "remote_syslog", "client_advertise",
             "websocket", "mqtt", "store_dir", "storedir", "prof_port"}
_DROP_BLOCK = {"listen", "port", "host", "net", "advertise", "cluster_advertise", "leafnode_advertise",
               "gateway_advertise"}


_HANDED_OUT: set[int] = set()
_HELD: dict[int, socket.socket] = {}


def free_port() -> int:
    """A loopback port nothing listens on, never the same twice in one process.  The port
    stays bound by natslint until `release` just before its server starts, so no other
    connection (a leaf dialing out, say) can take it in between."""
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((LOOPBACK, 0))
        port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            _HELD[port] = s
            return port
        s.close()


def release(ports) -> None:
    for port in ports:
        held = _HELD.pop(port, None)
        if held is not None:
            held.close()


def release_all() -> None:
    release(list(_HELD))


@dataclass(slots=True)
class Plan:
    """How one server of the fleet is started here, or why it is not."""

    server: Server
    config: str = ""
    ports: dict[str, int] = field(default_factory=dict)  # listener kind -> loopback port
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)
    # every link of the model: (kind, as written, carried into the run?, why not)
    links: list[tuple[str, str, bool, str]] = field(default_factory=list)
    pid: int | None = None
    exited: str | None = None  # the log line of a server that stopped at startup

    def leave_out(self, kind: str, url: str, why: str) -> None:
        self.links.append((kind, url, False, why))
        self.notes.append(f"{kind} {url} is left out: {why}")


def _get(d: dict, *names: str):
    wanted = {n.lower() for n in names}
    found = None
    for k in d:
        if isinstance(k, str) and k.lower() in wanted:
            found = k
    return found


def _without(d: dict, drop: set[str]) -> dict:
    return {k: v for k, v in d.items() if not (isinstance(k, str) and k.lower() in drop)}


def render_value(v: object, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    if isinstance(v, dict):
        body = "".join(f"{pad}{json.dumps(str(k))}: {render_value(x, indent + 1)}\n" for k, x in v.items())
        return "{\n" + body + "  " * indent + "}"
    if isinstance(v, list):
        # one element per line: a number right before ']' is the server's "[1]" bug
        return "[\n" + "".join(f"{pad}{render_value(x, indent + 1)}\n" for x in v) + "  " * indent + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(str(v), ensure_ascii=False)


def render_config(d: dict) -> str:
    return "".join(f"{json.dumps(str(k))}: {render_value(v)}\n" for k, v in d.items())


def plan_fleet(fleet: Fleet, documents: dict, workdir: str) -> list[Plan]:
    plans = {s.id: Plan(s) for s in fleet.servers}
    for p in plans.values():
        for li in p.server.listeners:
            if li.kind in ("client", "cluster", "leafnode", "gateway", "websocket"):
                p.ports[li.kind] = free_port()
        p.ports["monitor"] = free_port()
    for p in plans.values():
        _render(p, plans, documents, workdir)
    return list(plans.values())


def _port_of(plans: dict[str, Plan], target: Server, li: Listener | None) -> int:
    """The loopback port that stands for `li` of `target` (a fresh closed port for none)."""
    if li is not None and li.kind in plans[target.id].ports:
        return plans[target.id].ports[li.kind]
    return free_port()  # nothing listens there, as before


def _render(p: Plan, plans: dict[str, Plan], documents: dict, workdir: str) -> None:
    s = p.server
    doc = (s.document or documents.get(s.path)) if not s.synthetic else None  # as this instance reads it
    if doc is not None and doc.root is None:
        p.skipped = "its config does not parse"
        return
    base = plain(doc.root) if doc is not None else {}
    if _has_missing_files(base, os.path.dirname(s.path)):
        p.skipped = "it names TLS or credentials files that are not present"
        return
    if any(v is None for v in _leaves(base)):
        p.notes.append("values from the environment natslint does not see were left out")
    cfg = _without(_strip_none(base), _DROP_TOP)
    _websocket(p, base, cfg)
    _absolute_files(cfg, os.path.dirname(s.path))  # the rendered config lives elsewhere: its files must not move
    name_key = _get(cfg, "server_name")
    if name_key:
        cfg.pop(name_key)
    # the name the model knows (the file's, or -n/--name's, which override it)
    cfg["server_name"] = s.server_name.value if isinstance(s.server_name.value, str) \
        else s.id.replace("/", "_").replace(" ", "_")[-60:]
    cfg["listen"] = f"{LOOPBACK}:{p.ports['client']}"
    cfg["http"] = f"{LOOPBACK}:{p.ports['monitor']}"
    store = os.path.join(workdir, "store", str(abs(hash(s.id))))
    js_key = _get(cfg, "jetstream")
    if s.js_enabled.value:
        js = cfg.get(js_key) if js_key else None
        js = dict(_without(js, {"store_dir", "store", "storedir"})) if isinstance(js, dict) else {}
        if s.domain.value is not None and "domain" not in {k.lower() for k in js}:
            js["domain"] = s.domain.value
        js["store_dir"] = store
        cfg.pop(js_key, None) if js_key else None
        cfg["jetstream"] = js
    elif js_key and isinstance(cfg.get(js_key), dict):
        cfg[js_key] = _without(cfg[js_key], {"store_dir", "store", "storedir"})
    _cluster(p, cfg, plans)
    _leafnodes(p, cfg, plans)
    _gateway(p, cfg, plans)
    p.config = render_config(cfg)


def _websocket(p: Plan, base: dict, cfg: dict) -> None:
    """A websocket listener stays (leaf remotes may dial it with `ws://`), on its loopback port,
    with its own TLS settings: without them the server refuses to start, as it would deployed."""
    key = _get(base, "websocket", "ws")
    if "websocket" not in p.ports or key is None or not isinstance(base[key], dict):
        return
    block = _without(_strip_none(base[key]), _DROP_BLOCK)
    block["listen"] = f"{LOOPBACK}:{p.ports['websocket']}"
    cfg["websocket"] = block


def _listen_on(block: dict, p: Plan, kind: str) -> None:
    if kind in p.ports:
        block["listen"] = f"{LOOPBACK}:{p.ports[kind]}"


def _replace_list(block: dict, name: str, items: list) -> None:
    """Put `items` under `name`, whatever the spelling the config used; drop it when empty."""
    old = _get(block, name)
    if old:
        block.pop(old)
    if items:
        block[name] = items


def _cluster(p: Plan, cfg: dict, plans: dict[str, Plan]) -> None:
    key = _get(cfg, "cluster")
    s = p.server
    if key is None:
        if s.cluster_listen is None:
            return
        cfg["cluster"] = {}
        key = "cluster"
    block = _without(cfg[key], _DROP_BLOCK) if isinstance(cfg[key], dict) else {}
    _listen_on(block, p, "cluster")
    if isinstance(s.cluster_name.value, str) and not _get(block, "name"):
        block["name"] = s.cluster_name.value  # --cluster_name, or a model default
    routes = []
    for r in s.routes:
        if r.target is not None:
            routes.append(f"nats-route://{LOOPBACK}:{_port_of(plans, r.target, r.target.cluster_listen)}")
            p.links.append(("route", r.url, True, ""))
        elif r.reaches is not None:  # it reaches another listener of a server: that stays the mistake it is
            li = next((x for x in r.reaches.listeners if x.port == r.port), None)
            routes.append(f"nats-route://{LOOPBACK}:{_port_of(plans, r.reaches, li)}")
            p.links.append(("route", r.url, True, ""))
        else:
            p.leave_out("route", r.url, f"it names no server of the fleet ({r.how or 'unresolved'})")
    _replace_list(block, "routes", routes)
    cfg[key] = block


def _leafnodes(p: Plan, cfg: dict, plans: dict[str, Plan]) -> None:
    key = _get(cfg, "leafnodes", "leaf")
    s = p.server
    if key is None and not s.remotes:
        return
    block = _without(cfg.get(key) or {}, _DROP_BLOCK) if key else {}
    _listen_on(block, p, "leafnode")
    remotes_in = block.get(_get(block, "remotes") or "remotes") or []
    remotes_out = []
    for i, r in enumerate(s.remotes):
        original = dict(remotes_in[i]) if i < len(remotes_in) and isinstance(remotes_in[i], dict) else {}
        original = _without(original, {"url", "urls"})
        if r.hub is None or r.resolved_url is None:
            p.leave_out("leaf remote", r.urls[0][0] if r.urls else "?", "external: it names no server of the fleet")
            continue
        p.links.append(("leaf remote", r.resolved_url[0], True, ""))
        url = r.resolved_url[0]
        _, _, user = parse_url(url, None)
        scheme = url.split("://", 1)[0] if "://" in url else "nats"
        auth = url.split("://", 1)[-1].rsplit("@", 1)[0] + "@" if user else ""
        port = _port_of(plans, r.hub, r.resolved_listener)
        original["urls"] = [f"{scheme}://{auth}{LOOPBACK}:{port}"]
        if s.synthetic and r.account != "$G":
            original.setdefault("account", r.account)
        remotes_out.append(original)
    _replace_list(block, "remotes", remotes_out)
    if key:
        cfg.pop(key)
    if block:
        cfg["leafnodes"] = block


def _gateway(p: Plan, cfg: dict, plans: dict[str, Plan]) -> None:
    key = _get(cfg, "gateway")
    if key is None or not isinstance(cfg[key], dict):
        return
    block = _without(cfg[key], _DROP_BLOCK)
    _listen_on(block, p, "gateway")
    # each gateway entry goes to the resolved server that carries that gateway name
    by_name = {t.gateway_name.value: t for t in p.server.gateway_targets}
    gws = []
    for g in block.get(_get(block, "gateways") or "gateways") or []:
        if not isinstance(g, dict):
            continue
        t = by_name.get(g.get("name"))
        if t is None:
            p.leave_out("gateway", str(g.get("name")), "it names no server of the fleet")
            continue
        p.links.append(("gateway", str(g.get("name")), True, ""))
        g = _without(g, {"url", "urls"})
        g["urls"] = [f"nats://{LOOPBACK}:{_port_of(plans, t, t.listener('gateway'))}"]
        gws.append(g)
    _replace_list(block, "gateways", gws)
    cfg[key] = block


def _leaves(v: object):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
        else:
            yield x


def _strip_none(v: object) -> object:
    if isinstance(v, dict):
        return {k: _strip_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_none(x) for x in v if x is not None]
    return v


def _has_missing_files(cfg: dict, base: str) -> bool:
    for k, v in _walk_items(cfg):
        if k.lower() in ("cert_file", "key_file", "ca_file", "credentials", "creds") and isinstance(v, str):
            if not os.path.exists(os.path.join(base, v)):
                return True
    return False


def _absolute_files(v: object, base: str) -> None:
    """Relative TLS and credentials paths made absolute, as the config's folder holds them."""
    if isinstance(v, dict):
        for k, x in list(v.items()):
            if str(k).lower() in _FILE_KEYS and isinstance(x, str) and not os.path.isabs(x):
                v[k] = os.path.abspath(os.path.join(base, x))
            else:
                _absolute_files(x, base)
    elif isinstance(v, list):
        for x in v:
            _absolute_files(x, base)


_FILE_KEYS = {"cert_file", "key_file", "ca_file", "credentials", "creds"}


def _walk_items(v: object):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            for k, y in x.items():
                yield str(k), y
                stack.append(y)
        elif isinstance(x, list):
            stack.extend(x)
