"""What the tree cannot show stays unknown, and what it shows is read as it is deployed:
kustomize patches applied to their targets, alternative manifests kept apart, includes that
git ignores, a parent folder giving the sum of its fleets."""

from __future__ import annotations

import json
from pathlib import Path

from shared import write_tree as write
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run(folder: Path, monkeypatch, *args: str) -> tuple[list[tuple[str, str, int]], dict]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["check", "--format", "json", "--isolated", *args, *([] if args else ["."])])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    return sorted((f["code"], f["path"], f["line"]) for f in out["findings"]), out


def test_a_strategic_merge_patch_changes_its_target_and_is_no_workload(monkeypatch):
    base, _ = run(FIXTURES / "k8s-kustomize-patch" / "base", monkeypatch)
    assert base == [("NL301", "host.yaml", 25)]  # the base alone: the host's domain `wrong`
    got, out = run(FIXTURES / "k8s-kustomize-patch", monkeypatch)
    assert got == []  # the overlay's patch sets `core`, and the patch file is no second host
    assert out["summary"]["hosts"] == 1


def test_a_json6902_patch_and_a_patch_without_target(tmp_path, monkeypatch):
    write(tmp_path, {
        "base/kustomization.yaml": "resources: [host.yaml, nats.yaml]\n",
        "base/nats.yaml": (FIXTURES / "k8s-kustomize-patch" / "base" / "nats.yaml").read_text(),
        "base/host.yaml": (FIXTURES / "k8s-kustomize-patch" / "base" / "host.yaml").read_text(),
        "prod/kustomization.yaml": "resources: [../base]\n"
                                   "patches:\n  - target: {kind: Deployment, name: wasmcloud}\n"
                                   "    patch: |\n      - op: replace\n"
                                   "        path: /spec/template/spec/containers/0/env/2/value\n        value: core\n"
                                   "  - path: gone.yaml\n",
        "prod/gone.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: absent}\nspec: {}\n",
    })
    got, _ = run(tmp_path / "prod", monkeypatch)
    assert got == []
    monkeypatch.chdir(tmp_path / "prod")
    shown = CliRunner().invoke(app, ["check", "--isolated", "--show-files", "."]).stdout
    assert "skipped  gone.yaml  (a kustomize patch of kustomization.yaml whose target is not in the checked files)" \
        in shown


def test_alternative_manifests_are_separate_fleets(monkeypatch):
    got, out = run(FIXTURES / "k8s-alternatives", monkeypatch)
    assert got == []
    assert sorted((f["name"], f["servers"]) for f in out["summary"]["fleets"]) == [
        ("nats-cluster-monitored.yaml", 3), ("nats-cluster.yaml", 3)]


def test_an_include_git_ignores_is_unknown_and_one_it_does_not_is_an_error(tmp_path, monkeypatch):
    leaf = (FIXTURES / "leaf-generated-include" / "leaf.conf").read_text()
    hub = (FIXTURES / "leaf-generated-include" / "hub.conf").read_text()
    write(tmp_path, {"repo/.git/HEAD": "ref: refs/heads/main\n", "repo/.gitignore": "*.creds\n/generated/\n",
                     "repo/site/.gitignore": "!keep.conf\n", "repo/site/hub.conf": hub,
                     "repo/site/leaf.conf": leaf.replace("./.leaf/nsc.conf", "../generated/nsc.conf"),
                     "repo/other/leaf.conf": leaf.replace("./.leaf/nsc.conf", "./missing.conf"),
                     "repo/other/hub.conf": hub})
    got, out = run(tmp_path / "repo", monkeypatch)
    assert got == [("NL002", "other/leaf.conf", 5), ("NL002", "site/leaf.conf", 5)]
    severity = {f["path"]: f["severity"] for f in out["findings"]}
    assert severity == {"other/leaf.conf": "error", "site/leaf.conf": "info"}
    (ignored,) = [f for f in out["findings"] if f["path"] == "site/leaf.conf"]
    assert ignored["message"] == ("include ../generated/nsc.conf is not in the tree: ignored by `.gitignore:2` "
                                  "(`/generated/`), generated or secret")


COMPOSE_WADM = """\
services:
  nats:
    image: nats:2.10.22
    command: ["-js", "-sd", "/data"]
  wadm:
    image: ghcr.io/wasmcloud/wadm:{tag}
    environment:
      - WADM_NATS_HOST=nats
"""


def test_wadm_reads_the_environment_of_its_version(tmp_path, monkeypatch):
    write(tmp_path, {"old/docker-compose.yml": COMPOSE_WADM.format(tag="0.3.0"),
                     "new/docker-compose.yml": COMPOSE_WADM.format(tag="v0.21.0")})
    old, _ = run(tmp_path / "old", monkeypatch)
    assert old == []  # wadm 0.3 reads WADM_NATS_HOST: it reaches `nats`
    new, out = run(tmp_path / "new", monkeypatch)
    assert new == [("NL406", "docker-compose.yml", 5)]  # wadm 0.4+ ignores it and dials 127.0.0.1
    assert "127.0.0.1:4222" in out["findings"][0]["message"]


def test_a_required_compose_variable_is_set_with_an_unknown_value(monkeypatch):
    got, out = run(FIXTURES / "compose-required-variables", monkeypatch)
    assert got == [("NL007", "hub.conf", 5), ("NL007", "leaf.conf", 4), ("NL406", "leaf.conf", 4)]
    (nl406,) = [f for f in out["findings"] if f["code"] == "NL406"]
    assert "the host is the literal text `$SYNC_HUB_HOST`: nats-server never interpolates variables inside strings" \
        in nl406["notes"]


def test_jetstream_from_a_bare_flag_without_a_store_directory(tmp_path, monkeypatch):
    write(tmp_path, {"docker-compose.yml": "services:\n  nats:\n    image: nats:2.10.22\n    command: [\"-js\"]\n"
                                           "  stored:\n    image: nats:2.10.22\n"
                                           "    command: [\"-js\", \"-sd\", \"/data\"]\n"})
    got, _ = run(tmp_path, monkeypatch)
    assert got == [("NL107", "docker-compose.yml", 4)]


def test_nl408_once_per_route_address_naming_every_server(tmp_path, monkeypatch):
    write(tmp_path, {
        "docker-compose.yml": "services:\n  nats:\n    image: nats:2.10.22\n    command: [\"-c\", \"/etc/nats/c.conf\"]\n"
                              "    volumes: [\"./c.conf:/etc/nats/c.conf\"]\n    deploy:\n      replicas: 3\n",
        "c.conf": "cluster {\n  name: c\n  port: 6222\n  routes: [\n    nats://seed-1:6222\n    nats://seed-2:6222\n"
                  "  ]\n}\n",
    })
    got, out = run(tmp_path, monkeypatch)
    assert got == [("NL408", "c.conf", 5), ("NL408", "c.conf", 6)]
    assert [f["message"] for f in out["findings"]] == [
        "route nats://seed-1:6222 reaches no server in the checked tree",
        "route nats://seed-2:6222 reaches no server in the checked tree"]
    assert "it is a route of 3 servers: " in out["findings"][0]["notes"][1]


def test_a_kustomization_at_the_top_of_the_checked_folder_applies_its_patches(tmp_path, monkeypatch):
    base = FIXTURES / "k8s-kustomize-patch"
    write(tmp_path, {"kustomization.yaml": "resources: [nats.yaml, host.yaml]\n"
                                           "patchesStrategicMerge: [host-domain.yaml]\n",
                     "nats.yaml": (base / "base" / "nats.yaml").read_text(),
                     "host.yaml": (base / "base" / "host.yaml").read_text(),
                     "host-domain.yaml": (base / "local" / "host-domain.yaml").read_text()})
    got, out = run(tmp_path, monkeypatch)
    assert got == [] and out["summary"]["hosts"] == 1
