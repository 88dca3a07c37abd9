"""Bad input never gives a traceback: each gets a located, named result, and the rest of the
fleet is still checked.  Also: no network at lint time, and byte-identical output."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli import dump as _dump  # noqa: F401
from natslint.cli.app import app

runner = CliRunner()
GOOD = "server_name: ok\nport: 4222\n"


def check(tmp: Path, monkeypatch, *args: str) -> tuple[int, list[tuple[str, str, int]], dict]:
    monkeypatch.chdir(tmp)
    result = runner.invoke(app, ["check", "-f", "json", "--fail-on", "info", *args, "."])
    assert result.exit_code in (0, 1), result.output
    out = json.loads(result.stdout)
    return result.exit_code, [(f["code"], f["path"], f["line"]) for f in out["findings"]], out


def test_binary_nul_invalid_utf8_each_named_and_the_rest_checked(tmp_path, monkeypatch):
    (tmp_path / "bin.conf").write_bytes(b"\x7fELF\x00\x01\x02")
    (tmp_path / "latin.conf").write_bytes("server_name: z\xfcrich\n".encode("latin-1"))
    (tmp_path / "ok.conf").write_text(GOOD + "bogus: 1\n")
    _, got, out = check(tmp_path, monkeypatch)
    assert got == [("NL005", "bin.conf", 1), ("NL005", "latin.conf", 1), ("NL101", "ok.conf", 3)]
    messages = [f["message"] for f in out["findings"]]
    assert "binary file" in messages[0] and "not UTF-8" in messages[1]


def test_bom_crlf_empty_and_comment_only_files(tmp_path, monkeypatch):
    (tmp_path / "bom.conf").write_bytes(b"\xef\xbb\xbfport: 4222\n")
    (tmp_path / "crlf.conf").write_bytes(b"server_name: c\r\nport: 4222\r\n")
    (tmp_path / "crlf-block.conf").write_bytes(b"server_name: b\r\nsystem_account: (\r\nx\r\n)\r\nport: 1\r\n")
    (tmp_path / "empty.conf").write_text("")
    (tmp_path / "comments.conf").write_text("# nothing\n// here\n")
    _, got, out = check(tmp_path, monkeypatch)
    assert got == [("NL101", "bom.conf", 1), ("NL001", "crlf-block.conf", 6)]
    assert "byte-order mark" in out["findings"][0]["fix"]
    assert "CRLF" in out["findings"][1]["fix"]


def test_size_limit_is_configurable_and_reported(tmp_path, monkeypatch):
    (tmp_path / "big.conf").write_text("# " + "x" * 2_000_000 + "\nport: 1\n")
    _, got, out = check(tmp_path, monkeypatch, "--max-file-size", "1000000")
    assert got == [("NL005", "big.conf", 1)]
    assert "1000000-byte limit (--max-file-size)" in out["findings"][0]["message"]
    assert check(tmp_path, monkeypatch)[1] == []


def test_ten_thousand_levels_deep(tmp_path, monkeypatch):
    (tmp_path / "deep.conf").write_text("a " + "{ b " * 10000 + "}" * 10000 + "\nserver_name: d\n")
    (tmp_path / "arr.conf").write_text("x = " + "[" * 10000 + "]" * 10000 + "\nserver_name: a\n")
    _, got, _ = check(tmp_path, monkeypatch)
    assert ("NL101", "arr.conf", 1) in got and ("NL101", "deep.conf", 1) in got
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["dump", "deep.conf"])
    assert result.exit_code == 1 and "nests too deeply" in result.stderr


def test_include_cycles_self_includes_symlink_loops_and_escapes(tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    (root / "self.conf").write_text("port: 1\ninclude self.conf\n")
    (root / "a.conf").write_text("include b.inc\n")
    (root / "b.inc").write_text("include a.conf\n")
    os.symlink("loop2.conf", root / "loop1.conf")
    os.symlink("loop1.conf", root / "loop2.conf")
    (tmp_path / "outside.inc").write_text("max_payload: 1MB\n")
    (root / "escape.conf").write_text("include ../outside.inc\n")
    _, got, _ = check(root, monkeypatch)
    assert ("NL003", "self.conf", 2) in got and ("NL003", "b.inc", 1) in got
    assert ("NL005", "loop1.conf", 1) in got and ("NL005", "loop2.conf", 1) in got
    assert not [g for g in got if g[1] == "escape.conf"]  # allowed, as nats-server allows it
    monkeypatch.chdir(root)
    shown = runner.invoke(app, ["check", "--show-files", "."]).stdout
    assert "read     ../outside.inc  (outside the checked tree: reached by an include)" in shown


def test_directories_named_like_configs_and_vanishing_files(tmp_path, monkeypatch):
    (tmp_path / "dir.conf").mkdir()
    (tmp_path / "dir.conf" / "inner.conf").write_text(GOOD)
    (tmp_path / "gone.conf").write_text(GOOD)
    import natslint.check as ck

    real_discover = ck.discover

    def discover_then_delete(*args):
        found = real_discover(*args)
        (tmp_path / "gone.conf").unlink()
        return found

    monkeypatch.setattr(ck, "discover", discover_then_delete)
    _, got, out = check(tmp_path, monkeypatch)
    assert got == [("NL005", "gone.conf", 1)]
    assert "vanished during the run" in out["findings"][0]["message"]
    assert out["summary"]["servers"] == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file: permissions cannot be tested as root")
def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "secret.conf").write_text(GOOD)
    (tmp_path / "secret.conf").chmod(0)
    _, got, out = check(tmp_path, monkeypatch)
    assert got == [("NL005", "secret.conf", 1)] and "permission denied" in out["findings"][0]["message"]


def test_yaml_alias_bombs_custom_tags_and_duplicate_keys(tmp_path, monkeypatch):
    lol = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        lol.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (tmp_path / "compose.yaml").write_text("services: {}\n" + "\n".join(lol * 10) + "\n")
    (tmp_path / "tags.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: !!python/object:os.system {name: x}\n"
                                        "spec: {containers: [{name: c, image: !Ref img}]}\n")
    (tmp_path / "dups.yaml").write_text("apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: p}\n"
                                        "spec: {containers: [{name: c, env: [{name: WASMCLOUD_JS_DOMAIN, value: x}]}]}\n")
    _, got, out = check(tmp_path, monkeypatch)
    assert ("NL005", "compose.yaml", 1) in got
    assert "YAML aliases" in next(f["message"] for f in out["findings"] if f["path"] == "compose.yaml")


def test_compose_interpolation_loops_and_odd_env_quoting(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("A=${B}\nB=${A}\nQ='single \"quoted\"'\nR=\"a\\nb\"\nS=unterminated \"quote\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  host:\n    image: wasmcloud/wasmcloud:1.9.2\n    environment:\n"
        "      WASMCLOUD_LATTICE: ${A}\n      WASMCLOUD_JS_DOMAIN: ${Q}\n      WASMCLOUD_NATS_HOST: ${R:-x}\n")
    code, got, out = check(tmp_path, monkeypatch)
    assert out["summary"]["hosts"] == 1
    assert all(c in ("NL301", "NL406") for c, *_ in got)


def test_no_network_at_lint_time(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("natslint opened a socket while linting")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    root = Path(__file__).resolve().parents[1] / "fixtures"
    for fmt in ("text", "json", "sarif", "github"):
        result = runner.invoke(app, ["check", "-f", fmt, str(root)])
        assert result.exit_code == 1, result.output


def test_output_is_byte_identical_whatever_the_directory_order(monkeypatch):
    root = Path(__file__).resolve().parents[1] / "fixtures"
    monkeypatch.chdir(root)
    first = runner.invoke(app, ["check", "-f", "json", "."]).stdout
    real_walk = os.walk

    def reversed_walk(top, **kw):
        for d, dirs, files in real_walk(top, **kw):
            dirs.reverse()
            files.reverse()
            yield d, dirs, files

    monkeypatch.setattr(os, "walk", reversed_walk)
    monkeypatch.setattr(os, "listdir", lambda p=".": sorted(os.scandir(p) and [e.name for e in os.scandir(p)],
                                                            reverse=True))
    assert runner.invoke(app, ["check", "-f", "json", "."]).stdout == first


def test_a_reader_failure_is_a_located_finding_and_the_rest_is_checked(tmp_path, monkeypatch):
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n")
    (tmp_path / "ok.conf").write_text(GOOD + "bogus: 1\n")
    import natslint.deploy.kubernetes as reader  # the manifest reader, loaded when a tree holds manifests

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(reader, "read_kubernetes", broken)
    _, got, out = check(tmp_path, monkeypatch)
    assert got == [("NL101", "ok.conf", 3), ("NL000", "pod.yaml", 1)] or \
        sorted(got) == [("NL000", "pod.yaml", 1), ("NL101", "ok.conf", 3)]
    assert "KeyError" in next(f["message"] for f in out["findings"] if f["code"] == "NL000")


def test_fuzz_found_shapes_are_read_without_error(tmp_path, monkeypatch):
    """Regression: shapes the fuzz campaign found (non-map metadata, labels as a list, kind as a list)."""
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [x]\nspec: x\n")
    (tmp_path / "b.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                                     "spec: {replicas: many, template: {metadata: {labels: [a]}, spec: {containers: x}}}\n")
    (tmp_path / "c.yaml").write_text("apiVersion: v1\nkind: [Service]\nspec: {selector: [x]}\n")
    (tmp_path / "d.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: x\nspec: {selector: [x]}\n")
    _, got, _ = check(tmp_path, monkeypatch)
    assert [g for g in got if g[0] == "NL000"] == []
