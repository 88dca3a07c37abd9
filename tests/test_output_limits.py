"""Outputs that respect their consumers: the terminal's width, GitHub's job-summary size, what
code scanning accepts of a SARIF run, and `%SRCROOT%` as the repository root. Each through the
real process."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "fixtures" / "localhost-two-hubs"


def natslint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "natslint", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_text_folds_to_columns_and_never_the_location_line_or_a_url(tmp_path):
    whole = natslint("check", ".", cwd=FLEET).stdout  # into a pipe: lines stay whole
    folded = natslint("check", ".", cwd=FLEET, env={"COLUMNS": "60"}).stdout
    assert whole != folded
    assert "   = note: 127.0.0.1:7422 matches 2 servers: server `hub-a` (leafnode listener at " in whole
    for line in folded.splitlines():
        first = line.split(" ")[0]
        if len(line) > 60:
            # what may stay long: a location line, a code frame, the docs URL, one word too long
            assert line in whole.splitlines() and (
                first.endswith(":") and " NL" in line or " | " in line or line.startswith("   = docs: ")
                or len(line.split()) <= 3), line
    # folding only moves words: the same words in the same order
    assert folded.split() == whole.split()
    assert "\n           (leafnode listener at hub-a.conf:4), server\n" in folded  # under the note's text
    # a file written by -o or --also is never folded
    natslint("check", ".", "-o", str(tmp_path / "out.txt"), "--also", f"text:{tmp_path / 'also.txt'}",
             cwd=FLEET, env={"COLUMNS": "60"})
    assert (tmp_path / "out.txt").read_text() == whole == (tmp_path / "also.txt").read_text()


@pytest.fixture(scope="module")
def flood(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """26,000 findings: 25,000 warnings (`2m30s` unquoted) and 1,000 errors (unknown keys) written
    last, so a cap that kept the first would lose every error."""
    where = tmp_path_factory.mktemp("flood")
    lines = ["port: 4222", "mappings {", *(f"  m{i}: 2m30s" for i in range(25000)), "}",
             *(f"tpyo{i}: 1" for i in range(1000))]
    (where / "n.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (where / "summary.md").write_text("")
    proc = natslint("check", "n.conf", "-f", "github", "--also", "sarif:out/n.sarif", "--also", "json:n.json",
                    cwd=where, env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(where / "summary.md")})
    return where, proc


def test_the_job_summary_stays_under_1_mib_and_counts_what_it_left_out(flood):
    where, proc = flood
    # a usage error: the --also folder does not exist
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "out" in proc.stderr
    proc = natslint("check", "n.conf", "-f", "github", "--also", "sarif:n.sarif", "--also", "json:n.json",
                    cwd=where, env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(where / "summary.md")})
    assert proc.returncode == 1, proc.stderr
    total = len(json.loads((where / "n.json").read_text())["findings"])
    assert total == 26000
    summary = (where / "summary.md").read_bytes()
    assert len(summary) <= 1024 * 1024
    text = summary.decode()
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| severity")]
    said = next(line for line in text.splitlines() if "more findings are not listed" in line)
    assert said == f"**{total - len(rows)} more findings are not listed: GitHub caps a job summary at 1 MiB. " \
                   "`natslint check` and its JSON output list them all.**"
    assert all(row.startswith("| error |") for row in rows[:1000])  # the most severe first
    assert len(rows) > 4000
    # annotations: 10 a level and one notice
    assert sum(1 for line in proc.stdout.splitlines() if line.startswith("::")) == 21


def test_sarif_keeps_the_5000_most_severe_results_and_says_how_many_it_dropped(flood):
    import jsonschema
    from shared import shared_json

    where, _ = flood
    doc = json.loads((where / "n.sarif").read_text())
    jsonschema.validate(doc, shared_json("schemas", "sarif-schema-2.1.0.json"))
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == 5000
    levels = [r["level"] for r in results]
    assert levels.count("error") == 1000 and levels[:1000] == ["error"] * 1000
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("21000 of 26000 results were left out: ")


def test_sarif_caps_related_locations_at_100(tmp_path, monkeypatch):
    from natslint.check import Settings, check_paths
    from natslint.findings import Related
    from natslint.report.sarif import render_sarif

    (tmp_path / "n.conf").write_text("port: 4222\ntpyo: 1\n")
    monkeypatch.chdir(tmp_path)
    result = check_paths(["n.conf"], Settings(env={}, env_visible=True), root=str(tmp_path))
    (f,) = result.findings
    many = dataclasses.replace(f, related=tuple(Related(f.span, f"place {i}") for i in range(150)))
    result.findings[:] = [many]
    run = json.loads(render_sarif(result))["runs"][0]
    assert [r["message"]["text"] for r in run["results"][0]["relatedLocations"]] == [f"place {i}" for i in range(100)]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == \
        "1 result keeps their first 100 related locations."


def _uris_and_prints(proc: subprocess.CompletedProcess) -> tuple[str, list[tuple[str, str]]]:
    run = json.loads(proc.stdout)["runs"][0]
    return (run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["partialFingerprints"]["natslintFingerprint/v2"]) for r in run["results"]])


def test_srcroot_is_the_repository_root_and_fingerprints_do_not_depend_on_the_working_folder(tmp_path):
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "n.conf").write_text("port: 4222\ntpyo: 1\n")
    # no repository: the working folder
    root, got = _uris_and_prints(natslint("check", "-f", "sarif", ".", cwd=repo / "deploy"))
    assert root == (repo / "deploy").as_uri() + "/" and [u for u, _ in got] == ["n.conf"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    # the git top level, from the top and from a subfolder: the same URIs and fingerprints
    top = _uris_and_prints(natslint("check", "-f", "sarif", "deploy", cwd=repo))
    sub = _uris_and_prints(natslint("check", "-f", "sarif", ".", cwd=repo / "deploy"))
    assert top == sub == (repo.as_uri() + "/", [("deploy/n.conf", top[1][0][1])])
    # GITHUB_WORKSPACE wins; a file outside it gets an absolute URI and no uriBaseId
    root, got = _uris_and_prints(natslint("check", "-f", "sarif", ".", cwd=repo / "deploy",
                                          env={"GITHUB_WORKSPACE": str(repo / "deploy")}))
    assert root == (repo / "deploy").as_uri() + "/" and [u for u, _ in got] == ["n.conf"]
    (tmp_path / "elsewhere").mkdir()
    root, got = _uris_and_prints(natslint("check", "-f", "sarif", str(repo / "deploy"), cwd=tmp_path,
                                          env={"GITHUB_WORKSPACE": str(tmp_path / "elsewhere")}))
    assert [u for u, _ in got] == [(repo / "deploy" / "n.conf").as_uri()]
