"""natslint reads every reference input exactly as nats-server's Go parser does.

The cases and their results come from ../shared (the Go parser was run on each); the
comparison goes through the typed encoding those files describe, both through the Python
API and through `natslint dump`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared import load_json_if_present, shared_path
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers commands)
from natslint.cli import dump as _dump  # noqa: F401
from natslint.cli.app import app
from natslint.sources import SourceCache
from natslint.syntax.model import encode_typed, plain
from natslint.syntax.parser import Loader, parse_text
from natslint.syntax.versions import REFERENCE_NATS_VERSION as REF

EDGE = load_json_if_present("corpus", "nats-conf-edge-cases.json")
CORPUS = load_json_if_present("corpus", "nats-server.expected.json")
EDGE_CASES = EDGE["cases"] if EDGE else []
CORPUS_FILES = sorted(CORPUS["files"].items()) if CORPUS else []


def _write_case(case: dict, tmp_path: Path) -> Path:
    for name, body in case.get("files", {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "main.conf").write_text(case["input"], encoding="utf-8", newline="")
    return tmp_path / "main.conf"


def _api_result(case: dict, tmp_path: Path, monkeypatch) -> tuple[object, str | None]:
    env = case.get("env", {})
    if "files" in case:
        _write_case(case, tmp_path)
        doc = Loader(env=env, env_visible=True, nats_version=REF, sources=SourceCache(str(tmp_path))).load("main.conf")
    else:
        doc = parse_text(case["input"], env=env, nats_version=REF)
    value = None if doc.server_error else encode_typed(plain(doc.root))
    return value, doc.server_error


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda c: f"{c['id']}-{c['title'][:40]}")
def test_edge_case_api(case, tmp_path, monkeypatch):
    value, error = _api_result(case, tmp_path, monkeypatch)
    if "value" in case:
        assert error is None
        assert value == case["value"]
    else:
        assert error == case["error"]


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda c: f"{c['id']}-{c['title'][:40]}")
def test_edge_case_dump(case, tmp_path, monkeypatch):
    _write_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["dump", "main.conf", "--nats-version", REF, "--show-secrets"] + [a for k, v in case.get("env", {}).items() for a in ("--env", f"{k}={v}")]
    result = CliRunner().invoke(app, args)
    if "value" in case:
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == case["value"]
    else:
        assert result.exit_code == 1
        # string input reports no file name in "config is invalid (:L:P)"; a file does
        expected = case["error"].replace("config is invalid (:", "config is invalid (main.conf:")
        assert f"nats-server: {expected}" in result.stderr


def test_edge_cases_present():
    data = json.loads(shared_path("corpus", "nats-conf-edge-cases.json").read_text())
    assert len(data["cases"]) == data["_meta"]["count"] == len(EDGE_CASES)


@pytest.mark.parametrize("rel,expected", CORPUS_FILES, ids=[r for r, _ in CORPUS_FILES])
def test_corpus_file_api(rel, expected, monkeypatch):
    sources = SourceCache(str(shared_path("corpus", "nats-server")))
    doc = Loader(env={}, env_visible=True, nats_version=REF, sources=sources).load(rel)
    if "value" in expected:
        assert doc.server_error is None
        assert encode_typed(plain(doc.root)) == expected["value"]
    else:
        assert doc.server_error == expected["error"]


@pytest.mark.parametrize("rel,expected", CORPUS_FILES, ids=[r for r, _ in CORPUS_FILES])
def test_corpus_file_dump(rel, expected, monkeypatch):
    monkeypatch.chdir(shared_path("corpus", "nats-server"))
    result = CliRunner().invoke(app, ["dump", rel, "--nats-version", REF, "--show-secrets"])
    if "value" in expected:
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == expected["value"]
    else:
        assert result.exit_code == 1
        assert f"nats-server: {expected['error']}" in result.stderr


def test_corpus_reload_variant_with_platform_conf(tmp_path):
    """reload.conf parses once an empty platform.conf sits beside it, as TestConfigReload does."""
    src = shared_path("corpus", "nats-server", "server", "configs", "reload", "reload.conf")
    (key, expected), = CORPUS["variants"].items()
    (tmp_path / "reload.conf").write_bytes(src.read_bytes())
    (tmp_path / "platform.conf").write_text("")
    doc = Loader(env={}, env_visible=True, nats_version=REF).load(str(tmp_path / "reload.conf"))
    assert doc.server_error is None
    assert encode_typed(plain(doc.root)) == expected["value"]


def test_corpus_rejections_are_exactly_four():
    # read here, not from the module-level list: absent data skips (or fails under CI=true)
    files = json.loads(shared_path("corpus", "nats-server.expected.json").read_text())["files"]
    assert len(files) == len(CORPUS_FILES) == 107
    assert len([r for r, e in files.items() if "error" in e]) == 4
