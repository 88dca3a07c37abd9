"""Refusals nats-server makes only when it really starts: `nats-server -t` parses the config
and stops, and the server's own validation of the options runs after that (validateOptions).
Each is read from the server model and its config, with where to point at (NL113)."""

from __future__ import annotations

from dataclasses import dataclass

from natslint.fleet.model import Server
from natslint.fleet.values import as_map, opt, scalar
from natslint.span import Span
from natslint.syntax.model import Map


@dataclass(frozen=True, slots=True)
class Refusal:
    message: str  # nats-server's own words
    span: Span
    related: tuple[tuple[Span, str], ...]
    fix: str


def refusals(s: Server, root: Map | None) -> list[Refusal]:
    out: list[Refusal] = []
    cluster, gateway = s.cluster_name, s.gateway_name
    if isinstance(cluster.value, str) and cluster.value and isinstance(gateway.value, str) and gateway.value \
            and cluster.value != gateway.value and gateway.span is not None:
        out.append(Refusal(
            "cluster name conflicts between cluster and gateway definitions", gateway.span,
            ((cluster.span, f"the cluster's name `{cluster.value}`"),) if cluster.span is not None else (),
            f"give the cluster and the gateway one name (`{gateway.value}`), or leave the cluster's name out "
            "(it takes the gateway's)"))
    ws_entry = opt(root, "websocket", "ws") if root is not None else None
    ws = as_map(ws_entry)
    listener = s.listener("websocket")
    if ws is not None and ws_entry is not None and listener is not None and listener.port != 0 \
            and opt(ws, "tls") is None and scalar(opt(ws, "no_tls")) is not True:
        out.append(Refusal(
            "websocket requires TLS configuration", ws_entry.key.span, (),
            "add `tls { cert_file: ..., key_file: ... }` to `websocket`, or `no_tls: true` behind a proxy "
            "that terminates TLS"))
    return out
