"""The official NATS Helm chart, rendered as helm renders it: from values to the `nats.conf`
each pod runs, the StatefulSet that runs the pods and the Services in front of them.

Rendered exactly: chart 1.x and 2.x, whose templates (`files/config/*.yaml`, the
`nats.loadMergePatch` and `jsonpatch` helpers, `nats.formatConfig`) are unchanged up to
2.14.2.  The values are the chart's defaults, then each values source in helm's order (a
`null` deletes a key); each config block is the chart's own, then its `merge`, then its
`patch` (RFC 6902); `config.merge` and `config.patch` act on the whole config last.  Every
rendered value remembers where it was written (a values line, or the chart's default), so a
finding points at the line to change.

Left unknown, never a default: a `$tplYaml` / `$tplYamlSpread` value (a template natslint
does not evaluate) and a patch the chart itself would refuse (helm fails: nothing is
deployed).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import quote_plus

from natslint.deploy import jsonpatch
from natslint.deploy.releases import ValuesSource
from natslint.deploy.yamlfiles import key_span, value_span
from natslint.span import Span

Path = tuple
CHART_VERSIONS = "1.x and 2.x (templates as of 2.14.2)"

_TLS = {"enabled": False, "secretName": None, "cert": "tls.crt", "key": "tls.key", "merge": {}, "patch": []}


def _tls(protocol: str) -> dict:
    return {**copy.deepcopy(_TLS), "dir": f"/etc/nats-certs/{protocol}"}


# The chart's values.yaml: every key the rendering of the config, the StatefulSet's pods and
# the Services reads (facts of chart 2.14.2).
DEFAULTS: dict = {
    "nameOverride": None, "fullnameOverride": None, "namespaceOverride": None,
    "tlsCA": {"enabled": False, "configMapName": None, "secretName": None, "dir": "/etc/nats-ca-cert",
              "key": "ca.crt"},
    "config": {
        "cluster": {"enabled": False, "port": 6222, "replicas": 3, "noAdvertise": True,
                    "routeURLs": {"user": None, "password": None, "useFQDN": False,
                                  "k8sClusterDomain": "cluster.local"},
                    "tls": _tls("cluster"), "merge": {}, "patch": []},
        "jetstream": {"enabled": False,
                      "fileStore": {"enabled": True, "dir": "/data",
                                    "pvc": {"enabled": True, "size": "10Gi", "storageClassName": None,
                                            "merge": {}, "patch": [], "name": None},
                                    "maxSize": None},
                      "memoryStore": {"enabled": False, "maxSize": "1Gi"},
                      "merge": {}, "patch": []},
        "nats": {"port": 4222, "tls": _tls("nats")},
        "leafnodes": {"enabled": False, "port": 7422, "tls": _tls("leafnodes"), "merge": {}, "patch": []},
        "websocket": {"enabled": False, "port": 8080, "tls": _tls("websocket"), "merge": {}, "patch": []},
        "mqtt": {"enabled": False, "port": 1883, "tls": _tls("mqtt"), "merge": {}, "patch": []},
        "gateway": {"enabled": False, "port": 7222, "tls": _tls("gateway"), "merge": {}, "patch": []},
        "monitor": {"enabled": True, "port": 8222, "tls": {"enabled": False}},
        "profiling": {"enabled": False, "port": 65432},
        "resolver": {"enabled": False, "dir": "/data/resolver",
                     "pvc": {"enabled": True, "size": "1Gi", "storageClassName": None, "merge": {}, "patch": [],
                             "name": None},
                     "merge": {}, "patch": []},
        "serverNamePrefix": "",
        "merge": {}, "patch": [],
    },
    "container": {"image": {"repository": "nats", "tag": "2.14.2-alpine", "registry": None, "digest": None,
                            "fullImageName": None},
                  "env": {}},
    "service": {"enabled": True, "name": None,
                "ports": {"nats": {"enabled": True}, "leafnodes": {"enabled": True},
                          "websocket": {"enabled": True}, "mqtt": {"enabled": True},
                          "cluster": {"enabled": False}, "gateway": {"enabled": False},
                          "monitor": {"enabled": False}, "profiling": {"enabled": False}}},
    "statefulSet": {"name": None},
    "headlessService": {"name": None},
    "configMap": {"name": None},
}
PROTOCOLS = ("nats", "leafnodes", "websocket", "mqtt", "cluster", "gateway", "monitor", "profiling")


@dataclass(slots=True)
class Values:
    """A release's values after layering, and where each node given by a values source was
    written (nodes from the chart's defaults have no origin)."""

    tree: dict
    origins: dict[Path, Span] = field(default_factory=dict)
    unknown: list[tuple[Path, Span]] = field(default_factory=list)  # $tplYaml values left unrendered

    def get(self, *path: str, default: object = None) -> object:
        node: object = self.tree
        for p in path:
            if not isinstance(node, dict) or p not in node:
                return default
            node = node[p]
        return default if node is None else node

    def origin(self, path: Path) -> Span | None:
        """Where the node at ``path`` was written, or the nearest node above it that was."""
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return None


def layered(sources: list) -> Values:
    """The chart's defaults, then each source in order, as helm coalesces them.  A source is a
    natslint.deploy.releases.ValuesSource, or (file, values)."""
    values = Values(copy.deepcopy(DEFAULTS))
    for source in sources:
        if isinstance(source, tuple):
            source = ValuesSource(*source)
        _coalesce(values, values.tree, source.doc, (), source)
    return values


def _coalesce(values: Values, base: dict, over: Mapping, at: Path, source: ValuesSource) -> None:
    for k, v in over.items():
        key, here = str(k), at + (str(k),)
        if v is None:  # helm: a null deletes the key (and the chart's default with it)
            base.pop(key, None)
            _forget(values.origins, here)
            continue
        if isinstance(v, Mapping) and set(v) <= {"$tplYaml", "$tplYamlSpread"} and v:
            values.unknown.append((here, source.span(key_span(source.path, over, k))))
        if isinstance(v, Mapping) and isinstance(base.get(key), dict):
            values.origins.setdefault(here, source.span(key_span(source.path, over, k)))
            _coalesce(values, base[key], v, here, source)
            continue
        _forget(values.origins, here)
        base[key] = _plain(v)
        _record(values.origins, here, over, k, source)


def _forget(origins: dict, prefix: Path) -> None:
    n = len(prefix)
    for p in [p for p in origins if p[:n] == prefix]:
        del origins[p]


def _record(origins: dict, here: Path, parent: object, key: object, source: ValuesSource) -> None:
    node, path = parent[key], source.path
    origins[here] = source.span(value_span(path, parent, key) if not isinstance(node, (Mapping, list))
                                else key_span(path, parent, key) if isinstance(parent, Mapping)
                                else value_span(path, parent, key))
    if isinstance(node, Mapping):
        for k in node:
            _record(origins, here + (str(k),), node, k, source)
    elif isinstance(node, list):
        for i in range(len(node)):
            _record(origins, here + (i,), node, i, source)


def _plain(v: object) -> object:
    """Plain dicts, lists and scalars (ruamel's types lose their marks, keep their values)."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    return str(v)


# -- the release's names ----------------------------------------------------------------------

def fullname(values: Values, chart: str, release: str | None) -> str | None:
    """`nats.fullname`; None when the release name is not known."""
    override = values.get("fullnameOverride")
    if override:
        return str(override)[:63].rstrip("-")
    if release is None:
        return None
    name = str(values.get("nameOverride") or chart)
    return (release if name in release else f"{release}-{name}")[:63].rstrip("-")


@dataclass(slots=True)
class Names:
    statefulset: str
    headless: str
    service: str
    config_map: str


def names_of(values: Values, full: str) -> Names:
    """`nats.defaultValues`: each name the values leave empty is made from the full name."""
    return Names(str(values.get("statefulSet", "name") or full),
                 str(values.get("headlessService", "name") or f"{full}-headless"),
                 str(values.get("service", "name") or full),
                 str(values.get("configMap", "name") or f"{full}-config"))


# -- nats.conf --------------------------------------------------------------------------------

class Block:
    """A config block being built: its map and the origin of each node (pointer -> span)."""

    def __init__(self, values: Values, at: Path) -> None:
        self.values, self.at = values, at  # the values path its settings come from
        self.doc: dict = {}
        self.origins: dict[Path, Span | None] = {}

    def set(self, key: str, value: object, source: Path | None = None) -> None:
        """``value`` at ``key``, written where the values give ``source`` (None: the chart's own)."""
        self.doc[key] = value
        self.origins[(key,)] = self.values.origins.get(source) if source is not None else None

    def nest(self, key: str, block: "Block") -> None:
        self.doc[key] = block.doc
        self.origins[(key,)] = self.values.origin(block.at)
        for p, o in block.origins.items():
            self.origins[(key,) + p] = o

    def merge_patch(self) -> "Block":
        """`nats.loadMergePatch`: the block's `merge` over it, then its `patch`."""
        merge = self.values.get(*self.at, "merge", default={})
        if isinstance(merge, dict):
            self.doc = _merge_overwrite(self.doc, merge, self.origins, (), self.values, self.at + ("merge",))
        patch = self.values.get(*self.at, "patch", default=[])
        if isinstance(patch, list) and patch:
            base = self.at + ("patch",)
            self.doc = jsonpatch.apply(self.doc, patch, self.origins,
                                       lambda i, sub: self.values.origin(base + (i, "value") + sub))
        return self


def _merge_overwrite(doc: dict, merge: dict, origins: dict, at: Path, values: Values, source: Path) -> dict:
    """sprig's mergeOverwrite: maps merged key by key, anything else replaced."""
    out = dict(doc)
    for k, v in merge.items():
        here = at + (k,)
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge_overwrite(out[k], v, origins, here, values, source + (k,))
            continue
        out[k] = copy.deepcopy(v)
        jsonpatch._drop(origins, here)
        for p in jsonpatch._paths(v):
            origins[here + p] = values.origin(source + (k,) + p)
    return out


def _tls_block(values: Values, at: Path) -> Block:
    """`files/config/tls.yaml`, for the tls values at ``at``."""
    b = Block(values, at)
    secret = values.get(*at, "secretName")
    if secret:
        folder = str(values.get(*at, "dir", default="")).rstrip("/")
        b.set("cert_file", f"{folder}/{values.get(*at, 'cert') or 'tls.crt'}", at + ("cert",))
        b.set("key_file", f"{folder}/{values.get(*at, 'key') or 'tls.key'}", at + ("key",))
    if values.get("tlsCA", "enabled") and (values.get("tlsCA", "configMapName") or values.get("tlsCA", "secretName")):
        folder = str(values.get("tlsCA", "dir", default="")).rstrip("/")
        b.set("ca_file", f"{folder}/{values.get('tlsCA', 'key') or 'ca.crt'}", ("tlsCA", "enabled"))
    return b.merge_patch()


def _with_tls(b: Block, at: Path) -> None:
    if b.values.get(*at, "tls", "enabled"):
        b.nest("tls", _tls_block(b.values, at + ("tls",)))


def render_config(values: Values, names: Names, namespace: str | None) -> tuple[dict, dict[Path, Span | None]]:
    """`files/config/config.yaml` with every block: the config as a map, and each node's origin."""
    c = ("config",)
    top = Block(values, c)
    top.set("server_name", "<< $SERVER_NAME >>")
    top.set("lame_duck_grace_period", "10s")
    top.set("lame_duck_duration", "30s")
    top.set("pid_file", "/var/run/nats/nats.pid")
    top.set("port", values.get(*c, "nats", "port"), c + ("nats", "port"))
    if values.get(*c, "nats", "tls", "enabled"):
        top.nest("tls", _tls_block(values, c + ("nats", "tls")))
    for key, build in (("leafnodes", _leafnodes), ("websocket", _websocket), ("mqtt", _mqtt),
                       ("cluster", _cluster), ("gateway", _gateway)):
        if values.get(*c, key, "enabled"):
            top.nest(key, build(values, c + (key,), names, namespace).merge_patch())
    monitor = c + ("monitor",)
    if values.get(*monitor, "enabled"):
        key = "https_port" if values.get(*monitor, "tls", "enabled") else "http_port"
        top.set(key, values.get(*monitor, "port"), monitor + ("port",))
    if values.get(*c, "profiling", "enabled"):
        top.set("prof_port", values.get(*c, "profiling", "port"), c + ("profiling", "port"))
    if values.get(*c, "jetstream", "enabled"):
        top.nest("jetstream", _jetstream(values, c + ("jetstream",)).merge_patch())
    if values.get(*c, "resolver", "enabled"):
        r = Block(values, c + ("resolver",))
        r.set("dir", values.get(*c, "resolver", "dir"), c + ("resolver", "dir"))
        top.nest("resolver", r.merge_patch())
    top.merge_patch()
    return top.doc, top.origins


def _listener(values: Values, at: Path, name: str | None = None) -> Block:
    """A block that opens a port (its name first, when it has one), with its `tls`."""
    b = Block(values, at)
    if name is not None:
        b.set("name", name, ("statefulSet", "name"))
    b.set("port", values.get(*at, "port"), at + ("port",))
    return b


def _leafnodes(values: Values, at: Path, names: Names, namespace: str | None) -> Block:
    b = _listener(values, at)
    b.set("no_advertise", True)
    _with_tls(b, at)
    return b


def _websocket(values: Values, at: Path, names: Names, namespace: str | None) -> Block:
    b = _listener(values, at)
    if values.get(*at, "tls", "enabled"):
        _with_tls(b, at)
    else:
        b.set("no_tls", True)
    return b


def _mqtt(values: Values, at: Path, names: Names, namespace: str | None) -> Block:
    b = _listener(values, at)
    _with_tls(b, at)
    return b


def _gateway(values: Values, at: Path, names: Names, namespace: str | None) -> Block:
    b = _listener(values, at, names.statefulset)
    _with_tls(b, at)
    return b


def _cluster(values: Values, at: Path, names: Names, namespace: str | None) -> Block:
    b = _listener(values, at, names.statefulset)
    port = values.get(*at, "port")
    b.set("no_advertise", values.get(*at, "noAdvertise", default=False), at + ("noAdvertise",))
    urls = at + ("routeURLs",)
    user, password = values.get(*urls, "user"), values.get(*urls, "password")
    auth = f"{quote_plus(str(user))}:{quote_plus(str(password))}@" if user and password else ""
    proto = "tls" if values.get(*at, "tls", "enabled") else "nats"
    domain = names.headless
    if values.get(*urls, "useFQDN"):
        domain = f"{domain}.{namespace if namespace is not None else '<namespace>'}.svc." \
                 f"{values.get(*urls, 'k8sClusterDomain')}"
    routes = [f"{proto}://{auth}{names.statefulset}-{i}.{domain}:{_int(port)}"
              for i in range(_int(values.get(*at, "replicas")))]
    b.set("routes", routes, at + ("replicas",))
    for i in range(len(routes)):
        b.origins[("routes", i)] = values.origin(at + ("replicas",))
    if user and password:
        auth_block = Block(values, urls)
        auth_block.set("user", str(user), urls + ("user",))
        auth_block.set("password", str(password), urls + ("password",))
        b.nest("authorization", auth_block)
    _with_tls(b, at)
    return b


def _jetstream(values: Values, at: Path) -> Block:
    b = Block(values, at)
    mem = at + ("memoryStore",)
    if values.get(*mem):
        if values.get(*mem, "enabled"):
            if values.get(*mem, "maxSize"):
                b.set("max_memory_store", f"<< {values.get(*mem, 'maxSize')} >>", mem + ("maxSize",))
        else:
            b.set("max_memory_store", 0, mem + ("enabled",))
    fs = at + ("fileStore",)
    if values.get(*fs):
        if values.get(*fs, "enabled"):
            b.set("store_dir", values.get(*fs, "dir"), fs + ("dir",))
            if values.get(*fs, "maxSize"):
                b.set("max_file_store", f"<< {values.get(*fs, 'maxSize')} >>", fs + ("maxSize",))
            elif values.get(*fs, "pvc", "enabled"):
                b.set("max_file_store", f"<< {values.get(*fs, 'pvc', 'size')} >>", fs + ("pvc", "size"))
        else:
            b.set("max_file_store", 0, fs + ("enabled",))
    return b


def _int(v: object) -> int:
    """Go's `int` of a values number (a string that is no number is 0, as sprig's toInt)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v)
    try:
        return int(str(v))
    except ValueError:
        return 0


# -- the text of nats.conf --------------------------------------------------------------------

_RAW = re.compile(r'"<<\s+(.*?)\s+>>"')
_INCLUDE = re.compile(r'".*\$include": "(.*)",?')


def format_config(config: dict) -> tuple[str, list[Path]]:
    """`nats.formatConfig`: pretty JSON (keys sorted, as Go marshals a map), `<< raw >>` values
    unquoted and `$include` keys turned into include directives; with the pointer each line
    writes."""
    lines: list[tuple[str, Path]] = []
    _emit(config, (), 0, "", lines, last=True)
    text_lines, pointers = [], []
    for line, pointer in lines:
        line = _INCLUDE.sub(lambda m: f"include {m.group(1)};", line)
        text_lines.append(_RAW.sub(lambda m: m.group(1), line))
        pointers.append(pointer)
    return "\n".join(text_lines), pointers


def _emit(value: object, at: Path, depth: int, prefix: str, out: list, last: bool) -> None:
    pad, comma = "  " * depth, "" if last else ","
    if isinstance(value, dict) and value:
        out.append((f"{pad}{prefix}{{", at))
        keys = sorted(value)
        for i, k in enumerate(keys):
            _emit(value[k], at + (k,), depth + 1, f"{_json(k)}: ", out, i == len(keys) - 1)
        out.append((f"{pad}}}{comma}", at))
    elif isinstance(value, list) and value:
        out.append((f"{pad}{prefix}[", at))
        for i, v in enumerate(value):
            _emit(v, at + (i,), depth + 1, "", out, i == len(value) - 1)
        out.append((f"{pad}]{comma}", at))
    else:
        out.append((f"{pad}{prefix}{_json(value)}{comma}", at))


def _json(value: object) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(value, ensure_ascii=False)
