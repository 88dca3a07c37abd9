"""The pipeline's promises: each file read once, each YAML file loaded once, one reachability
per run; a suppression is a comment, not text in a value; --debug reaches a crashing rule;
paths resolved afresh in a long-running process."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from natslint import paths
from natslint.check import Settings, check_paths
from natslint.cli import check as _check  # noqa: F401
from natslint.cli.app import app
from natslint.report import FORMATS, render
from natslint.report.github import summary_markdown
from natslint.report.graph import render_dot, render_mermaid, render_tree

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# fleets with every kind of input: compose with .env and env_file, Kubernetes, systemd, includes
MIXED = ["compose-leaf-reuses-domain", "k8s-operator-leaf-domain", "systemd-edge", "leaf-sites"]


def every_output(result) -> None:
    for fmt in FORMATS:
        render(fmt, result)
    for draw in (render_mermaid, render_dot, render_tree):
        draw(result)
    summary_markdown(result, render_mermaid(result))


def test_each_file_is_read_from_disk_once(monkeypatch):
    import natslint.sources as sources_module

    reads: Counter[str] = Counter()
    real_read = sources_module.read_bytes

    def counting(path, limit=None):
        reads[path] += 1
        return real_read(path, limit)

    monkeypatch.setattr(sources_module, "read_bytes", counting)
    monkeypatch.setenv("NATSLINT_JOBS", "1")
    for fleet in MIXED:
        reads.clear()
        result = check_paths(["."], Settings(), root=str(FIXTURES / fleet))
        every_output(result)
        assert result.findings, fleet  # the outputs had frames to draw
        files = {os.path.join(str(FIXTURES / fleet), p) for p in [*result.documents, *result.deployment_files]}
        assert files <= set(reads), (fleet, files - set(reads))
        assert max(reads.values()) == 1, (fleet, [p for p, n in reads.items() if n > 1])


def test_each_yaml_file_is_loaded_once(monkeypatch):
    import natslint.deploy.read as reader

    loads: list[int] = []
    real_load = reader.load_yaml
    monkeypatch.setattr(reader, "load_yaml", lambda text: loads.append(1) or real_load(text))
    for fleet in MIXED:
        loads.clear()
        result = check_paths(["."], Settings(), root=str(FIXTURES / fleet))
        assert len(loads) == len(result.discovery.compose) + len(result.discovery.yaml), fleet


def test_one_reach_per_run_of_check_and_graph(reach_builds):
    result = check_paths(["."], Settings(), root=str(FIXTURES / "compose-leaf-reuses-domain"))
    every_output(result)
    assert len(reach_builds) == 1


def test_a_marker_inside_a_quoted_string_suppresses_nothing(tmp_path):
    (tmp_path / "n.conf").write_text(
        'server_name: n\npid_file: "a # natslint: ignore[NL101]"\nbogus: "# natslint: ignore[NL101]"\n'
        "other: 1  # natslint: ignore[NL101] a real comment\n")
    result = check_paths(["."], Settings(), root=str(tmp_path))
    got = [(f.code, f.span.path, f.span.line) for f in result.findings]
    assert got == [("NL101", "n.conf", 3)]


def test_a_suppression_comment_still_suppresses_and_reports_its_column(tmp_path):
    (tmp_path / "n.conf").write_text("bogus: 1\n# natslint: ignore[NL101]\nother: 1\n  # natslint: ignore[NL102]\nserver_name: n\n")
    result = check_paths(["."], Settings(), root=str(tmp_path))
    got = [(f.code, f.span.path, f.span.line, f.span.col) for f in result.findings]
    assert got == [("NL101", "n.conf", 1, 1), ("NL901", "n.conf", 4, 3)]


def test_debug_reaches_a_crashing_rule(tmp_path, monkeypatch):
    from natslint.codes import UNKNOWN_OPTION
    from natslint.rules import runner
    from natslint.rules.base import Rule

    def explode(ctx):
        raise ZeroDivisionError("rule bug")
        yield  # pragma: no cover

    monkeypatch.setattr(runner, "RULES", (Rule(UNKNOWN_OPTION, explode),))
    monkeypatch.setattr(runner.run_rules, "__defaults__", ((Rule(UNKNOWN_OPTION, explode),),))
    (tmp_path / "n.conf").write_text("port: 4222\n")
    runner_ = CliRunner()
    plain = runner_.invoke(app, ["check", "-f", "json", str(tmp_path)])
    assert plain.exit_code == 1
    (finding,) = json.loads(plain.stdout)["findings"]
    assert finding["code"] == "NL000" and "ZeroDivisionError: rule bug" in finding["message"]
    debug = runner_.invoke(app, ["check", "--debug", str(tmp_path)])
    assert debug.exit_code == 2
    assert "Traceback" in debug.stderr and "ZeroDivisionError: rule bug" in debug.stderr


def test_real_sees_a_repointed_symlink_within_one_process(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    link = tmp_path / "current"
    link.symlink_to(tmp_path / "a")
    assert paths.real(str(link)) == str(tmp_path / "a")
    link.unlink()
    link.symlink_to(tmp_path / "b")
    assert paths.real(str(link)) == str(tmp_path / "b")


def test_paths_are_shown_relative_to_the_root_whatever_the_working_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "n.conf").write_text("bogus: 1\nport: 4222\n")
    result = check_paths(["sub"], Settings(), root=str(tmp_path))
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [("NL101", "sub/n.conf", 1)]
    assert os.getcwd() != str(tmp_path)


def test_an_overlay_replaces_a_file_without_touching_the_disk(tmp_path):
    (tmp_path / "n.conf").write_text("port: 4222\n")
    result = check_paths(["."], Settings(), root=str(tmp_path), overlays={"n.conf": "port: 4222\nbogus: 1\n"})
    assert [(f.code, f.span.line) for f in result.findings] == [("NL101", 2)]
    assert (tmp_path / "n.conf").read_text() == "port: 4222\n"


def test_a_read_only_cache_folder_gives_the_same_output(tmp_path, monkeypatch):
    from natslint.syntax import lalr

    text = "m { a }\nport: 4222\n"
    (tmp_path / "n.conf").write_text(text)
    expected = [(f.code, f.span.line) for f in check_paths(["."], Settings(), root=str(tmp_path)).findings]
    # a cache folder that cannot be created (a file stands where it would be): fails even as root
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("NATSLINT_CACHE_DIR", str(blocker))
    lalr._table.cache_clear()
    try:
        got = [(f.code, f.span.line) for f in check_paths(["."], Settings(), root=str(tmp_path)).findings]
    finally:
        lalr._table.cache_clear()
    assert got == expected and ("NL006", 1) in got


def test_a_file_without_a_suffix_is_sniffed_by_its_head_not_read_whole(tmp_path):
    (tmp_path / "blob").write_bytes(b"\x00\x01" * 500_000)  # a binary someone committed
    (tmp_path / "nats").write_text("port: 4222\nbogus: 1\n")  # a config without a suffix
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [("NL101", "nats", 2)]
    assert not result.sources.seen("blob") and result.sources.seen("nats")


def test_a_check_leaves_no_reference_cycles_of_its_own():
    """The command line runs with the cyclic collector off (a lint run builds one large graph
    and exits): an object of natslint's that only the collector could free stays to the end.
    A lexer that held its own bound methods kept every file's tokens alive (287 -> 237 MB on a
    3 MB config)."""
    import gc

    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        results = [check_paths([name], Settings(), root=str(FIXTURES))  # a kustomization, a NATS chart rendered
                   for name in [*MIXED, "k8s-kustomize-lattice", "helm-jetstream-two-replicas", "helm-host-values"]]
        gc.collect()
        ours = Counter(type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("natslint"))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert all(r.findings is not None for r in results)
    assert ours == Counter()
