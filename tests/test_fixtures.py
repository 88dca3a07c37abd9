"""Every fleet in fixtures/ gives exactly the findings its expected.txt lists (code path:line).

Run with UPDATE=1 to rewrite the expected files after a deliberate change (then review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FLEETS = sorted(p.parent.name for p in FIXTURES.glob("*/expected.txt"))


def findings_of(fleet: str, monkeypatch) -> tuple[list[str], dict]:
    monkeypatch.chdir(FIXTURES / fleet)
    result = CliRunner().invoke(app, ["check", "--format", "json", "--fail-on", "info", "."])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    return sorted(f"{f['code']} {f['path']}:{f['line']}" for f in out["findings"]), out


def expected_of(fleet: str) -> list[str]:
    lines = (FIXTURES / fleet / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip())


def test_there_are_at_least_ten_fleets_and_clean_ones_among_them():
    assert len(FLEETS) >= 10
    assert sum(1 for f in FLEETS if not expected_of(f)) >= 3


@pytest.mark.parametrize("fleet", FLEETS)
def test_fleet_gives_exactly_its_expected_findings(fleet, monkeypatch):
    got, out = findings_of(fleet, monkeypatch)
    if os.environ.get("UPDATE"):
        (FIXTURES / fleet / "expected.txt").write_text("".join(g + "\n" for g in got), encoding="utf-8")
    assert got == expected_of(fleet), "\n".join(f"{f['code']} {f['path']}:{f['line']} {f['message']}"
                                                 for f in out["findings"])
    assert out["summary"]["servers"] + out["summary"]["coverage"]["servers_unknown_config"] >= 1
