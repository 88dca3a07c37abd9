"""`natslint model --format json`: the fleet model as a documented, versioned interface."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from natslint.cli import model as _model  # noqa: F401  (registers the command)
from natslint.cli.app import app
from natslint.report.model_json import SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def _model_of(monkeypatch, *paths: str) -> dict:
    monkeypatch.chdir(ROOT)
    got = CliRunner().invoke(app, ["model", "--format", "json", *paths])
    assert got.exit_code == 0, got.output
    doc = json.loads(got.output)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return doc


@pytest.mark.parametrize("fixture", ["prod-lattice", "compose-leaf-reuses-domain", "k8s-manifest-lattice",
                                     "helm-platform-edge", "k8s-operator", "systemd-edge", "leaf-sites"])
def test_every_fixture_model_validates(monkeypatch, fixture):
    doc = _model_of(monkeypatch, f"fixtures/{fixture}")
    assert doc["schema"] == "natslint-model/1" and doc["fleets"]


def test_the_production_lattice_as_modelled(monkeypatch):
    [fleet] = _model_of(monkeypatch, "fixtures/prod-lattice")["fleets"]
    servers = {s["server_name"]: s for s in fleet["servers"]}
    assert sorted(servers) == ["core-1", "core-2", "core-3", "edge-a", "edge-b"]
    assert [c["servers"] for c in fleet["clusters"]] == [[servers[f"core-{i}"]["id"] for i in (1, 2, 3)]]
    js = {j["id"]: j for j in fleet["jetstreams"]}
    hub_js = servers["core-1"]["jetstream"]["id"]
    assert js[hub_js]["domains"] == ["core"] and len(js[hub_js]["servers"]) == 3
    assert js[servers["edge-a"]["jetstream"]["id"]]["domains"] == ["edge"]
    [remote] = servers["edge-b"]["leaf_remotes"]
    assert remote["hub"] in {servers[f"core-{i}"]["id"] for i in (1, 2, 3)} and remote["comes_up"]
    hosts = {h["id"].rsplit("#", 1)[-1]: h for h in fleet["hosts"]}
    assert {name: (h["kind"], h["domain"], h["reaches"]) for name, h in hosts.items()} == {
        "host-a": ("host", "core", [hub_js]), "host-b": ("host", "core", [hub_js]), "wadm": ("wadm", "core", [hub_js])}
    # the hub's lattice account asks the edge's domain: the edge denies its API to the hub
    asked = {(r["server"], r["account"], r["domain"]): r for r in fleet["reachability"]}
    edge = asked[(servers["core-1"]["id"], "LATTICE", "edge")]
    assert (edge["reply"], edge["jetstreams"]) == ("no_responders", [])
    core = asked[(servers["edge-b"]["id"], "$G", "core")]
    assert (core["reply"], core["jetstreams"]) == ("jetstream", [hub_js])


def test_each_server_carries_its_scalar_options_and_no_secret(monkeypatch):
    [fleet] = _model_of(monkeypatch, "fixtures/prod-lattice")["fleets"]
    core = next(s for s in fleet["servers"] if s["server_name"] == "core-1")
    assert {k: core["options"][k] for k in ("server_name", "jetstream.max_file_store", "cluster.name", "http_port")} \
        == {"server_name": "core-1", "jetstream.max_file_store": 10_000_000_000, "cluster.name": "core", "http_port": 8222}
    assert "accounts" not in core["options"]  # blocks and lists are not scalar options
    assert all(v == "(secret)" for k, v in core["options"].items() if "pass" in k)
