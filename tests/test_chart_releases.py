"""Releases of the NATS chart as Kubernetes runs them: declared by helmfiles, Argo CD and Flux,
rendered pod by pod, each value located where it was written; what natslint cannot see stays
unknown."""

from __future__ import annotations

import json
from pathlib import Path

from shared import write_tree as write
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run(folder: Path, *args: str, monkeypatch) -> tuple[list[tuple[str, str, int]], dict]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["check", "--format", "json", "--isolated", ".", *args])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    return sorted((f["code"], f["path"], f["line"]) for f in out["findings"]), out


def test_the_platform_and_its_edge_release_are_one_fleet_of_pods(monkeypatch):
    got, out = run(FIXTURES / "helm-platform-edge", monkeypatch=monkeypatch)
    assert ("NL202", "edge/values.yaml", 6) in got
    (fleet,) = out["summary"]["fleets"]
    assert fleet["servers"] == 3 + 2 + 3  # the hub's pods, the host sidecars, the edge's pods
    (nl202,) = [f for f in out["findings"] if f["code"] == "NL202"]
    assert "edge-nats-0" in nl202["message"]
    assert [r["path"] for r in nl202["related"][:2]] == ["platform/values.yaml", "edge/values.yaml"]


def test_a_parent_folder_of_helmfiles_gives_the_sum_of_each(monkeypatch):
    parent = FIXTURES / "helm-sibling-helmfiles"
    whole, _ = run(parent, monkeypatch=monkeypatch)
    alone = []
    for child in ("prod", "staging"):
        got, _ = run(parent / child, monkeypatch=monkeypatch)
        alone += [(code, f"{child}/{path}", line) for code, path, line in got]
    assert whole == sorted(alone) and whole


def test_helmfile_set_and_inline_values_are_read_in_order(tmp_path, monkeypatch):
    write(tmp_path, {
        "helmfile.yaml": "releases:\n"
                         "  - name: hub\n    chart: nats/nats\n    values:\n      - hub.yaml\n"
                         "  - name: edge\n    chart: nats/nats\n    values:\n"
                         "      - config:\n          jetstream:\n            enabled: true\n"
                         "            merge:\n              domain: edge\n"
                         "          leafnodes:\n            enabled: true\n            merge:\n"
                         "              remotes: [{url: 'nats://hub-nats:7422'}]\n"
                         "    set:\n      - name: config.jetstream.merge.domain\n        value: core\n",
        "hub.yaml": "config:\n  leafnodes:\n    enabled: true\n  jetstream:\n    enabled: true\n"
                    "    merge:\n      domain: core\n",
    })
    # `set:` comes after `values:`: the edge's domain is `core`, located at the `set:` value
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert got == [("NL202", "helmfile.yaml", 20)]
    assert len(out["summary"]["fleets"]) == 1


def test_a_values_file_that_is_not_in_the_tree_leaves_the_release_unknown(tmp_path, monkeypatch):
    write(tmp_path, {
        "helmfile.yaml": "releases:\n  - name: hub\n    chart: nats/nats\n    values:\n"
                         "      - secrets/hub.yaml\n      - hub.yaml\n",
        "hub.yaml": "config:\n  cluster:\n    enabled: true\n    replicas: 2\n  jetstream:\n    enabled: true\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    # no NL109 from the values natslint can see: the missing file may set anything
    assert got == [("NL406", "helmfile.yaml", 5)]
    assert "values file secrets/hub.yaml is not in the checked files" in out["findings"][0]["message"] + \
        " ".join(out["findings"][0]["notes"])
    assert out["summary"]["coverage"]["servers_unknown_config"] == 1


def test_flux_values_from_a_config_map_of_the_tree(tmp_path, monkeypatch):
    write(tmp_path, {
        "release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: nats\n"
                        "  namespace: nats\nspec:\n  chart:\n    spec:\n      chart: nats\n"
                        "  valuesFrom:\n    - kind: ConfigMap\n      name: nats-values\n"
                        "  values:\n    config:\n      jetstream:\n        enabled: true\n",
        "values.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nats-values\n  namespace: nats\n"
                       "data:\n  values.yaml: |\n    config:\n      cluster:\n        enabled: true\n"
                       "        replicas: 2\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert [c for c, _, _ in got] == ["NL109"]
    assert out["summary"]["fleets"][0]["servers"] == 2


def test_flux_values_from_a_secret_are_unknown(tmp_path, monkeypatch):
    write(tmp_path, {
        "release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: nats\n"
                        "spec:\n  chart:\n    spec:\n      chart: nats\n"
                        "  valuesFrom:\n    - kind: Secret\n      name: nats-values\n"
                        "  values:\n    config:\n      cluster:\n        enabled: true\n        replicas: 2\n"
                        "      jetstream:\n        enabled: true\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert [c for c, _, _ in got] == ["NL406"]
    assert out["summary"]["coverage"]["servers_unknown_config"] == 1


def test_a_patch_helm_refuses_leaves_the_release_unknown(tmp_path, monkeypatch):
    write(tmp_path, {
        "natslint.toml": "[[releases]]\nname = \"hub\"\ninclude = [\"values.yaml\"]\n",
        "values.yaml": "config:\n  jetstream:\n    enabled: true\n    patch:\n"
                       "      - op: replace\n        path: /domain\n        value: hub\n",
    })
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--format", "json", "."])
    out = json.loads(result.stdout)
    assert [f["code"] for f in out["findings"]] == ["NL406"]
    assert "helm cannot render the release: path /domain does not exist" in out["findings"][0]["message"] + \
        " ".join(out["findings"][0]["notes"])


def test_show_files_says_where_each_rendered_value_came_from(monkeypatch):
    monkeypatch.chdir(FIXTURES / "helm-platform-edge")
    result = CliRunner().invoke(app, ["check", "--show-files", "."])
    lines = result.stdout.splitlines()
    assert "rendered server `edge-nats-0`: domain = default  (edge/values.yaml:6)" in lines
    assert "rendered server `edge-nats-0`: client port = 4222  (the chart's default)" in lines
    assert ("rendered server `edge-nats-0`: leaf remote = "
            "nats://wasmcloud-platform-nats.wasmcloud.svc.cluster.local:7422  (edge/values.yaml:12)") in lines


def test_a_release_without_a_name_is_never_matched_by_a_guess(tmp_path, monkeypatch):
    write(tmp_path, {
        "values.yaml": "config:\n  cluster:\n    enabled: true\n  jetstream:\n    enabled: true\n"
                       "    merge:\n      domain: hub\n",
        "wadm.yaml": "wadm:\n  config:\n    nats:\n      server: nats-headless:4222\n      jetstreamDomain: hub\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert got == [("NL406", "wadm.yaml", 4)]
    assert out["summary"]["fleets"][0]["servers"] == 3  # the pods still form their cluster under helm's placeholder
    assert "the NATS chart release of values.yaml would be, if its release were named `nats`" in \
        " ".join(out["findings"][0]["notes"])


def test_argo_values_files_from_another_source_by_ref(tmp_path, monkeypatch):
    write(tmp_path, {
        "apps/nats.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: nats\n"
                          "spec:\n  sources:\n    - repoURL: https://nats-io.github.io/k8s/helm/charts/\n"
                          "      chart: nats\n      helm:\n        valueFiles:\n"
                          "          - $values/env/prod/nats.yaml\n"
                          "    - repoURL: https://example.invalid/config.git\n      ref: values\n"
                          "  destination:\n    namespace: nats\n",
        "env/prod/nats.yaml": "config:\n  cluster:\n    enabled: true\n    replicas: 4\n"
                              "  jetstream:\n    enabled: true\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert got == [("NL109", "env/prod/nats.yaml", 4)]
    assert out["summary"]["fleets"][0]["servers"] == 4


def test_a_chart_version_natslint_does_not_know_is_not_rendered(tmp_path, monkeypatch):
    write(tmp_path, {
        "helmfile.yaml": "releases:\n  - name: hub\n    chart: nats/nats\n    version: 3.0.1\n"
                         "    values:\n      - hub.yaml\n",
        "hub.yaml": "config:\n  cluster:\n    enabled: true\n    replicas: 2\n  jetstream:\n    enabled: true\n",
    })
    got, out = run(tmp_path, monkeypatch=monkeypatch)
    assert got == [("NL406", "helmfile.yaml", 2)]
    text = out["findings"][0]["message"] + " ".join(out["findings"][0]["notes"])
    assert "chart version 3.0.1, whose templates natslint does not know" in text


def test_a_tplyaml_value_leaves_the_config_unknown(tmp_path, monkeypatch):
    write(tmp_path, {
        "natslint.toml": "[[releases]]\nname = \"hub\"\ninclude = [\"values.yaml\"]\n",
        "values.yaml": "config:\n  jetstream:\n    enabled: true\n    merge:\n"
                       "      domain:\n        $tplYaml: \"{{ .Values.site }}\"\n",
    })
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--format", "json", "."]).stdout)
    assert [(f["code"], f["line"]) for f in out["findings"]] == [("NL406", 5)]
    assert "`config.jetstream.merge.domain` is a `$tplYaml` template" in out["findings"][0]["message"] + \
        " ".join(out["findings"][0]["notes"])


def test_the_graph_shows_each_release_with_its_pods_and_services(monkeypatch):
    from natslint.cli import graph as _graph  # noqa: F401  (registers the command)

    monkeypatch.chdir(FIXTURES / "helm-platform-edge")
    lines = CliRunner().invoke(app, ["graph", "--format", "text", "."]).stdout.splitlines()
    at = lines.index("cluster edge-nats")
    assert lines[at + 1: at + 5] == ["  release edge (nats chart), Services: edge-nats, edge-nats-headless",
                                     "  ├─ edge-nats-0 (domain default) ⚠", "  ├─ edge-nats-1 (domain default) ⚠",
                                     "  └─ edge-nats-2 (domain default) ⚠"]
    assert "  ↳ leaf link from edge-nats-0 [$G] to wasmcloud-platform-nats-0" in lines
