"""Where one fleet ends: a parent folder gives exactly the sum of its fleets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from natslint.check import Settings, check_paths

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def findings(*args: str) -> tuple[set[tuple], dict]:
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "--fail-on", "info", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    out = json.loads(proc.stdout)
    return {(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in out["findings"]}, out


@pytest.mark.parametrize("isolated", [(), ("--isolated",)], ids=["own-settings", "isolated"])
def test_fixtures_checked_together_give_the_sum_of_each_checked_alone(isolated):
    """Each fixture's own natslint.toml applies in both runs (or none, --isolated: a folder with
    one is still a project boundary); shared files count once."""
    alone: set[tuple] = set()
    fleets = 0
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        got, out = findings(*isolated, f"fixtures/{folder.name}")
        alone |= got
        fleets += len(out["summary"]["fleets"])
    together, out = findings(*isolated, "fixtures")
    assert together == alone
    assert len(out["summary"]["fleets"]) == fleets


def fleet_of(root: Path, files: dict[str, str]) -> list:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return check_paths(["."], Settings(), root=str(root)).fleets


def test_a_json_summary_names_each_fleet(tmp_path):
    _, out = findings("fixtures/leaf-sites")
    assert out["summary"]["fleets"] == [{"name": "fixtures/leaf-sites", "kind": "plain", "root": "fixtures/leaf-sites",
                                         "files": 6, "servers": 5, "servers_unknown_config": 0, "hosts": 0}]


def test_workshop_labs_reusing_names_are_separate_fleets_each_linked_within_its_folder():
    fleets = check_paths(["."], Settings(), root=str(FIXTURES / "workshop-labs")).fleets
    assert [(f.plan.name, f.plan.kind) for f in fleets] == [("lab-1", "plain"), ("lab-2", "plain")]
    for f in fleets:
        hubs = {r.hub.path for s in f.fleet.servers for r in s.remotes}
        assert hubs == {f"{f.plan.name}/hub.conf"}


def test_alternative_compose_files_are_separate_projects_and_an_override_merges(tmp_path):
    fleets = check_paths(["."], Settings(), root=str(FIXTURES / "compose-alternatives")).fleets
    assert [(f.plan.name, len(f.fleet.hosts)) for f in fleets] == [("docker-compose-minimal.yml", 1),
                                                                    ("docker-compose.yml", 2)]
    (fleet,) = check_paths(["."], Settings(), root=str(FIXTURES / "compose-override")).fleets
    (host,) = fleet.fleet.hosts
    assert host.domain.value == "cor" and host.domain.span.path == "compose.override.yaml"
    assert host.version == "1.10"  # the override's image
    assert fleet.plan.files == {"compose.yaml", "compose.override.yaml", "nats/nats.conf"}


def test_compose_file_from_the_folders_env_and_include_join_one_project(tmp_path):
    (tmp_path / ".env").write_text("COMPOSE_FILE=base.yml:edge.yml\n")
    (tmp_path / "base.yml").write_text("services:\n  nats:\n    image: nats:2.11\n    command: -js\n")
    (tmp_path / "edge.yml").write_text("services:\n  host:\n    image: wasmcloud/wasmcloud:1.9.2\n"
                                       "    environment: {WASMCLOUD_NATS_HOST: nats}\n")
    (tmp_path / "docker-compose.yml").write_text("include: [extra.yml]\nservices:\n  nats:\n    image: nats:2.11\n")
    (tmp_path / "extra.yml").write_text("services:\n  wadm:\n    image: ghcr.io/wasmcloud/wadm:v0.21.0\n"
                                        "    environment: {WADM_NATS_SERVER: 'nats:4222'}\n")
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert sorted((f.plan.name, sorted(f.plan.files)) for f in result.fleets) == [
        ("base.yml", ["base.yml", "edge.yml"]), ("docker-compose.yml", ["docker-compose.yml", "extra.yml"])]
    assert all(h.server is not None for f in result.fleets for h in f.fleet.hosts)


def test_non_nats_files_are_skipped_with_the_reason_and_fragments_are_read(tmp_path):
    result = check_paths(["."], Settings(), root=str(FIXTURES / "mixed-repo"))
    skipped = {s.path: s.reason for s in result.skipped}
    assert set(skipped) == {"redis/redis.conf", "mosquitto/mosquitto.conf", "haproxy/haproxy.cfg", "os/sysctl.conf"}
    assert skipped["redis/redis.conf"].startswith("not a NATS config: 1 of 6 top-level keys are NATS options")
    fragment = check_paths(["."], Settings(), root=str(FIXTURES / "include-fragment"))
    assert fragment.skipped == [] and "remotes.conf" in fragment.documents
    assert sorted(fragment.roots) == ["edge.conf", "hub.conf"]


def test_a_file_a_deployment_runs_is_nats_whatever_it_looks_like(tmp_path):
    (tmp_path / "nats").mkdir()
    (tmp_path / "nats" / "odd.conf").write_text("listen_backlog: 1\nbogus: 2\n")  # would be skipped alone
    (tmp_path / "compose.yaml").write_text("services:\n  nats:\n    image: nats:2.11\n"
                                           "    command: [\"-c\", \"/etc/nats/odd.conf\"]\n"
                                           "    volumes: [\"./nats:/etc/nats\"]\n")
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert result.skipped == []
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [
        ("NL101", "nats/odd.conf", 1), ("NL101", "nats/odd.conf", 2)]


def run_cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_exclude_replaces_and_extend_exclude_adds_and_force_exclude_applies_them_to_named_paths(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.conf").write_text("server_name: old\nbogus: 1\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.conf").write_text("server_name: x\nbogus: 1\n")
    (tmp_path / "natslint.toml").write_text('extend-exclude = ["legacy/"]\n')
    code, out, _ = run_cli(tmp_path, "--show-files", ".")
    assert "skipped  legacy/  (matched by `extend-exclude` in natslint.toml)" in out
    assert "skipped  node_modules/  (tool or VCS folder)" in out
    (tmp_path / "natslint.toml").write_text('exclude = ["legacy/"]\n')  # replaces the built-in list
    code, out, _ = run_cli(tmp_path, "--show-files", ".")
    assert "skipped  legacy/  (matched by `exclude` in natslint.toml)" in out
    assert "read     node_modules/x.conf" in out
    code, out, _ = run_cli(tmp_path, "-f", "json", "legacy/old.conf")  # named on the command line: checked
    assert code == 1 and json.loads(out)["findings"][0]["path"] == "legacy/old.conf"
    code, out, _ = run_cli(tmp_path, "-f", "json", "--force-exclude", "legacy/old.conf")
    assert code == 0 and json.loads(out)["findings"] == []


def test_declared_fleets_override_the_guess_and_a_file_in_two_is_an_error(tmp_path):
    for name, body in {"a/hub.conf": "server_name: hub\njetstream { domain: d, store_dir: /a }\n"
                                      "leafnodes { port: 7422 }\n",
                       "b/leaf.conf": "server_name: leaf\njetstream { domain: d, store_dir: /b }\n"
                                      "leafnodes { remotes: [ { url: \"nats-leaf://10.0.0.5:7422\" } ] }\n"}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(name and body)
    code, out, _ = run_cli(tmp_path, "-f", "json", "--fail-on", "info", ".")
    assert [f["name"] for f in json.loads(out)["summary"]["fleets"]] == ["a", "b"]  # nothing links them by name
    (tmp_path / "natslint.toml").write_text('[[fleets]]\nname = "edge"\ninclude = ["a/*.conf", "b/*.conf"]\n'
                                            '[aliases]\n"10.0.0.5" = "a/hub.conf"\n')
    code, out, _ = run_cli(tmp_path, "-f", "json", ".")
    got = json.loads(out)
    assert [(f["name"], f["kind"], f["servers"]) for f in got["summary"]["fleets"]] == [("edge", "declared", 2)]
    assert [(f["code"], f["path"], f["line"]) for f in got["findings"]] == [("NL202", "b/leaf.conf", 2)]
    (tmp_path / "natslint.toml").write_text('[[fleets]]\nname = "x"\ninclude = ["a/*"]\n'
                                            '[[fleets]]\nname = "y"\ninclude = ["**/hub.conf"]\n')
    code, _, err = run_cli(tmp_path, ".")
    assert code == 2 and "a/hub.conf is in two declared fleets: x, y" in err


def test_a_kustomization_root_holds_what_it_references_and_other_folders_stand_alone(tmp_path):
    host = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {n}}}\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: host\n          image: wasmcloud/wasmcloud:1.9.2\n"
            "          env: [{{name: WASMCLOUD_NATS_HOST, value: nats}}]\n")
    files = {
        "base/kustomization.yaml": "resources: [host.yaml]\n",
        "base/host.yaml": host.format(n="h"),
        "overlays/prod/kustomization.yaml": "resources: [../../base, extra.yaml]\n",
        "overlays/prod/extra.yaml": host.format(n="extra"),
        "loose/other.yaml": host.format(n="loose"),
    }
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    result = check_paths(["."], Settings(), root=str(tmp_path))
    got = sorted((f.plan.kind, f.plan.name, sorted(f.plan.files)) for f in result.fleets)
    assert got == [("k8s", "loose", ["loose/other.yaml"]),
                   ("kustomize", "overlays/prod", ["base/host.yaml", "base/kustomization.yaml",
                                                   "overlays/prod/extra.yaml", "overlays/prod/kustomization.yaml"])]


def test_show_settings_and_graph_speak_of_each_fleet(tmp_path):
    for lab in ("lab-1", "lab-2"):
        (tmp_path / lab).mkdir()
        (tmp_path / lab / "hub.conf").write_text("server_name: hub\nleafnodes { port: 7422 }\n")
    (tmp_path / "lab-2" / "natslint.toml").write_text('expect-domain = "hub"\n')
    code, out, _ = run_cli(tmp_path, "--show-settings", ".")
    shown = json.loads(out)
    assert [(s["fleet"], s["config"].endswith("lab-2/natslint.toml"), s["expect-domain"]) for s in shown] == [
        ("lab-1", False, None), ("lab-2", True, "hub")]
    proc = subprocess.run([sys.executable, "-m", "natslint", "graph", "--format", "text", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout == ("fleet lab-1 (plain)\nhub (no JetStream)\n\nfleet lab-2 (plain)\nhub (no JetStream)\n")
    proc = subprocess.run([sys.executable, "-m", "natslint", "graph", "--format", "mermaid", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert 'subgraph F0["fleet lab-1 (plain)"]' in proc.stdout and "F1S0" in proc.stdout
