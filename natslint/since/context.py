"""What the change rules (NL5xx) see: both sides of the change, the servers paired, and the
options that differ on each pair."""

from __future__ import annotations

from dataclasses import dataclass, field

from natslint.fleet.model import Cluster, Fleet, Host, Server
from natslint.since.changes import Change
from natslint.since.pairing import Pairing


@dataclass(slots=True)
class ChangeContext:
    ref: str
    pairing: Pairing
    changes: list[Change]
    before: list[Fleet]
    after: list[Fleet]
    memo: dict = field(default_factory=dict)

    def cluster_of(self, s: Server) -> Cluster | None:
        for f in self.after:
            hit = f.cluster_of.get(s.id)
            if hit is not None and any(m is s for m in hit.servers):
                return hit
        return None

    def hosts_now(self) -> list[Host]:
        return [h for f in self.after for h in f.hosts]

    def of(self, option: str) -> list[Change]:
        return [c for c in self.changes if c.option == option]

    def jetstream_server(self, c: Change) -> bool:
        return bool(c.before.js_enabled.value) or bool(c.after.js_enabled.value)


def restart_words(ctx: ChangeContext, servers: list[Server]) -> str:
    """What restarting these servers means: one server, or a rolling restart of their cluster."""
    cluster = ctx.cluster_of(servers[0])
    if cluster is not None and len(cluster.servers) > 1:
        name = f"cluster `{cluster.name}`" if cluster.name else "their cluster"
        return f"a rolling restart of {name}'s {len(cluster.servers)} servers, one at a time"
    return f"a restart of {servers[0].label}" if len(servers) == 1 else \
        f"a restart of each of the {len(servers)} servers"
