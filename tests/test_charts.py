"""Helm values: the NATS chart (1.x and 0.x, alone or under an umbrella chart), wadm's and
the wasmcloud-host chart, and the release names their Services follow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from natslint.check import Settings, check_paths
from natslint.deploy.charts import fullname

ROOT = Path(__file__).resolve().parent.parent


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")


def check(tmp: Path, **kw):
    result = check_paths(["."], Settings(), root=str(tmp), **kw)
    return [(f.code, f.span.path, f.span.line) for f in result.findings], result


@pytest.mark.parametrize("values, release, want", [
    ({}, "nats", "nats"), ({}, "prod", "prod-nats"), ({}, "my-nats-hub", "my-nats-hub"),
    ({"nameOverride": "bus"}, "prod", "prod-bus"), ({"fullnameOverride": "hub"}, None, "hub"), ({}, None, None),
])
def test_release_names_follow_the_chart_helper(values, release, want):
    assert fullname(values, "nats", release) == want


def test_the_fixed_umbrella_chart_has_no_error_or_warning(tmp_path):
    shutil.copytree(ROOT / "fixtures" / "helm-umbrella-chart", tmp_path / "u")
    values = tmp_path / "u" / "values.yaml"
    values.write_text(values.read_text().replace("leafNodeDomain: default", "leafNodeDomain: leaf"))
    got, result = check(tmp_path / "u")
    # the chart gives every replica's sidecar the domain `leaf`: two JetStreams answer
    # `$JS.leaf.API` from the hub's side, which no host uses (info, as for the operator)
    assert got == [("NL201", "values.yaml", 30)]
    assert str(result.findings[0].severity) == "info"
    cov = result.coverage
    assert (cov["leaf_links"]["resolved"], cov["wadm"]["resolved"], cov["hosts"]["resolved"]) == (2, 1, 2)


@pytest.mark.parametrize("config", [
    "  jetstream: {enabled: true, merge: {domain: hub}}\n",
    "  jetstream: {enabled: true}\n  merge: {jetstream: {domain: hub}}\n",
    "  jetstream: {enabled: true}\n  patch: [{op: add, path: /jetstream/domain, value: hub}]\n",
])
def test_every_way_the_1x_chart_sets_the_domain(tmp_path, config):
    write(tmp_path, {"values.yaml": "fullnameOverride: nats\nconfig:\n  leafnodes: {enabled: true}\n" + config,
                     "edge.conf": "jetstream { domain: hub, store_dir: /data }\n"
                                  "leafnodes { remotes: [ { url: \"nats://nats:7422\" } ] }\n"})
    got, _ = check(tmp_path)
    assert got == [("NL202", "edge.conf", 1)]


def test_an_unknown_release_name_is_said_and_never_guessed(tmp_path):
    write(tmp_path, {"nats-values.yaml": "config:\n  leafnodes: {enabled: true}\n"
                                         "  jetstream: {enabled: true, merge: {domain: hub}}\n",
                     "wadm-values.yaml": "wadm:\n  config:\n    nats:\n      server: nats-headless:4222\n"
                                         "      jetstreamDomain: hub\n"})
    got, result = check(tmp_path)
    assert got == [("NL406", "wadm-values.yaml", 4)]
    assert "the NATS chart release of nats-values.yaml would be, if its release were named `nats`" in \
        result.findings[0].full_text
    (wadm,) = result.fleet.hosts
    assert wadm.server is None


@pytest.mark.parametrize("declare", [
    {"natslint.toml": "[[releases]]\nname = \"nats\"\ninclude = [\"deploy/nats-values.yaml\"]\n"},
    {"helmfile.yaml": "releases:\n  - name: nats\n    chart: nats/nats\n    values: [deploy/nats-values.yaml]\n"},
    {"argo.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: nats}\nspec:\n"
                  "  source:\n    repoURL: https://example.com/repo.git\n    path: deploy\n"
                  "    helm: {valueFiles: [nats-values.yaml]}\n  destination: {namespace: lattice}\n"},
])
def test_a_declared_release_names_the_services(tmp_path, declare):
    write(tmp_path, {**declare,
                     "deploy/nats-values.yaml": "config:\n  leafnodes: {enabled: true}\n"
                                                "  jetstream: {enabled: true, merge: {domain: hub}}\n",
                     "deploy/wadm-values.yaml": "wadm:\n  config:\n    nats:\n"
                                                "      server: nats-headless.lattice.svc.cluster.local:4222\n"
                                                "      jetstreamDomain: hubb\n"})
    releases = (lambda p: "nats" if p == "deploy/nats-values.yaml" else None) if "natslint.toml" in declare else None
    got, result = check(tmp_path, releases=releases)
    assert got == [("NL301", "deploy/wadm-values.yaml", 5)]  # `hubb`: the release answers `hub`
    (server,) = result.fleet.servers
    assert {"nats", "nats-headless"} <= server.names


def test_wadm_chart_values_set_only_what_is_not_empty(tmp_path):
    write(tmp_path, {"values.yaml": "wadm:\n  replicas: 2\n  config:\n    nats:\n      server: \"\"\n"
                                   "      jetstreamDomain: \"\"\n"})
    _, result = check(tmp_path)
    (wadm,) = result.fleet.hosts
    # nothing set: wadm's own defaults (127.0.0.1:4222, no domain), as the chart leaves them
    assert (wadm.kind, wadm.domain.value, wadm.endpoint_host.value) == ("wadm", None, "127.0.0.1")


def test_a_disabled_sub_chart_installs_nothing(tmp_path):
    write(tmp_path, {"values.yaml": "nats:\n  enabled: false\n  config:\n    jetstream: {enabled: true}\n"
                                   "hosts:\n  config: {jetstreamDomain: default}\n"})
    _, result = check(tmp_path)
    assert result.fleet.servers and all(s.instance_of.endswith("wasmcloud-host") for s in result.fleet.servers)


def test_releases_in_natslint_toml_reach_the_cli(tmp_path):
    import json
    import subprocess
    import sys

    write(tmp_path, {"natslint.toml": "[[releases]]\nname = \"bus\"\ninclude = [\"nats-values.yaml\"]\n",
                     "nats-values.yaml": "config:\n  jetstream: {enabled: true, merge: {domain: hub}}\n",
                     "wadm-values.yaml": "wadm:\n  config:\n    nats:\n      server: bus-nats:4222\n"
                                         "      jetstreamDomain: hub\n"})
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    out = json.loads(proc.stdout)
    assert (proc.returncode, out["findings"], out["summary"]["coverage"]["wadm"]["resolved"]) == (0, [], 1)


def test_an_aliased_nats_sub_chart_is_named_by_its_alias(tmp_path):
    write(tmp_path, {"Chart.yaml": "apiVersion: v2\nname: lattice\nversion: 0.1.0\ndependencies:\n"
                                   "  - {name: nats, alias: hub, version: 1.2.x}\n",
                     "natslint.toml": "[[releases]]\nname = \"prod\"\ninclude = [\"values.yaml\"]\n",
                     "values.yaml": "hub:\n  config:\n    jetstream: {enabled: true, merge: {domain: hub}}\n"})
    _, result = check(tmp_path, releases=lambda p: "prod" if p == "values.yaml" else None)
    (server,) = result.fleet.servers
    # the Services, and the pod's own name through the headless Service
    assert {"prod-hub", "prod-hub-headless", "prod-hub-0.prod-hub-headless"} <= server.names
