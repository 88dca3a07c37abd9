"""Project config, rule selection, severity overrides and inline suppressions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli.app import app

runner = CliRunner()
BAD = "port: 4222\nbogus: 1\nping_interval: 5m\n"  # NL101 at 2, NL108 (warning) at 3


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")


def run(args: list[str]) -> tuple[int, list[tuple[str, str, int, str]]]:
    result = runner.invoke(app, ["check", "-f", "json", "--fail-on", "info", *args])
    if result.exit_code == 2:
        return 2, [("usage", result.stderr, 0, "")]
    out = json.loads(result.stdout)
    return result.exit_code, [(f["code"], f["path"], f["line"], f["severity"]) for f in out["findings"]]


def test_select_ignore_and_per_file_ignores(tmp_path, monkeypatch):
    write(tmp_path, {"a.conf": BAD, "b/c.conf": BAD})
    monkeypatch.chdir(tmp_path)
    assert len(run(["."])[1]) == 4
    assert run(["--select", "NL1", "--ignore", "wrong-value-kind", "."])[1] == [
        ("NL101", "a.conf", 2, "error"), ("NL101", "b/c.conf", 2, "error")]
    write(tmp_path, {"natslint.toml": '[per-file-ignores]\n"b/*" = ["NL101"]\n[severity]\nNL108 = "error"\n'})
    assert run(["."])[1] == [("NL101", "a.conf", 2, "error"), ("NL108", "a.conf", 3, "error"),
                             ("NL108", "b/c.conf", 3, "error")]
    assert len(run(["--isolated", "."])[1]) == 4


def test_pyproject_section_and_fail_on(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\nping_interval: 5m\n",
                     "pyproject.toml": '[tool.natslint]\nfail-on = "error"\nignore = []\n'})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "."])
    assert result.exit_code == 0  # only a warning, and the project fails on errors
    assert "NL108" in result.stdout


def test_bad_config_is_a_clear_usage_error(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 1\n", "natslint.toml": "selec = ['NL1']\n"})
    monkeypatch.chdir(tmp_path)
    code, out = run(["."])
    assert code == 2 and "unknown setting: selec" in out[0][1]
    write(tmp_path, {"natslint.toml": "select = ['NL999']\n"})
    assert "names no rule: NL999" in run(["."])[1][0][1]
    write(tmp_path, {"natslint.toml": "select = [\n"})
    assert "not valid TOML" in run(["."])[1][0][1]
    write(tmp_path, {"other.toml": "ignore = ['NL101']\n"})
    assert run(["--config", "other.toml", "n.conf"])[0] == 0


def test_inline_suppressions_and_unused_ones(tmp_path, monkeypatch):
    write(tmp_path, {
        "a.conf": "port: 4222\nbogus: 1  # natslint: ignore[NL101] kept for the old agent\n"
                  "# natslint: ignore[unknown-option] next line too\nother: 2\n"
                  "# natslint: ignore[NL202] nothing here\nserver_name: a\n",
        "b.conf": "# natslint: ignore-file[NL1] generated file\nbogus: 1\nping_interval: 5m\n",
    })
    monkeypatch.chdir(tmp_path)
    assert run(["."])[1] == [("NL901", "a.conf", 5, "info")]
    assert sorted(c for c, *_ in run(["--no-ignores", "."])[1]) == ["NL101", "NL101", "NL101", "NL108"]


def test_suppressions_in_yaml_and_env_files(tmp_path, monkeypatch):
    write(tmp_path, {
        "hub.conf": "server_name: hub\njetstream { domain: hub, store_dir: /d }\n",
        "host.env": "WASMCLOUD_NATS_HOST=hub\n# natslint: ignore[NL301] migrating\nWASMCLOUD_JS_DOMAIN=core\n",
    })
    monkeypatch.chdir(tmp_path)
    assert run(["."])[1] == []
    assert run(["--no-ignores", "."])[1] == [("NL301", "host.env", 3, "error")]


def test_expect_domain(tmp_path, monkeypatch):
    write(tmp_path, {
        "natslint.toml": 'expect-domain = "hub"\n',
        "hub.conf": "server_name: hub\njetstream { domain: hub, store_dir: /d }\n",
        "other.conf": "server_name: other\njetstream { domain: hub, store_dir: /d }\n",
        "host.env": "WASMCLOUD_NATS_HOST=other\nWASMCLOUD_JS_DOMAIN=core\n",
    })
    monkeypatch.chdir(tmp_path)
    got = run(["."])[1]
    assert ("NL201", "other.conf", 2, "error") in got  # two unrelated JetStreams claim the lattice's domain
    assert ("NL301", "host.env", 2, "error") in got
