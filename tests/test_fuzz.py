"""Fuzzing every entry point: the lexer and parser, the fleet builder, every rule and every
output format, on fixture fleets and corpus files mutated byte by byte.  The only acceptable
outcomes are findings and located errors.  NATSLINT_FUZZ_EXAMPLES sets the size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared import SHARED

from natslint.check import Settings, check_paths
from natslint.report import FORMATS, render
from natslint.report.graph import render_dot, render_mermaid, render_tree

pytestmark = pytest.mark.fuzz
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir())
CORPUS = sorted((SHARED / "corpus").rglob("*")) if (SHARED / "corpus").is_dir() else []
CORPUS = [p for p in CORPUS if p.is_file() and p.suffix in (".conf", ".cfg", ".yaml", ".yml")]
INSERTS = [b"{", b"}", b"[", b"]", b"\n", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"$", b"${X:-", b"*a", b"&a",
           b"include ", b"#", b"//", b"'", b'"', b":", b"=", b"-", b"  ", b"!!python/object", b"\t", b"9999999999999"]


def mutate(data: bytes, draw) -> bytes:
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "flip", "truncate"]))
        if op == "insert":
            data = data[:at] + draw(st.sampled_from(INSERTS)) + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 8)):]
        elif op == "flip" and data:
            i = min(at, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
        else:
            data = data[:at]
    return data


def run_everything(path: Path) -> None:
    # debug: a reader or rule failure must fail the test, not become NL000
    result = check_paths(["."], Settings(env={}, env_visible=True, debug=True), root=str(path))
    for fmt in FORMATS:
        render(fmt, result)
    for draw in (render_mermaid, render_dot, render_tree):
        draw(result)
    for f in result.findings:
        assert f.span.line >= 1 and f.span.col >= 1 and f.code.startswith("NL")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_mutated_fixture_fleets(tmp_path_factory, data):
    fleet = data.draw(st.sampled_from(FIXTURES), label="fleet")
    work = tmp_path_factory.mktemp("fleet")
    shutil.copytree(fleet, work / "f")
    files = sorted(p for p in (work / "f").rglob("*") if p.is_file())
    for _ in range(data.draw(st.integers(1, 3), label="files")):
        target = data.draw(st.sampled_from(files), label="file")
        target.write_bytes(mutate(target.read_bytes(), data.draw))
    run_everything(work / "f")


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is absent (it lives beside the repo)")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_mutated_corpus_files(tmp_path_factory, data):
    source = data.draw(st.sampled_from(CORPUS), label="file")
    work = tmp_path_factory.mktemp("corpus")
    (work / source.name).write_bytes(mutate(source.read_bytes(), data.draw))
    run_everything(work)
