"""The benchmark scripts run (on a small fleet); their numbers live in bench/results.md, not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from natslint.check import Settings, check_paths

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gen_fleet import generate  # noqa: E402


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_generated_fleet_is_deterministic_and_has_its_planted_mistakes(tmp_path, monkeypatch):
    a = generate(400, tmp_path / "a")
    generate(400, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    result = check_paths(["."], Settings(env={"SYS_PASS": "s", "LEAF_PASS": "l"}, env_visible=True), root=str(tmp_path / "a"))
    codes = [f.code for f in result.findings]
    assert len(result.fleet.servers) == a["servers"] == 400
    for code in ("NL202", "NL301", "NL401"):
        assert codes.count(code) == a[code], (code, codes)


def test_benchmark_runner_writes_its_table(tmp_path):
    out = tmp_path / "results.md"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "20", "--repeat", "1",
                    "--no-dash-t", "--out", str(out)], check=True, capture_output=True, timeout=300)
    text = out.read_text()
    assert "| N = 20 |" in text and "| 5-file fleet (pre-commit) |" in text
