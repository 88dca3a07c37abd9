"""`natslint prove` as a verdict for CI: exit 0 only for a complete proof that agrees with the
model, 1 for a disagreement, 3 for an incomplete proof; JSON that its schema describes; and
every reply class seen live."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[1]
LATTICE = ROOT / "fixtures" / "prod-lattice"


def schema_validator():
    import jsonschema

    from natslint.prove.output import SCHEMA

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def prove_json(where: Path, *args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "natslint", "prove", "-f", "json", "--timeout", "60", *args, "."],
                          capture_output=True, text=True, cwd=where, timeout=300)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    errors = sorted(schema_validator().iter_errors(out), key=str)
    assert not errors, errors[0]
    assert out["exit"]["code"] == proc.returncode
    return proc.returncode, out


def classes(fleet: dict) -> Counter:
    return Counter((p["who"].split(" [")[0], p["account"], p["domain"], p["predicted"]["class"], p["verdict"])
                   for p in fleet["probes"])


def write(tmp: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")
    return tmp


def test_the_production_lattice_is_clean_and_proven(tmp_path):
    check = subprocess.run([sys.executable, "-m", "natslint", "check", "--fail-on", "info", "."], cwd=LATTICE,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout
    for _ in range(2):  # the same verdict every time (with the run below: three in a row)
        code, out = prove_json(LATTICE)
        assert (code, out["fleets"][0]["mismatches"], out["fleets"][0]["incomplete"]) == (0, 0, [])
    code, out = prove_json(LATTICE)
    (fleet,) = out["fleets"]
    assert code == 0 and fleet["incomplete"] == [] and fleet["mismatches"] == 0
    assert sum(s["started"] for s in fleet["servers"]) == 5
    assert all(link["carried"] for link in fleet["links"]) and len(fleet["links"]) == 11  # 9 routes, 2 remotes
    got = Counter((p["predicted"]["class"], p["verdict"]) for p in fleet["probes"])
    # hub nodes: LATTICE and APP (through its service import) reach `core` by the plain API;
    # LATTICE asks `core` too; `edge` is denied to the hub (deny_imports), APP has no mapping
    # of `core`; edge-a answers its own `edge`; edge-b has no JetStream of its own
    assert got == Counter({("jetstream", "agrees"): 16, ("no_responders", "agrees"): 11})
    hub_app = [p for p in fleet["probes"] if p["account"] == "APP"]
    assert sorted((p["domain"] or "", p["observed"]["class"]) for p in hub_app) == \
        sorted([("", "jetstream"), ("core", "no_responders"), ("edge", "no_responders")] * 3)


def test_a_planted_domain_mistake_is_found_and_its_effect_proven(tmp_path):
    copy = tmp_path / "lattice"
    shutil.copytree(LATTICE, copy)
    conf = copy / "edge" / "edge-a.conf"
    conf.write_text(conf.read_text(encoding="utf-8").replace("domain: edge", "domain: core"), encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "."], cwd=copy,
                           capture_output=True, text=True, timeout=120)
    found = sorted((f["code"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"])
    # one finding: host-a's NL302 and the lattice split NL304 are folded into it
    assert found == [("NL202", "edge/edge-a.conf", 6)]
    related = json.loads(check.stdout)["findings"][0]["related"]
    assert [r["message"][:5] for r in related if " follows from it: " in r["message"]] == ["NL302", "NL304"]
    code, out = prove_json(copy)
    (fleet,) = out["fleets"]
    assert code == 0, fleet["incomplete"]
    host_a = next(p for p in fleet["probes"] if p["who"] == "host `host-a`")
    # the host asks for `core` and the leaf's own JetStream answers: the mistake, live
    assert host_a["observed"] == {"class": "jetstream", "jetstream": "server `edge-a`", "replies": 1}


def test_error_reply_and_timeout_are_predicted_and_seen(tmp_path):
    hub = ("server_name: hub\njetstream {{ domain: hub, store_dir: /tmp/natslint-hub }}\n"
           "accounts {{\n  JS: {{ jetstream: enabled, users: [ {{ user: js, password: js }} ] }}\n"
           "  PLAIN: {{ users: [ {{ user: plain, password: plain }} ] }}\n"
           "  LEAF: {{ users: [ {{ user: l, password: l }} ] }}\n}}\n"
           "leafnodes {{ port: 7422, authorization {{ users: [ {{ user: leaf, password: leaf, account: {acc} }} ] }} }}\n")
    write(tmp_path, {"hub.conf": hub.format(acc="LEAF"),
                     "leaf.conf": "server_name: leaf\nleafnodes { remotes: [ { url: \"nats-leaf://leaf:leaf@hub:7422\" } ] }\n"})
    code, out = prove_json(tmp_path)
    (fleet,) = out["fleets"]
    assert code == 0, fleet
    seen = {(p["who"], p["account"], p["domain"]): p["observed"] for p in fleet["probes"]}
    # an account without JetStream on a JetStream server: error 10039, for the plain API and its domain
    assert seen[("server `hub`", "PLAIN", None)]["class"] == "error_reply"
    assert seen[("server `hub`", "PLAIN", None)]["err_code"] == 10039
    assert seen[("server `hub`", "PLAIN", "hub")]["class"] == "error_reply"
    # the same with a leaf link bound to that account: no reply at all, at the hub and over the link
    assert seen[("server `hub`", "LEAF", None)]["class"] == "timeout"
    assert seen[("server `leaf`", "$G", "hub")]["class"] == "timeout"
    assert seen[("server `leaf`", "$G", None)]["class"] == "no_responders"


def test_two_jetstreams_with_one_domain_are_several_replies():
    code, out = prove_json(ROOT / "fixtures" / "spokes-same-domain")
    (fleet,) = out["fleets"]
    relay = next(p for p in fleet["probes"] if p["who"] == "server `relay`" and p["domain"] == "edge")
    assert code == 0 and relay["observed"]["class"] == "several" and relay["observed"]["count"] == 2


@pytest.mark.parametrize("case, files, reason", [
    ("missing credentials",
     {"hub.conf": "server_name: hub\nleafnodes { port: 7422 }\n",
      "leaf.conf": "server_name: leaf\nleafnodes { remotes: [ { url: \"nats-leaf://hub:7422\", "
                   "credentials: \"./leaf.creds\" } ] }\n"},
     "server `leaf` was not started: it names TLS or credentials files that are not present"),
    ("external link",
     {"leaf.conf": "server_name: leaf\nleafnodes { remotes: [ { url: \"tls://connect.ngs.global\" } ] }\n"},
     "leaf remote tls://connect.ngs.global of server `leaf` was left out: external"),
    ("jetstream never ready",
     {"a.conf": "server_name: a\njetstream { domain: d, store_dir: /tmp/natslint-a }\n"
                "cluster { name: c, port: 6222, routes: [ \"nats://b:6222\" ] }\n",
      "b.conf": "server_name: b\njetstream { domain: d, store_dir: /tmp/natslint-b }\n"
                "cluster { port: 6222, routes: [ \"nats://a:6222\" ] }\n"},
     "the JetStream of server `a`: never became ready"),
])
def test_an_incomplete_proof_exits_3(tmp_path, case, files, reason):
    code, out = prove_json(write(tmp_path, files))
    (fleet,) = out["fleets"]
    assert code == 3, fleet
    assert any(x.startswith(reason) for x in fleet["incomplete"]), fleet["incomplete"]
    assert out["exit"]["reason"].startswith("the proof is incomplete")


def test_allow_external_lists_the_link_as_not_proven(tmp_path):
    write(tmp_path, {"leaf.conf": "server_name: leaf\nleafnodes { remotes: [ { url: \"tls://connect.ngs.global\" } ] }\n"})
    code, out = prove_json(tmp_path, "--allow-external")
    (fleet,) = out["fleets"]
    assert code == 0 and fleet["incomplete"] == []
    assert fleet["not_proven"] == ["leaf remote tls://connect.ngs.global of server `leaf` was left out: external: "
                                   "it names no server of the fleet"]


def test_a_parent_folder_proves_each_fleet_on_its_own(tmp_path):
    write(tmp_path, {"a/hub.conf": "server_name: a\njetstream { domain: a, store_dir: /tmp/natslint-pa }\n",
                     "b/hub.conf": "server_name: b\njetstream { domain: b, store_dir: /tmp/natslint-pb }\n"})
    code, out = prove_json(tmp_path)
    assert code == 0 and sorted(f["fleet"] for f in out["fleets"]) == ["a", "b"]
    assert all(sum(s["started"] for s in f["servers"]) == 1 for f in out["fleets"])


# Correct, production-shaped fleets: zero warnings and errors in every file, and a whole proof.
CORRECT = ["prod-lattice", "compose-edge-gateways", "compose-lattice", "compose-env-file", "compose-cluster-flags",
           "k8s-kustomize-lattice", "k8s-statefulset-names", "include-fragment", "localhost-mixed", "workshop-labs"]


@pytest.mark.parametrize("fleet", CORRECT)
def test_a_correct_fleet_is_clean_and_proven_whole(fleet):
    where = ROOT / "fixtures" / fleet
    check = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "."], cwd=where,
                           capture_output=True, text=True, timeout=120)
    loud = [(f["code"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"]
            if f["severity"] in ("error", "warning")]
    assert check.returncode == 0 and loud == []
    code, out = prove_json(where)
    assert code == 0, [f["incomplete"] for f in out["fleets"]]
    assert all(p["verdict"] == "agrees" for f in out["fleets"] for p in f["probes"])


def test_the_correct_fleets_cover_the_production_shapes():
    assert len(CORRECT) >= 8
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for name in CORRECT
                     for p in (ROOT / "fixtures" / name).rglob("*") if p.is_file())
    for shape in ("imports:", "exports:", "system_account", "leafnodes", "authorization", "mappings", "websocket",
                  "mqtt", '"$JS.API.>"', "deny_imports", "domain: $EDGE_DOMAIN", "kind: StatefulSet",
                  "configMapGenerator", "services:"):
        assert shape in text, shape
