"""Every verdict proven on real nats-server processes (127.0.0.1 only, stopped by PID).

`natslint prove` starts each fixture fleet, probes `$JS.API` and `$JS.<d>.API` from every host
and server, and compares the JetStreams that answer with the model's prediction.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from natslint.check import Settings, check_paths
from natslint.prove.run import prove

pytestmark = pytest.mark.live
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FLEETS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.txt").exists())


@pytest.fixture(autouse=True)
def _binary(nats_server):
    return nats_server


def run(path: Path, monkeypatch):
    """Check and prove as `natslint prove .` does in ``path`` (its natslint.toml in force)."""
    from natslint.workspace import settings_for

    monkeypatch.chdir(path)
    settings, resolver = settings_for(["."])

    def visible(folder: str):
        own = resolver(folder)
        own.env_visible = True
        return own

    result = check_paths(["."], settings, root=str(path), settings_for=visible, declared=resolver.declared_fleet,
                         machines=resolver.declared_machine, machine_aliases=resolver.machine_aliases,
                         releases=resolver.declared_release)
    proofs = [prove(result, timeout=60, fleet=fc) for fc in result.fleets]  # one fleet at a time
    proof = proofs[0]
    for other in proofs[1:]:
        proof.pids += other.pids
        proof.probes += other.probes
        proof.skipped += other.skipped
        proof.incomplete += other.incomplete
    for pid in proof.pids:  # nothing is left behind
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    return result, proof


@pytest.mark.parametrize("fleet", FLEETS)
def test_fixture_fleet_predictions_hold_live(fleet, monkeypatch):
    _, proof = run(FIXTURES / fleet, monkeypatch)
    if fleet == "syntax-error-first-line":  # nothing to start: the one config does not parse (NL001)
        assert proof.pids == [] and proof.incomplete == [
            "server nats.conf was not started: its config is unknown (NL001: it does not parse)"]
        return
    assert proof.pids, proof.skipped
    bad = [(p.who, p.account, p.domain, p.predicted.kind, [j.label for j in p.predicted.jetstreams], p.observed)
           for p in proof.probes if p.ok is False]
    assert bad == []
    # a probe that was not run says why (no password login for that account)
    assert all(p.ok or p.note for p in proof.probes)
    # every fleet is proven whole, but for what it cannot hold as written
    gaps = proof.incomplete
    if fleet in INCOMPLETE:
        assert gaps and all(INCOMPLETE[fleet] in g for g in gaps), gaps
    else:
        assert gaps == [], gaps


# The fixtures whose proof cannot be whole, and why (each gap names it).
INCOMPLETE = {
    "k8s-configmap-absent": "server",  # a config that is not in the tree; the leaf's hub is one of those
    "leaf-extends-domain": "credentials files that are not present",
    "localhost-two-hubs": "was left out",  # 127.0.0.1:7422 names two hubs (NL406): never guessed
    "systemd-quoted": "was left out",  # a remote to hub.example.com, outside the fleet
    "helm-argocd-two-clusters": "was left out",  # a Service of another Kubernetes cluster: unreachable
    "leaf-generated-include": "its config is unknown",  # it includes a file generated at deploy time
    "compose-required-variables": "was left out",  # the leaf dials the literal host `$SYNC_HUB_HOST`
    # bcrypt passwords: prove has no login for EDGE_1 (the live wiring tests log in with plain ones)
    "leaf-unusable-account": "no login for account EDGE_1",
    "leaf-unusable-account-ok": "no login for account EDGE_1",
}


def write(tmp: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        (tmp / name).write_text(body, encoding="utf-8")
    return tmp


def probe(proof, who: str, domain: str | None):
    return next(p for p in proof.probes if p.who == who and p.domain == domain)


def test_leaf_reusing_the_hub_domain_answers_its_own_clients(monkeypatch):
    result, proof = run(FIXTURES / "compose-leaf-reuses-domain", monkeypatch)
    p = probe(proof, "host `host-b`", "hub")
    assert p.ok and (p.observed.kind, p.observed.replies) == ("jetstream", 1)
    assert [j.servers[0].server_name.value for j in p.predicted.jetstreams] == ["leaf-b"]


def test_two_jetstreams_with_one_domain_give_two_replies(monkeypatch):
    _, proof = run(FIXTURES / "spokes-same-domain", monkeypatch)
    p = probe(proof, "server `relay`", "edge")
    assert p.ok and (p.observed.kind, p.observed.replies) == ("several", 2)


def test_odd_domain_node_leaves_its_leaf_clients_without_responders(tmp_path, monkeypatch):
    node = ("server_name: n{i}\njetstream {{ domain: {d}, store_dir: /tmp/x }}\n"
            "cluster {{ name: core, port: 6222, routes: [ nats://n1:6222, nats://n2:6222, nats://n3:6222 ] }}\n"
            "leafnodes {{ port: 7422 }}\n")
    write(tmp_path, {f"n{i}.conf": node.format(i=i, d="core" if i < 3 else "odd") for i in (1, 2, 3)})
    write(tmp_path, {"edge.conf": "server_name: edge\nleafnodes { remotes: [ { url: \"nats-leaf://n3:7422\" } ] }\n"})
    _, proof = run(tmp_path, monkeypatch)
    p = probe(proof, "server `edge`", "core")
    assert p.ok and p.observed.kind == "no_responders" and p.predicted.jetstreams == []
    assert probe(proof, "server `edge`", "odd").observed.kind == "jetstream"


def test_remote_at_the_client_port_never_connects(monkeypatch):
    _, proof = run(FIXTURES / "leaf-wiring", monkeypatch)
    logs = "\n".join(proof.logs.values())
    assert "attempted to connect to wrong port" in logs


def test_jetstream_cluster_without_a_name_does_not_start(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "server_name: n\njetstream { domain: d, store_dir: /tmp/x }\n"
                               "cluster { port: 6222, routes: [ nats://n:6222 ] }\n"})
    _, proof = run(tmp_path, monkeypatch)
    assert any("exited at startup" in s and "cluster.name" in s for s in proof.skipped), proof.skipped


def _doc_fleets():
    from natslint import ruledocs
    from natslint.resources import rule_docs

    out = []
    for code, path in rule_docs().items():
        if code[2] in "234":  # the fleet rules: their mistakes show at runtime
            doc = ruledocs.load(path)
            out += [(code, "bad", doc.bad), (code, "good", doc.good)]
    return out


@pytest.mark.parametrize("code,which,files", _doc_fleets(), ids=lambda x: x if isinstance(x, str) else "")
def test_rule_doc_fleets_hold_live(code, which, files, tmp_path, monkeypatch):
    from natslint import ruledocs

    ruledocs.write_fleet(files, tmp_path)
    _, proof = run(tmp_path, monkeypatch)
    bad = [(p.who, p.domain, p.predicted.kind, [j.label for j in p.predicted.jetstreams], p.observed)
           for p in proof.probes if p.ok is False]
    assert bad == []


STARTUP_ERRORS = {
    "NL103": "invalid domain name",
    "NL104": "jetstream cluster requires `cluster.name` to be set",
    "NL105": "expected 'no_extend' for string value",
    "NL106": "Not allowed to enable JetStream on the system account",
    "NL112": "error parsing operator JWT",
}


@pytest.mark.parametrize("code", sorted(STARTUP_ERRORS))
def test_startup_rule_fleets_stop_the_real_server(code, tmp_path, monkeypatch):
    from natslint import ruledocs
    from natslint.resources import rule_docs

    doc = ruledocs.load(rule_docs()[code])
    ruledocs.write_fleet(doc.bad, tmp_path / "bad")
    ruledocs.write_fleet(doc.good, tmp_path / "good")
    _, proof = run(tmp_path / "bad", monkeypatch)
    exits = [s for s in proof.skipped if "exited at startup" in s]
    assert exits and STARTUP_ERRORS[code] in exits[0], proof.skipped
    _, proof = run(tmp_path / "good", monkeypatch)
    assert not [s for s in proof.skipped if "exited at startup" in s], proof.skipped
    assert proof.pids


def test_prove_uses_the_checks_reachability(nats_server, reach_builds):
    """One Reach per run: prove reads the Result's, it never builds its own."""
    root = Path(__file__).resolve().parents[1] / "fixtures" / "compose-leaf-reuses-domain"
    result = check_paths(["."], Settings(env_visible=True), root=str(root))
    proof = prove(result, timeout=60)
    assert len(reach_builds) == 1
    assert proof.pids and all(p.ok for p in proof.probes)
