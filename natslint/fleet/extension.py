"""A leaf link bound to the system account on both sides, between equal domains: nats-server
treats it as a JetStream extension (leafnode.go), valid or not (decision table of
`jetstream-domains.md`, rows 4 to 8)."""

from __future__ import annotations

from dataclasses import dataclass

from natslint.fleet.model import UNKNOWN_ACCOUNT, Fleet, Remote, Server


@dataclass(slots=True)
class Extension:
    """A leaf link the server treats as a JetStream extension: the system account on both sides, equal domains."""

    leaf: Server
    remote: Remote
    hub: Server
    valid: bool
    why: str
    # both run JetStream and each runs API requests of the other: "both" every one (standalone
    # hub and leaf), "some" some of them, from run to run (a clustered hub, a standalone leaf)
    mirrors: str = ""


def extension_of(fleet: Fleet, leaf: Server, r: Remote, hub: Server) -> Extension | None:
    """A system-account link between equal domains: the server treats it as extension."""
    # A remote bound to the leaf's system account through credentials natslint cannot
    # read is taken to land in the hub's system account: that is what such links are for.
    if r.account != leaf.system_account or r.hub_account not in (hub.system_account, UNKNOWN_ACCOUNT):
        return None
    if leaf.domain.value != hub.domain.value:
        return None
    if not leaf.js_enabled.value and not leaf.domain.value and leaf.extension_hint.value != "will_extend":
        return None
    if "" in leaf.default_js_domain.values() or "" in hub.default_js_domain.values():
        return None
    hub_cluster = fleet.cluster_of[hub.id]
    leaf_cluster = fleet.cluster_of[leaf.id]
    if len(hub_cluster.servers) < 2 and not hub.routes:
        both = len(leaf_cluster.servers) < 2 and not leaf.routes and leaf.js_enabled.value and hub.js_enabled.value
        return Extension(leaf, r, hub, False, f"{hub.label} is standalone: only a clustered "
                         "JetStream can be extended, so both servers run the API", "both" if both else "")
    if len(leaf_cluster.servers) < 2 and not leaf.routes and leaf.extension_hint.value != "will_extend":
        return Extension(leaf, r, hub, False, f"{leaf.label} is standalone without "
                         "`extension_hint: will_extend`, so it runs its own JetStream while the "
                         "system link is treated as extended",
                         "some" if leaf.js_enabled.value and hub.js_enabled.value else "")
    return Extension(leaf, r, hub, True, "extended over the shared system account")
