"""The second process changes the time, never the answer: same bytes out, no process left."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import natslint.syntax.ahead as ahead
from natslint import parallel
from natslint.check import Settings, check_paths
from natslint.report import render

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gen_fleet import generate  # noqa: E402

needs_fork = pytest.mark.skipif(not parallel.available(), reason="no fork here (Linux with 2+ CPUs only)")
ENV = Settings(env={"SYS_PASS": "s", "LEAF_PASS": "l"}, env_visible=True)


def children() -> set[int]:
    """PIDs of this process's children (Linux /proc)."""
    out = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        f = task / "children"
        if f.exists():
            out |= {int(p) for p in f.read_text().split()}
    return out


def run(path: Path, monkeypatch, jobs: str, settings: Settings = ENV) -> tuple[str, str]:
    monkeypatch.setenv("NATSLINT_JOBS", jobs)
    monkeypatch.setattr(ahead, "PARALLEL_MIN_CONFIGS", 1)  # fork even for small fleets
    result = check_paths(["."], settings, root=str(path))
    return render("json", result), render("sarif", result)


@needs_fork
@pytest.mark.parametrize("fleet", sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir()))
def test_fixture_fleets_give_the_same_bytes_with_and_without_the_second_process(fleet, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "fixtures" / fleet, tmp_path / fleet)
    before = children()
    assert run(tmp_path / fleet, monkeypatch, "2") == run(tmp_path / fleet, monkeypatch, "1")
    assert children() == before


@needs_fork
def test_a_generated_fleet_with_bad_files_gives_the_same_bytes(tmp_path, monkeypatch):
    generate(120, tmp_path)
    edge = sorted((tmp_path / "region-001" / "edge").iterdir())
    edge[-1].write_bytes(b"port: 4222\x00\n")  # binary: skipped by the child, reported by the parent
    edge[-2].write_bytes(b"port: \xff\n")  # not UTF-8
    edge[-3].write_text("jetstream {\n  domain: x\n")  # does not parse
    edge[-4].write_text("m { a }\nport: $NOPE\n")  # a dangling key, an undefined variable
    serial = run(tmp_path, monkeypatch, "1")
    assert '"NL005"' in serial[0] and '"NL001"' in serial[0]
    assert run(tmp_path, monkeypatch, "2") == serial


@needs_fork
def test_a_result_comes_back_from_the_child():
    before = children()
    pending = parallel.start(os.getpid)
    assert pending.pid in children()
    assert pending.result() not in (os.getpid(), None)  # computed over there
    pending.close()
    assert children() == before


def _fails_in_a_child(parent: int) -> str:
    if os.getpid() != parent:
        raise RuntimeError("the child breaks")
    return "done here"


@needs_fork
def test_a_failing_child_means_the_work_is_done_here():
    pending = parallel.start(_fails_in_a_child, os.getpid())
    assert pending.result() == "done here"
    pending.close()


def _dies_midway(parent: int) -> bytes:
    if os.getpid() != parent:
        os.kill(os.getpid(), 9)
    return b"x" * 100


@needs_fork
def test_a_child_killed_midway_means_the_work_is_done_here():
    pending = parallel.start(_dies_midway, os.getpid())
    assert pending.result() == b"x" * 100
    pending.close()


@needs_fork
def test_a_child_whose_answer_is_not_wanted_is_stopped():
    before = children()
    pending = parallel.start(__import__("time").sleep, 30)
    pending.close()
    assert children() == before


def test_without_fork_the_call_runs_here(monkeypatch):
    monkeypatch.setenv("NATSLINT_JOBS", "1")
    pending = parallel.start(os.getpid)
    assert pending.pid == 0
    assert pending.result() == os.getpid()


@needs_fork
def test_lexing_ahead_gives_the_files_it_read_and_leaves_the_others_to_this_process(tmp_path, monkeypatch):
    """The child lexes what it can read; a path it could not read (gone, a folder) is not
    offered, so this process reads it and reports it as always; the child is reaped."""
    from natslint.sources import SourceCache
    from natslint.syntax.parser import Loader

    monkeypatch.setattr(ahead, "PARALLEL_MIN_CONFIGS", 1)
    monkeypatch.setattr(ahead, "OWN_SHARE", 0.0)
    (tmp_path / "a.conf").write_text("port: 4222\n")
    (tmp_path / "b.conf").write_text("server_name: b\n")
    (tmp_path / "dir.conf").mkdir()
    before = children()
    got = ahead.lex_ahead(["a.conf", "b.conf", "gone.conf", "dir.conf"],
                          Loader(strict_text=True, sources=SourceCache(str(tmp_path), None, 1 << 20)))
    assert got is not None and got._pending.pid in children()
    assert "gone.conf" not in got and "dir.conf" not in got and "other.conf" not in got
    text, lexed = got.pop("b.conf")
    assert text == "server_name: b\n" and [(t.kind, t.value) for t in lexed.tokens][:2] == [("KEY", "server_name"),
                                                                                          ("STRING", "b")]
    assert "b.conf" not in got and "a.conf" in got  # each is used once
    got.close()
    assert children() == before and "a.conf" not in got


def test_lexing_ahead_is_not_started_for_a_few_configs_or_without_fork(monkeypatch):
    from natslint.syntax.parser import Loader

    assert ahead.lex_ahead(["a.conf"], Loader()) is None  # below PARALLEL_MIN_CONFIGS
    monkeypatch.setattr(ahead, "PARALLEL_MIN_CONFIGS", 1)
    monkeypatch.setenv("NATSLINT_JOBS", "1")
    assert ahead.lex_ahead(["a.conf"], Loader()) is None
