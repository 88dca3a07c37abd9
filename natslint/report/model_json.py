"""`natslint model --format json`: each fleet as natslint models it, for tools and custom rules.

The shape is versioned (`"schema": "natslint-model/1"`) and described by `model.schema.json`
beside this module: a field is only added within a version, never renamed or removed.  The
parts are built by natslint.fleet.export, which declarative custom rules read too.
"""

from __future__ import annotations

import json
from pathlib import Path

from natslint import __version__
from natslint.check import FleetCheck, Result
from natslint.fleet.export import cluster_dict, host_dict, jetstream_ids, server_dict

SCHEMA_VERSION = "natslint-model/1"
SCHEMA = Path(__file__).with_name("model.schema.json")


def fleet_dict(fc: FleetCheck, documents: dict) -> dict:
    reach, fleet = fc.reach, fc.fleet
    js_ids = jetstream_ids(reach)
    jetstreams = list(reach.js_by_root.values())
    domains = sorted({d for js in jetstreams for d in js.domains if d})
    return {
        "name": fc.plan.name, "kind": fc.plan.kind, "root": fc.plan.root,
        "servers": [server_dict(s, fleet, reach, js_ids, documents) for s in fleet.servers],
        "servers_unknown": [{"id": s.id, "label": s.label, "why": s.config_unseen_why} for s in fleet.unseen],
        "clusters": [cluster_dict(c) for c in fleet.clusters if len(c.servers) > 1],
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
    doc = {"schema": SCHEMA_VERSION, "natslint": __version__, "fleets": [fleet_dict(fc, result.documents) for fc in result.fleets]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
