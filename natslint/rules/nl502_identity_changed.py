"""NL502 identity-changed: a JetStream server's server_name, cluster name or gateway name changes.

JetStream's meta group, and every stream's and consumer's peer set, know a server by its name
and its cluster's name.  A renamed server comes back as a stranger: its old self stays a peer
that never answers, and the data it held is placed under a name nobody asks for.  A maintainer
of nats-server: "The server name and cluster name must never change once set" (nats-server#7418).
"""

from __future__ import annotations

from typing import Iterator

from natslint.codes import IDENTITY_CHANGED
from natslint.findings import Finding
from natslint.rules.base import Rule
from natslint.since.context import ChangeContext, restart_words

IDENTITY = {"server_name": "server_name", "cluster.name": "cluster name", "gateway.name": "gateway name"}


def check(ctx: ChangeContext) -> Iterator[Finding]:
    seen: set[tuple] = set()
    for c in ctx.changes:
        what = IDENTITY.get(c.option)
        if what is None or not ctx.jetstream_server(c) or c.old is None:
            continue
        key = (c.span.path, c.span.line, c.span.col, c.option)
        c.rule = IDENTITY_CHANGED.code
        if key in seen:  # one config that several servers run: said once
            continue
        seen.add(key)
        new = f"`{c.new}`" if c.new is not None else "nothing (the option is removed)"
        peers = ("its JetStream meta group and the peer set of every stream and consumer it holds know it by "
                 "that name") if c.option == "server_name" else \
            f"JetStream places streams by {what}, and every server of the meta group knows the servers by it"
        yield IDENTITY_CHANGED.at(
            c.span, f"the {what} of {c.after.label}, which runs JetStream, changes from `{c.old}` to {new}",
            f"{peers}: the renamed server comes back as a stranger, its old self stays a peer that never answers, "
            "and what it stored is out of reach (nats-server#7418)",
            f"it takes {restart_words(ctx, [c.after])}" if c.option != "cluster.name" else
            "nats-server reloads a cluster name in place, so a reloader applies it at once",
            fix=f"keep `{c.old}`; to replace the server, add a new one and remove the old one from the meta group "
                "(`nats server raft peer-remove`)")


RULE = Rule(IDENTITY_CHANGED, check)
