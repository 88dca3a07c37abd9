"""Reach answers every `$JS.<domain>.API` question once per strongly connected set of
states; this holds it to the plain walk it replaced (one breadth-first walk per question),
on every fixture fleet, every rule doc's fleets, and random leaf topologies."""

from __future__ import annotations

import os
import shutil
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from natslint import ruledocs
from natslint.check import Settings, check_paths
from natslint.findings import Severity
from natslint.fleet.model import UNKNOWN_ACCOUNT
from natslint.fleet.reach import Reach, same_account
from natslint.fleet.subjects import denies
from natslint.resources import rule_docs

ROOT = Path(__file__).resolve().parents[1]


def walk(reach: Reach, server, account: str, domain: str) -> set[int]:
    """The reference: follow the request state by state until it is mapped (a server that
    refuses to start answers nothing, and no link reaches it)."""
    if server.refuses:
        return set()
    found, seen = set(), set()
    queue = deque([(server, account, True)])
    while queue:
        at, acc, entry = queue.popleft()
        if (at.id, acc, entry) in seen:
            continue
        seen.add((at.id, acc, entry))
        if entry and reach._maps(at, acc, domain):
            js = reach.jetstream_of(at)
            if js is not None:
                found.add(js.id)
            continue
        for peer in reach.fleet.cluster_of[at.id].servers:
            if peer is not at:
                queue.append((peer, acc, False))
        for local_acc, other, other_acc, deny in reach.server_edges.get(at.id, ()):
            if same_account(acc, local_acc) and not denies(deny, domain):
                queue.append((other, other_acc, True))
    return found


def agree(fleet) -> int:
    reach = Reach(fleet)
    domains = sorted({s.domain.value for s in fleet.servers if isinstance(s.domain.value, str)} | {"nope"})
    accounts = sorted({a for s in fleet.servers for a in s.accounts} | {"$G", UNKNOWN_ACCOUNT})
    asked = 0
    for s in fleet.servers:
        for account in accounts:
            for d in domains:
                got = {js.id for js in reach.answers(s, account, d)}
                assert got == walk(reach, s, account, d), (s.label, account, d)
                asked += 1
    return asked


def fleets_of(path: Path) -> list:
    return [fc.fleet for fc in check_paths(["."], Settings(env={}, env_visible=True), root=str(path)).fleets]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir()))
def test_fixture_fleets(name, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "fixtures" / name, tmp_path / name)
    fleets = fleets_of(tmp_path / name)
    asked = sum(agree(fleet) for fleet in fleets)
    # a fleet whose every config failed to parse has no modelled server to ask
    assert asked > 0 or all(not f.servers and f.unseen for f in fleets)


@pytest.mark.parametrize("code", sorted(rule_docs()))
def test_rule_doc_fleets(code, tmp_path, monkeypatch):
    doc = ruledocs.load(rule_docs()[code])
    for part, files in (("bad", doc.bad), ("good", doc.good)):
        if files:
            ruledocs.write_fleet(files, tmp_path / part)
            for fleet in fleets_of(tmp_path / part):
                agree(fleet)


SERVER = st.fixed_dictionaries({
    "js": st.booleans(),
    "domain": st.sampled_from([None, "a", "b", "c"]),
    "cluster": st.sampled_from([None, "x", "y"]),
    "accounts": st.booleans(),  # APP + SYS accounts, or only $G
    "remotes": st.lists(st.tuples(st.integers(0, 7), st.sampled_from([None, "APP", "SYS"])), max_size=3),
})


def write_topology(root: Path, servers: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate(servers):
        lines = [f"server_name: s{i}", "listen: 0.0.0.0:4222"]
        if s["js"] or s["domain"]:
            parts = (["enabled: false"] if not s["js"] else []) + \
                ([f"domain: {s['domain']}"] if s["domain"] else []) + [f"store_dir: /d/s{i}"]
            lines.append("jetstream { " + ", ".join(parts) + " }")
        if s["accounts"]:
            lines.append("accounts { SYS { users: [ { user: sys, password: p } ] }, "
                         "APP { jetstream: enabled, users: [ { user: app, password: p } ] } }")
            lines.append("system_account: SYS")
        if s["cluster"]:
            peers = [j for j, t in enumerate(servers) if t["cluster"] == s["cluster"]]
            routes = ", ".join(f"nats://s{j}:6222" for j in peers)
            lines.append(f"cluster {{ name: {s['cluster']}, port: 6222, routes: [{routes}] }}")
        remotes = [f'{{ url: "nats-leaf://s{j % len(servers)}:7422"' + (f", account: {a}" if a else "") + " }"
                   for j, a in s["remotes"] if j % len(servers) != i]
        lines.append("leafnodes { port: 7422" + (f", remotes: [ {', '.join(remotes)} ]" if remotes else "") + " }")
        (root / f"s{i}.conf").write_text("\n".join(lines) + "\n")


def test_the_random_topologies_have_links_and_jetstreams(tmp_path, monkeypatch):
    write_topology(tmp_path, [
        {"js": True, "domain": "a", "cluster": "x", "accounts": True, "remotes": []},
        {"js": True, "domain": "a", "cluster": "x", "accounts": True, "remotes": []},
        {"js": True, "domain": "b", "cluster": None, "accounts": False, "remotes": [(0, None), (1, None)]},
        {"js": False, "domain": None, "cluster": None, "accounts": True, "remotes": [(2, "SYS")]},
    ])
    result = check_paths(["."], Settings(env={}, env_visible=True), root=str(tmp_path))
    assert [f.code for f in result.findings if f.code < "NL200" and f.severity == Severity.ERROR] == []
    reach = Reach(result.fleet)
    assert sum(map(len, reach.server_edges.values())) == 6 and len(reach.js_by_root) == 2
    assert agree(result.fleet) > 0


@settings(max_examples=int(os.environ.get("NATSLINT_FUZZ_EXAMPLES", "150")), deadline=None)
@given(st.lists(SERVER, min_size=1, max_size=8))
def test_random_topologies(tmp_path_factory, servers):
    root = tmp_path_factory.mktemp("topology")
    write_topology(root, servers)
    for fleet in fleets_of(root):
        agree(fleet)
