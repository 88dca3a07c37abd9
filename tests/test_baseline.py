"""Baselines through the real command line: known findings hidden, new ones reported, fixed ones
listed; matching survives line shifts and a run from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def natslint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "natslint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


A = "server_name: a\nport: 4222\nhttp_port: 8222\ntpyo: 1\n"
B = "server_name: b\nport: 4223\nhttp_port: 8223\nalso_wrong: 2\n"


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "a.conf").write_text(A)
    (tmp_path / "deploy" / "b.conf").write_text(B)
    return tmp_path


def test_write_then_check_hides_known_findings_and_the_file_is_stable(tmp_path):
    repo = _repo(tmp_path)
    wrote = natslint("check", "deploy", "--write-baseline", "natslint-baseline.json", cwd=repo)
    assert wrote.returncode == 0 and wrote.stdout == "Wrote 2 findings to the baseline natslint-baseline.json.\n"
    data = json.loads((repo / "natslint-baseline.json").read_text())
    assert data["natslint-baseline"] == 1
    assert [(e["code"], e["path"], e["occurrence"]) for e in data["findings"]] == [
        ("NL101", "deploy/a.conf", 1), ("NL101", "deploy/b.conf", 1)]
    first = (repo / "natslint-baseline.json").read_text()
    natslint("check", "deploy", "--write-baseline", "natslint-baseline.json", cwd=repo)
    assert (repo / "natslint-baseline.json").read_text() == first  # sorted, stable
    proc = natslint("check", "deploy", "--baseline", "natslint-baseline.json", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    assert "Baseline natslint-baseline.json: 2 known (not shown), 0 new, 0 fixed." in proc.stdout


def test_a_line_shift_matches_a_new_finding_is_reported_and_a_fixed_one_listed(tmp_path):
    repo = _repo(tmp_path)
    natslint("check", "deploy", "--write-baseline", "base.json", cwd=repo)
    # a shift (comments above), a new mistake, and b.conf's mistake fixed
    (repo / "deploy" / "a.conf").write_text("# moved\n\n" + A + "new_typo: 3\n")
    (repo / "deploy" / "b.conf").write_text(B.replace("also_wrong: 2\n", ""))
    proc = natslint("check", "deploy", "--baseline", "base.json", "--format", "json", cwd=repo)
    out = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(f["code"], f["path"], f["line"]) for f in out["findings"]] == [("NL101", "deploy/a.conf", 7)]
    assert out["baseline"] == {"file": "base.json", "matched": 1, "new": 1, "fixed": [
        {"code": "NL101", "path": "deploy/b.conf", "message": 'unknown field "also_wrong" in top level'}]}
    text = natslint("check", "deploy", "--baseline", "base.json", cwd=repo).stdout
    assert "Baseline base.json: 1 known (not shown), 1 new, 1 fixed since it was written" in text
    assert '  fixed  NL101  deploy/b.conf  unknown field "also_wrong" in top level' in text
    # fixed findings never change the exit code; --prune-baseline drops them
    (repo / "deploy" / "a.conf").write_text("# moved\n\n" + A)
    pruned = natslint("check", "deploy", "--baseline", "base.json", "--prune-baseline", cwd=repo)
    assert pruned.returncode == 0 and "Pruned 1 fixed finding from the baseline base.json." in pruned.stderr
    assert [e["path"] for e in json.loads((repo / "base.json").read_text())["findings"]] == ["deploy/a.conf"]


def test_the_config_baseline_matches_from_the_root_and_from_a_subfolder(tmp_path):
    repo = _repo(tmp_path)
    (repo / "natslint.toml").write_text('baseline = "ci/natslint-baseline.json"\n')
    (repo / "ci").mkdir()
    natslint("check", "deploy", "--write-baseline", "ci/natslint-baseline.json", cwd=repo)
    paths = [e["path"] for e in json.loads((repo / "ci" / "natslint-baseline.json").read_text())["findings"]]
    assert paths == ["../deploy/a.conf", "../deploy/b.conf"]  # relative to the baseline's folder
    (repo / "deploy" / "b.conf").write_text(B + "new_typo: 3\n")
    for cwd, target in ((repo, "deploy"), (repo / "deploy", ".")):
        out = json.loads(natslint("check", target, "--format", "json", cwd=cwd).stdout)
        assert [(f["code"], f["line"]) for f in out["findings"]] == [("NL101", 5)]
        assert (out["baseline"]["matched"], out["baseline"]["new"], out["baseline"]["fixed"]) == (2, 1, [])


def test_a_bad_baseline_is_a_usage_error(tmp_path):
    repo = _repo(tmp_path)
    (repo / "bad.json").write_text('{"findings": []}')
    for args, said in ((["--baseline", "missing.json"], "cannot read the baseline missing.json"),
                       (["--baseline", "bad.json"], "is not a natslint baseline"),
                       (["--prune-baseline"], "--prune-baseline needs a baseline")):
        proc = natslint("check", "deploy", *args, cwd=repo)
        assert proc.returncode == 2 and said in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
