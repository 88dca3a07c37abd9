"""A config as dotted options (`jetstream.domain`), as nats-server reads it: names
case-insensitive, the last assignment winning.  `--since` compares two of them; the fleet
model (natslint.fleet.export) shows a server's scalar options with them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from natslint.span import Span
from natslint.syntax.model import Map, Node, plain

# compared as one value: their parts are not options of their own
WHOLE = {"accounts", "authorization", "cluster.routes", "cluster.authorization", "gateway.gateways",
         "leafnodes.authorization", "leafnodes.remotes", "websocket.authorization", "mqtt.authorization",
         "tls", "server_tags",
         "cluster.permissions", "jetstream.tiered_limits"}
SECRET = re.compile(r"pass|token|secret|seed|key|jwt|creds|credentials")  # an option whose value is not shown


@dataclass(slots=True)
class Flat:
    """One config as dotted options: value and span, and the span of every block."""

    values: dict[str, tuple[object, Span, Node]]
    blocks: dict[str, Span]


def flatten(root: Map) -> Flat:
    values: dict[str, tuple[object, Span, Node]] = {}
    blocks: dict[str, Span] = {"": root.span}
    stack: list[tuple[str, Map]] = [("", root)]
    while stack:
        prefix, m = stack.pop()
        for e in m.live():
            key = prefix + e.key.name.lower()
            v = e.value
            if isinstance(v, Map) and key not in WHOLE:
                blocks[key] = v.span
                stack.append((key + ".", v))
            else:
                values[key] = (plain(v), v.span, v)
    return Flat(values, blocks)


def scalar_options(root: Map) -> dict[str, object]:
    """A config's scalar options by dotted name, as plain values; a secret's value is not copied
    out (its name is kept, its value is `"(secret)"`)."""
    out: dict[str, object] = {}
    for key, (value, _, _) in sorted(flatten(root).values.items()):
        if isinstance(value, (dict, list)):
            continue
        if value is not None and SECRET.search(key.rsplit(".", 1)[-1]):
            value = "(secret)"
        out[key] = value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
    return out

