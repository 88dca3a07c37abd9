"""`--format gitlab` (GitLab Code Quality) and `--format junit`, validated against their schemas."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).resolve().parent / "schemas"


def _run(monkeypatch, fmt: str, fixture: str) -> str:
    monkeypatch.chdir(ROOT)
    got = CliRunner().invoke(app, ["check", "--format", fmt, f"fixtures/{fixture}"])
    assert got.exit_code in (0, 1), got.output
    return got.output


def test_gitlab_code_quality_has_the_fields_gitlab_reads(monkeypatch):
    issues = json.loads(_run(monkeypatch, "gitlab", "compose-leaf-reuses-domain"))
    jsonschema.validate(issues, json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text()))
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] \
        == [("NL202", "critical", "fixtures/compose-leaf-reuses-domain/nats/leaf-b.conf", 6)]
    assert issues[0]["description"].startswith("NL202 leaf-reuses-domain: leaf server `leaf-b` reuses domain `hub`")


def test_gitlab_fingerprints_survive_lines_moving_and_tell_occurrences_apart(tmp_path, monkeypatch):
    from natslint.check import Settings, check_paths
    from natslint.report.ci_formats import gitlab_issues

    conf = "server_name: a\nleafnodes { remotes: [ { url: \"nats://x:4222\" }, { url: \"nats://x:4222\" } ] }\n"
    (tmp_path / "a.conf").write_text(conf)
    monkeypatch.chdir(tmp_path)
    first = gitlab_issues(check_paths(["."], Settings(), root=str(tmp_path)))
    (tmp_path / "a.conf").write_text("# moved down\n" + conf)
    moved = gitlab_issues(check_paths(["."], Settings(), root=str(tmp_path)))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in moved]
    assert [i["location"]["lines"]["begin"] for i in moved] == [i["location"]["lines"]["begin"] + 1 for i in first]
    assert len({i["fingerprint"] for i in first}) == len(first)


@pytest.mark.parametrize("fixture, failing", [("compose-leaf-reuses-domain", 1), ("compose-lattice", 0)])
def test_junit_validates_and_has_a_case_per_file(monkeypatch, fixture, failing):
    import xmlschema

    text = _run(monkeypatch, "junit", fixture)
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(text)
    suite = ET.fromstring(text).find("testsuite")
    cases = suite.findall("testcase")
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures" / fixture).rglob("*")
                   if p.is_file() and p.name != "expected.txt")
    assert sorted(c.get("name") for c in cases) == files
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == failing == int(suite.get("failures"))
    if failing:
        [f] = failed[0].findall("failure")
        assert f.get("type") == "NL202 leaf-reuses-domain" and f.get("message").startswith(
            f"fixtures/{fixture}/nats/leaf-b.conf:6:11: leaf server `leaf-b` reuses domain `hub`")


def test_also_writes_gitlab_beside_the_text(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "gl-code-quality-report.json"
    got = CliRunner().invoke(app, ["check", "--also", f"gitlab:{target}", "fixtures/compose-leaf-reuses-domain"])
    assert got.exit_code == 1 and "NL202 [error]" in got.output
    assert [i["check_name"] for i in json.loads(target.read_text())] == ["NL202"]
