"""Members of one cluster that share a server name, as the live servers showed them: routes to
both twins leave the JetStream meta group without a leader; a twin no route leads to is kept or
refused by whichever twin the others met first, and so is the routed one."""

from __future__ import annotations

from natslint.fleet.model import Cluster, Server


def leaderless(clusters: list[Cluster], js_servers: list[Server]) -> bool:
    """Two JetStream servers of one cluster share a server name, and routes lead to both: the
    meta group's peer ids are made from the names, and its election never ends (live, with 3,
    4 and 5 members whose routes list every member: no leader after 30 s, every API request
    answered by 503 `JetStream system temporarily unavailable`, 10008).  A twin no route leads
    to only dials out, and the members keep their leader."""
    for c in clusters:
        targets = {id(r.target) for s in c.servers for r in s.routes if r.target is not None}
        names = [s.server_name.value for s in c.servers
                 if s in js_servers and isinstance(s.server_name.value, str) and id(s) in targets]
        if len(names) != len(set(names)):
            return True
    return False


def unrouted_twin(cluster: Cluster, server: Server) -> bool:
    """A member that shares its name with another, where no route leads to one of them: that
    one only dials out, and which of the two the others keep depends on whom they met first, so
    the clients of either get the cluster's JetStream or nothing (live: both, from one run to
    the next, on either twin)."""
    name = server.server_name.value
    twins = [s for s in cluster.servers if s.server_name.value == name]
    return isinstance(name, str) and len(twins) > 1 and \
        not all(any(r.target is t for s in cluster.servers for r in s.routes) for t in twins)
