"""natslint on real wasmCloud deployment files (../shared/corpus/wild), finding by finding.

Every finding below was judged against what nats-server and the hosts would really do; the
closing note of the fleet-model issue explains each one.  A new finding here is either a true
mistake to add with its reason, or a false positive to fix.
"""

from __future__ import annotations

import pytest
from shared import shared_path

from natslint.check import Settings, check_paths

EXPECTED = [
    # the operator example's hosts use `default`; its hub (the NATS chart, another example) is
    # not in the same fleet, and the sidecar links outside the tree: info, not an error
    ("NL301", "wasmCloud__wasmcloud-operator/examples/full-config/wasmcloud-annotated.yaml", 6),
    # NGS is outside the snapshot: both leaves point at tls://connect.ngs.global (reported once)
    ("NL406", "wasmCloud__examples/ngs/core.cfg", 7),
    # the three leaf configs of wadm's e2e compose are not part of the snapshot
    ("NL406", "wasmCloud__wadm/tests/docker-compose-e2e_multitenant.yaml", 17),
    ("NL406", "wasmCloud__wadm/tests/docker-compose-e2e_multitenant.yaml", 26),
    ("NL406", "wasmCloud__wadm/tests/docker-compose-e2e_multitenant.yaml", 35),
    # the hub's Service `nats-headless` is not in the CI manifests of the snapshot
    ("NL406", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/nats/nats-leaf.conf", 11),
    ("NL406", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/wadm/wadm.yaml", 23),
    ("NL406", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/wasmcloud-host/host.yaml", 30),
    # its routes name the StatefulSet's pods, which are not in the snapshot (info, like NL406)
    ("NL408", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/nats/nats.conf", 7),
    ("NL408", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/nats/nats.conf", 8),
    ("NL408", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/nats/nats.conf", 9),
    # server_name comes from the pod's environment: unknown here, and that is no error
    ("NL004", "wasmCloud__wasmCloud/ci/manifests/wasmcloud/nats/nats.conf", 28),
    # the operator's hub is a Helm release whose Service name the values do not give
    ("NL406", "wasmCloud__wasmcloud-operator/examples/full-config/wasmcloud-annotated.yaml", 40),
    # hummusonrails: the edge's route has no port, and its cluster block no listener: no cluster
    ("NL104", "hummusonrails__wasmcloud-workshop/edge-node/nats-server.conf", 6),
    ("NL104", "hummusonrails__wasmcloud-workshop/edge-node/nats-server.conf", 6),
    # JetStream with no store_dir: the temporary directory (the NGS examples, wadm's e2e hub)
    ("NL107", "wasmCloud__examples/ngs/core.cfg", 1),
    ("NL107", "wasmCloud__examples/ngs/extender.cfg", 1),
    ("NL107", "wasmCloud__wadm/tests/docker-compose-e2e_multitenant.yaml", 8),
    # and from a bare `-js` on the command line, with no config at all: the same temporary directory
    ("NL107", "wasmCloud__examples/docker/docker-compose.yml", 16),
]


@pytest.fixture()
def wild(monkeypatch):
    path = shared_path("corpus", "wild")
    return path


def findings(paths, root, **settings):
    result = check_paths(paths, Settings(**settings), root=str(root))
    return [(f.code, f.span.path, f.span.line) for f in result.findings], result


def test_every_finding_on_the_wild_corpus(wild):
    got, _ = findings(["."], wild)
    assert sorted(got) == sorted(EXPECTED)


def test_no_cluster_domain_mismatch_where_no_cluster_forms(wild):
    """hummusonrails: the edge "routes" to the central node under another domain, but neither
    has a cluster listener and the route URL has no port: no cluster forms, so no NL203."""
    got, result = findings(["hummusonrails__wasmcloud-workshop"], wild)
    assert [g[0] for g in got] == ["NL104", "NL104"]  # the route problems, not a domain mismatch
    assert len(result.fleet.clusters) == 2


def test_ci_manifests_are_clean_once_the_service_is_declared(wild):
    base = "wasmCloud__wasmCloud/ci/manifests/wasmcloud"
    got, result = findings([base], wild, aliases={"nats-headless": f"{base}/nats/nats.conf"})
    assert got == [("NL408", f"{base}/nats/nats.conf", line) for line in (7, 8, 9)] + \
        [("NL004", f"{base}/nats/nats.conf", 28)]  # the pods' names are the routes' targets: not in the snapshot
    hosts = {h.kind: h.server.path for h in result.fleet.hosts}
    assert hosts == {"host": f"{base}/nats/nats.conf", "wadm": f"{base}/nats/nats.conf"}


def test_operator_example_reaches_the_chart_hub_through_an_alias(wild):
    base = "wasmCloud__wasmcloud-operator/examples"
    got, result = findings([base], wild, aliases={"nats.default.svc.cluster.local": f"{base}/quickstart/nats-values.yaml"})
    assert got == []
    (host,) = result.fleet.hosts
    assert host.domain.value == "default"


def test_operator_example_with_a_leaf_domain_clash_is_caught(wild, tmp_path, monkeypatch):
    base = shared_path("corpus", "wild", "wasmCloud__wasmcloud-operator", "examples")
    text = (base / "full-config" / "wasmcloud-annotated.yaml").read_text()
    (tmp_path / "host.yaml").write_text(text.replace('leafNodeDomain: "custom-leaf"', 'leafNodeDomain: "default"'))
    (tmp_path / "nats-values.yaml").write_text((base / "quickstart" / "nats-values.yaml").read_text())
    got, _ = findings(["."], tmp_path, aliases={"nats.default.svc.cluster.local": "nats-values.yaml"})
    assert [g[0] for g in got] == ["NL202"]  # the hosts' NL302 follows from it, folded in


def _findings_of(path) -> set[tuple]:
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "natslint", "check", str(path), "--format", "json", "--isolated"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["code"], f["path"], f["line"], f["message"], tuple(f["notes"])) for f in json.loads(proc.stdout)["findings"]}


def test_a_folder_of_repositories_gives_the_sum_of_each_repository():
    repos = shared_path("corpus", "wild-repos")
    whole = _findings_of(repos)
    alone = set().union(*(_findings_of(r) for r in sorted(repos.iterdir()) if r.is_dir()))
    assert whole == alone and len(whole) > 20
