"""Every address resolved or explained: one machine's loopback, candidates, coverage."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from natslint.check import Settings, check_paths
from natslint.report.github import summary_markdown

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def coverage(name: str) -> dict:
    cov = check_paths(["."], Settings(), root=str(FIXTURES / name)).coverage
    return {k: {c: n for c, n in v.items() if n} for k, v in cov.items() if isinstance(v, dict) and v["total"]}


def test_coverage_per_fixture():
    assert coverage("localhost-mixed") == {"leaf_links": {"total": 3, "resolved": 3}}
    assert coverage("localhost-docs") == {"leaf_links": {"total": 2, "resolved": 2}}
    assert coverage("localhost-two-hubs") == {"leaf_links": {"total": 1, "ambiguous": 1}}
    assert coverage("route-other-cluster") == {"routes": {"total": 5, "resolved": 5}}
    assert coverage("compose-lattice") == {"leaf_links": {"total": 2, "resolved": 2},  # one a remote
                                           "routes": {"total": 9, "resolved": 9},
                                           "hosts": {"total": 2, "resolved": 2}, "wadm": {"total": 1, "resolved": 1}}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "natslint", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_a_clean_run_admits_what_it_could_not_see_and_require_resolved_fails_it(tmp_path):
    (tmp_path / "leaf.conf").write_text("server_name: leaf\njetstream { domain: leaf, store_dir: /d }\n"
                                        "leafnodes { remotes: [ { url: \"nats-leaf://hub:7422\" } ] }\n")
    proc = run(tmp_path, "--ignore", "NL406", ".")
    assert proc.returncode == 0
    assert "No findings in 1 file; 1 link the domain rules need could not be resolved" in proc.stdout
    assert "Coverage: 0 of 1 leaf links resolved (1 unresolved)." in proc.stdout
    assert run(tmp_path, ".").returncode == 0  # NL406 is info by default
    (tmp_path / "natslint.toml").write_text("require-resolved = true\n")
    proc = run(tmp_path, "-f", "json", ".")
    assert proc.returncode == 1
    assert [(f["code"], f["severity"], f["line"]) for f in json.loads(proc.stdout)["findings"]] == [
        ("NL406", "error", 3)]


def test_pasting_the_alias_line_nl406_prints_resolves_the_link(tmp_path):
    shutil.copytree(FIXTURES / "localhost-two-hubs", tmp_path / "f")
    proc = run(tmp_path / "f", "-f", "json", ".")
    (nl406,) = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "NL406"]
    first = re.search(r'("127\.0\.0\.1:7422" = "[^"]+")', nl406["fix"]).group(1)
    (tmp_path / "f" / "natslint.toml").write_text(f"[aliases]\n{first}\n")
    out = json.loads(run(tmp_path / "f", "-f", "json", ".").stdout)
    assert [f["code"] for f in out["findings"]] == ["NL407"]
    assert out["summary"]["coverage"]["leaf_links"]["resolved"] == 1


def test_the_job_summary_shows_coverage():
    result = check_paths(["."], Settings(), root=str(FIXTURES / "localhost-two-hubs"))
    text = summary_markdown(result)
    assert "Coverage: 0 of 1 leaf links resolved (1 ambiguous)." in text
    assert "**1 link the domain rules need could not be resolved: domain checks are incomplete.**" in text


def test_a_machine_alias_applies_on_its_machine_only(tmp_path):
    shutil.copytree(FIXTURES / "machines-declared", tmp_path / "f")
    (tmp_path / "f" / "other.conf").write_text("server_name: other\nport: 4333\n"
                                               "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.2:7422\" } ] }\n")
    toml = (tmp_path / "f" / "natslint.toml").read_text().replace('include = ["*.conf"]',
                                                                    'include = ["hub.conf", "leaf.conf"]')
    (tmp_path / "f" / "natslint.toml").write_text(toml)
    out = json.loads(run(tmp_path / "f", "-f", "json", "--fail-on", "info", ".").stdout)
    assert sorted((f["code"], f["path"], f["line"]) for f in out["findings"]) == [
        ("NL202", "leaf.conf", 3), ("NL406", "other.conf", 3)]
    assert out["summary"]["coverage"]["leaf_links"] == {"total": 2, "resolved": 1, "external": 0, "ambiguous": 0,
                                                        "unresolved": 1, "unknown_config": 0,
                                                        "wrong_port": 0}
