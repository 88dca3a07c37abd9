"""Hover and completion in NATS configs, from the option table and the parsed document."""

from __future__ import annotations

from dataclasses import dataclass

from natslint import options
from natslint.syntax.document import Document
from natslint.syntax.model import Array, Map, Scalar

DOCS = "https://docs.nats.io/running-a-nats-service/configuration"
# The options natslint's rules read: a sentence each, and where the NATS docs explain them.
WRITTEN = {
    "domain": ("The JetStream domain: `$JS.<domain>.API` reaches this server's JetStream across leaf links. "
               "A leaf and its hub need different domains.", f"{DOCS}/leafnodes/jetstream_leafnodes"),
    "store_dir": ("Where JetStream keeps its streams; two servers must never share one.",
                  f"{DOCS}/resource_management"),
    "leafnodes": ("Leaf node connections: a `port` to accept leaves, `remotes` to connect to a hub.",
                  f"{DOCS}/leafnodes/leafnode_conf"),
    "remotes": ("The hubs this server connects to as a leaf: `url`/`urls`, the local `account`, credentials.",
                f"{DOCS}/leafnodes/leafnode_conf"),
    "url": ("The hub's leafnode listener (`nats-leaf://host:7422`); all URLs of one remote must reach one cluster.",
            f"{DOCS}/leafnodes/leafnode_conf"),
    "urls": ("The hub's leafnode listeners; all must reach one cluster and one JetStream.",
             f"{DOCS}/leafnodes/leafnode_conf"),
    "account": ("The local account a leaf connection binds; it must be defined under `accounts`.",
                f"{DOCS}/leafnodes/leafnode_conf"),
    "server_name": ("This server's name: unique in the fleet, and required for clustered JetStream.",
                    f"{DOCS}/clustering/jetstream_clustering"),
    "name": ("The cluster's name: every route of the cluster must agree, and a leaf must not present its hub's.",
             f"{DOCS}/clustering/cluster_config"),
    "routes": ("The other members of this cluster, by their cluster (route) port.", f"{DOCS}/clustering/cluster_config"),
    "system_account": ("The account of server events and JetStream's internal traffic; never with JetStream enabled.",
                       f"{DOCS}/accounts"),
}


@dataclass(slots=True)
class Place:
    block: str  # the option block the position is in
    path: str  # as written: jetstream, leafnodes.remotes, ...
    key: object = None  # the Entry whose key is under the position
    scalar: Scalar | None = None  # the value under the position


def _child(spec: options.KeySpec | None, value) -> str | None:
    if spec is None:
        return None
    if isinstance(value, Map):
        return "account" if spec.kind == "accounts" else spec.block
    return spec.block if spec.kind == "block_list" else spec.items


def locate(doc: Document, offset: int) -> Place:
    """The innermost block around ``offset``, and the key or value under it."""
    place = Place("top", "")
    node, block, where = doc.root, "top", ""
    while isinstance(node, Map):
        blk = options.block(block)
        inner = None
        for e in node.live():
            if e.key.span.path == doc.path and e.key.span.start <= offset <= e.key.span.end:
                return Place(block, where, key=e)
            v = e.value
            if v.span.path == doc.path and v.span.start <= offset < max(v.span.end, v.span.start + 1):
                spec = blk.keys.get(e.key.name.lower() if blk.case_insensitive else e.key.name) if blk else None
                if isinstance(v, Scalar):
                    return Place(block, where, scalar=v)
                if isinstance(v, Array):
                    v = next((i for i in v.items if i.span.start <= offset < i.span.end), None)
                    if isinstance(v, Scalar):
                        return Place(block, where, scalar=v)
                if isinstance(v, Map):
                    inner = (v, _child(spec, v) or "", f"{where}.{e.key.name}" if where else e.key.name)
                break
        if inner is None:
            return Place(block, where)
        node, block, where = inner
        place = Place(block, where)
    return place


def hover_key(place: Place) -> str | None:
    blk = options.block(place.block)
    e = place.key
    if blk is None or e is None:
        return None
    spec = blk.keys.get(e.key.name.lower() if blk.case_insensitive else e.key.name)
    where = place.path or "the top level"
    if spec is None:
        return f"`{e.key.name}` is not an option of {where}: nats-server refuses the file."
    spellings = sorted({k for k, s in blk.keys.items() if s is spec} - {spec.name})
    lines = [f"**`{spec.name}`** in {where}", ""]
    if spec.types:
        lines.append(f"type: {' or '.join(spec.types)}")
    if spellings:
        lines.append(f"aliases: {', '.join(f'`{s}`' for s in spellings)}")
    if spec.values:
        lines.append(f"values: {', '.join(f'`{v}`' for v in spec.values)}")
    written = WRITTEN.get(spec.name)
    if written is not None:
        lines += ["", written[0], "", f"[NATS documentation]({written[1]})"]
    return "\n".join(lines)


def hover_variable(place: Place, env_names: set[str]) -> str | None:
    s = place.scalar
    if s is None or s.via is None:
        return None
    use = s.via
    if use.source == "config":
        return f"`${use.name}` is defined in the config, at line {use.defined.line}" if use.defined else \
            f"`${use.name}` is defined in the config"
    if use.source == "env":
        return f"`${use.name}` comes from the environment the server runs with (natslint.toml `env`, an env file, " \
               "or the deployment that runs it)"
    return f"`${use.name}` is defined nowhere natslint can see: its value comes from the server's environment" + \
        (" (set in the deployment's environment)" if use.name in env_names else "")


def completions(place: Place) -> list[tuple[str, str]]:
    """(option name, its types) for the block the position is in."""
    blk = options.block(place.block) or options.block("top")
    specs = {s.name: s for s in blk.keys.values()}
    return [(name, " | ".join(spec.types)) for name, spec in sorted(specs.items())]


def block_at(text: str, offset: int) -> Place:
    """The option block around ``offset``, read from the buffer's text as it is being typed
    (a config half written does not parse): the keys of the `{` still open before it, strings
    and comments skipped.  A map inside an array (`remotes: [ { ... } ]`) is an item of the
    array's key."""
    opened: list[tuple[str, str | None]] = []  # ("{" or "[", the key it opens)
    word: str | None = None
    i, n = 0, min(offset, len(text))
    while i < n:
        c = text[i]
        if c in "\"'":
            end = text.find(c, i + 1)
            i, word = (n if end < 0 else end + 1), None
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c.isalnum() or c in "_$-.":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_$-."):
                j += 1
            word, i = text[i:j], j
            continue
        if c == "{":
            opened.append(("{", opened[-1][1] if opened and opened[-1][0] == "[" else word))
        elif c == "[":
            opened.append(("[", word))
        elif c in "}]" and opened:
            opened.pop()
        if c in "{[}]":
            word = None
        i += 1
    block, where = "top", ""
    for kind, key in opened:
        if kind == "[" or key is None:
            continue
        blk = options.block(block)
        spec = blk.keys.get(key.lower() if blk.case_insensitive else key) if blk else None
        block = _child(spec, Map.__new__(Map)) or ""
        where = f"{where}.{key}" if where else key
    return Place(block, where)
