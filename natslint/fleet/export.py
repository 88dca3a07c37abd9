"""The fleet model as plain data: what `natslint model --format json` prints, and what
declarative custom rules (natslint.custom.declarative) select and test.

Servers, JetStreams and hosts are named by ids that the other parts refer to.
"""

from __future__ import annotations

from natslint.fleet.flat import scalar_options
from natslint.fleet.model import Cluster, Fleet, Host, Remote, Server
from natslint.fleet.reach import Reach
from natslint.syntax.model import Map


def value(v: object) -> object:
    return v if v is None or isinstance(v, (bool, int, float, str)) else str(v)


def where(span) -> dict | None:
    return None if span is None else {"file": span.path, "line": span.line, "col": span.col}


def jetstream_ids(reach: Reach) -> dict[int, str]:
    return {js.id: f"js{i}" for i, js in enumerate(reach.js_by_root.values())}


def server_dict(s: Server, fleet: Fleet, reach: Reach, js_ids: dict[int, str], documents: dict | None = None) -> dict:
    cluster = fleet.cluster_of.get(s.id)
    own = reach.jetstream_of(s)
    doc = s.document if s.document is not None else (documents or {}).get(s.path)
    root = getattr(doc, "root", None)
    return {
        "id": s.id, "label": s.label, "server_name": value(s.server_name.value), "config": s.path,
        "config_known": not s.config_unseen, "instance_of": s.instance_of or None,
        "nats_version": s.image_version, "defined_at": where(s.span),
        "cluster": cluster.name if cluster is not None and len(cluster.servers) > 1 else None,
        "listeners": [{"kind": li.kind, "host": li.host, "port": li.port} for li in s.listeners],
        "jetstream": {"enabled": bool(s.js_enabled.value), "domain": value(s.domain.value),
                      "domain_known": not s.domain_unknown, "store_dir": value(s.store_dir.value),
                      "id": js_ids.get(own.id) if own is not None else None},
        "accounts": sorted(s.accounts), "jetstream_accounts": sorted(s.js_accounts),
        "system_account": s.system_account, "operator_mode": s.operator_mode, "auth_required": s.auth_required,
        "leaf_remotes": [remote_dict(s, r) for r in s.remotes],
        "gateway": value(s.gateway_name.value),
        "reloader": s.reloader, "refuses_to_start": s.refuses,
        # its config's scalar options as this server reads them (null: the config is not known)
        "options": scalar_options(root) if isinstance(root, Map) and not s.config_unseen else None,
    }


def remote_dict(s: Server, r: Remote) -> dict:
    return {"urls": [u for u, _ in r.urls], "account": r.account, "hub": r.hub.id if r.hub is not None else None,
            "hub_account": r.hub_account if r.hub is not None else None, "comes_up": r.hub is not None and
            s.link_comes_up(r), "deny_imports": list(r.deny_imports), "deny_exports": list(r.deny_exports),
            "defined_at": where(r.span)}


def host_dict(h: Host, reach: Reach, js_ids: dict[int, str]) -> dict:
    return {"id": h.id, "kind": h.kind, "label": h.label, "lattice": value(h.lattice.value),
            "domain": value(h.domain.value), "server": h.server.id if h.server is not None else None,
            "version": h.version, "defined_at": where(h.span),
            "reaches": [js_ids[js.id] for js in reach.host_jetstreams(h) if js.id in js_ids]}


def cluster_dict(c: Cluster) -> dict:
    js = [s for s in c.servers if s.js_enabled.value]
    return {"name": c.name, "servers": [s.id for s in c.servers], "size": len(c.servers),
            "jetstream_servers": len(js), "domains": sorted({str(s.domain.value) for s in js if s.domain.value})}
