"""README's two commands stay verbatim-true: the demo's printed output is checked here."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_demo_command_prints_what_readme_shows(monkeypatch):
    command = re.search(r"```sh\n(python3 -m venv .venv && .venv/bin/pip install \. && "
                        r"\.venv/bin/natslint (check [^\n]+))\n```", README)
    assert command, "README lost its demo command"
    shown = re.search(r"The first command exits 1 and prints:\n\n```text\n(.*?)```", README, re.DOTALL)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, command.group(2).split())
    assert result.exit_code == 1
    assert result.stdout == shown.group(1)


def test_test_command_is_what_ci_runs():
    command = re.search(r"```sh\n(python3 -m venv .venv && .venv/bin/pip install '\.\[test\]' && "
                        r"\.venv/bin/python -m pytest)\n```", README)
    assert command
    assert command.group(1) in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_config_example_is_valid(tmp_path):
    from natslint.config import load_config

    example = next(block for block in re.findall(r"```toml\n(.*?)```", README, re.DOTALL) if "select =" in block)
    (tmp_path / "natslint.toml").write_text(example)
    cfg = load_config(tmp_path / "natslint.toml")
    assert cfg.expect_domain == "hub" and cfg.select == ["NL1", "NL2", "NL3", "NL4"]
    assert cfg.per_file_ignores == {"legacy/*": ["NL101"]} and cfg.severity == {"NL204": "error"}
    assert cfg.baseline == str(tmp_path / "natslint-baseline.json")
