"""`natslint model --format json`: each fleet as natslint models it, for tools and custom rules.

The shape is versioned (`"schema": "natslint-model/1"`) and described by `model.schema.json`
beside this module: a field is only added within a version, never renamed or removed.
Servers, JetStreams and hosts are named by ids that the other parts refer to.
"""

from __future__ import annotations

import json
from pathlib import Path

from natslint import __version__
from natslint.check import FleetCheck, Result
from natslint.fleet.model import Host, Remote, Server
from natslint.fleet.reach import Reach

SCHEMA_VERSION = "natslint-model/1"
SCHEMA = Path(__file__).with_name("model.schema.json")


def _value(v: object) -> object:
    return v if v is None or isinstance(v, (bool, int, float, str)) else str(v)


def _where(span) -> dict | None:
    return None if span is None else {"file": span.path, "line": span.line, "col": span.col}


def server_dict(s: Server, fc: FleetCheck, js_ids: dict[int, str]) -> dict:
    cluster = fc.fleet.cluster_of.get(s.id)
    own = fc.reach.jetstream_of(s)
    return {
        "id": s.id, "label": s.label, "server_name": _value(s.server_name.value), "config": s.path,
        "config_known": not s.config_unseen, "instance_of": s.instance_of or None,
        "nats_version": s.image_version, "defined_at": _where(s.span),
        "cluster": cluster.name if cluster is not None and len(cluster.servers) > 1 else None,
        "listeners": [{"kind": li.kind, "host": li.host, "port": li.port} for li in s.listeners],
        "jetstream": {"enabled": bool(s.js_enabled.value), "domain": _value(s.domain.value),
                      "domain_known": not s.domain_unknown, "store_dir": _value(s.store_dir.value),
                      "id": js_ids.get(own.id) if own is not None else None},
        "accounts": sorted(s.accounts), "jetstream_accounts": sorted(s.js_accounts),
        "system_account": s.system_account, "operator_mode": s.operator_mode, "auth_required": s.auth_required,
        "leaf_remotes": [_remote(s, r) for r in s.remotes],
        "gateway": _value(s.gateway_name.value),
        "reloader": s.reloader, "refuses_to_start": s.refuses,
    }


def _remote(s: Server, r: Remote) -> dict:
    return {"urls": [u for u, _ in r.urls], "account": r.account, "hub": r.hub.id if r.hub is not None else None,
            "hub_account": r.hub_account if r.hub is not None else None, "comes_up": r.hub is not None and
            s.link_comes_up(r), "deny_imports": list(r.deny_imports), "deny_exports": list(r.deny_exports),
            "defined_at": _where(r.span)}


def host_dict(h: Host, reach: Reach, js_ids: dict[int, str]) -> dict:
    return {"id": h.id, "kind": h.kind, "label": h.label, "lattice": _value(h.lattice.value),
            "domain": _value(h.domain.value), "server": h.server.id if h.server is not None else None,
            "version": h.version, "defined_at": _where(h.span),
            "reaches": [js_ids[js.id] for js in reach.host_jetstreams(h) if js.id in js_ids]}


def fleet_dict(fc: FleetCheck) -> dict:
    reach = fc.reach
    jetstreams = list(reach.js_by_root.values())
    js_ids = {js.id: f"js{i}" for i, js in enumerate(jetstreams)}
    fleet = fc.fleet
    domains = sorted({d for js in jetstreams for d in js.domains if d})
    return {
        "name": fc.plan.name, "kind": fc.plan.kind, "root": fc.plan.root,
        "servers": [server_dict(s, fc, js_ids) for s in fleet.servers],
        "servers_unknown": [{"id": s.id, "label": s.label, "why": s.config_unseen_why} for s in fleet.unseen],
        "clusters": [{"name": c.name, "servers": [s.id for s in c.servers]} for c in fleet.clusters
                     if len(c.servers) > 1],
        "jetstreams": [{"id": js_ids[js.id], "label": js.short_label, "domains": sorted(d for d in js.domains if d),
                        "servers": [s.id for s in js.servers], "no_meta_leader": reach.leaderless(js),
                        "mirrors": [js_ids[m.id] for m in reach.mirrors(js) if m is not js and m.id in js_ids]}
                       for js in jetstreams],
        "hosts": [host_dict(h, reach, js_ids) for h in fleet.hosts],
        "reachability": _reachability(fc, js_ids, domains),
    }


def _reachability(fc: FleetCheck, js_ids: dict[int, str], domains: list[str]) -> list[dict]:
    """What a JetStream API request gets, from each account of each server: the plain
    `$JS.API` and each domain of the fleet."""
    out = []
    for s in fc.fleet.servers:
        if s.refuses:
            continue
        for account in [*s.app_accounts] or ["$G"]:
            for domain in [None, *domains]:
                p = fc.reach.predict(s, account, domain)
                out.append({"server": s.id, "account": account, "domain": domain, "reply": p.kind,
                            "jetstreams": [js_ids[js.id] for js in p.jetstreams if js.id in js_ids]})
    return out


def render_model(result: Result) -> str:
    doc = {"schema": SCHEMA_VERSION, "natslint": __version__, "fleets": [fleet_dict(fc) for fc in result.fleets]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
