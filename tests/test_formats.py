"""Each output format against its consumer: the SARIF schema, the Actions runner's escaping, JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from shared import shared_json
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli.app import app
from natslint.codes import SYNTAX_ERROR
from natslint.report.github import CAP, annotation, escape_data, escape_property
from natslint.span import Span

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "compose-leaf-reuses-domain"
runner = CliRunner()


def unescape(text: str) -> str:
    """What the Actions runner does to a message or property value."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_sarif_validates_against_the_schema(monkeypatch):
    import jsonschema

    monkeypatch.chdir(FIXTURE)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(FIXTURE))  # %SRCROOT%: the repository root
    result = runner.invoke(app, ["check", "-f", "sarif", "."])
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, shared_json("schemas", "sarif-schema-2.1.0.json"))
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "NL202" in ids and all(r["help"]["markdown"] for r in run["tool"]["driver"]["rules"])
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"])
    assert got == [("NL202", "nats/leaf-b.conf", 6)]  # the host's NL302/NL304 follow from it, folded in
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
               for r in run["results"])
    nl202 = next(r for r in run["results"] if r["ruleId"] == "NL202")
    assert nl202["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "nats/hub-1.conf"


def test_sarif_fingerprints_survive_line_shifts(tmp_path, monkeypatch):
    conf = "port: 4222\nping_interval: 1.5s\n"
    (tmp_path / "n.conf").write_text(conf)
    monkeypatch.chdir(tmp_path)
    first = json.loads(runner.invoke(app, ["check", "-f", "sarif", "."]).stdout)["runs"][0]["results"][0]
    (tmp_path / "n.conf").write_text("# a comment\n\n" + conf)
    second = json.loads(runner.invoke(app, ["check", "-f", "sarif", "."]).stdout)["runs"][0]["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert second["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert first["partialFingerprints"] == second["partialFingerprints"]


def test_github_escaping_round_trips_through_the_runner_rules():
    span = Span("odd,dir:x/n.conf", 0, 3, 2, 5, 2, 8)
    f = SYNTAX_ERROR.at(span, "100% wrong\nsecond line, with: colons", fix="a\rb")
    line = annotation(f)
    m = re.match(r"::error (?P<props>[^:]*)::(?P<msg>.*)$", line)
    assert m, line
    props = dict(p.split("=", 1) for p in m["props"].split(","))
    assert unescape(props["file"]) == "odd,dir:x/n.conf"
    assert (props["line"], props["col"], props["endColumn"]) == ("2", "5", "8")
    assert unescape(props["title"]) == "natslint (NL001 syntax-error)"
    assert unescape(m["msg"]) == "odd,dir:x/n.conf:2:5: NL001 100% wrong\nsecond line, with: colons\nFix: a\rb"
    assert "\n" not in line and "\r" not in line
    assert escape_data("%0A") == "%250A" and escape_property("a:b,c") == "a%3Ab%2Cc"


def test_github_columns_only_on_single_line_spans():
    f = SYNTAX_ERROR.at(Span("n.conf", 0, 9, 1, 3, 4, 2), "multi-line")
    assert "col=" not in annotation(f) and "endLine=4" in annotation(f)


def test_github_is_chosen_on_actions_capped_and_summarised(tmp_path, monkeypatch):
    (tmp_path / "n.conf").write_text("".join(f"k{i}: 1\n" for i in range(CAP + 5)) + "server_name: n\n")
    summary = tmp_path / "summary.md"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = runner.invoke(app, ["check", "."])
    lines = result.stdout.splitlines()
    assert sum(1 for x in lines if x.startswith("::error ")) == CAP
    assert lines[-1].startswith("::notice title=natslint::5 more findings are not annotated")
    table = summary.read_text()
    assert table.count("| error | NL101 unknown-option |") == CAP + 5


def test_also_writes_several_outputs_in_one_run(tmp_path, monkeypatch):
    (tmp_path / "n.conf").write_text("port: 4222\nbogus: 1\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "-f", "json", "--also", "sarif:out.sarif", "--also", "github:gh.txt", "."])
    assert json.loads(result.stdout)["findings"][0]["code"] == "NL101"
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "NL101"
    assert (tmp_path / "gh.txt").read_text().startswith("::error file=n.conf,line=2")
    assert runner.invoke(app, ["check", "--exit-zero", "."]).exit_code == 0


def test_colour_only_when_asked(tmp_path, monkeypatch):
    (tmp_path / "n.conf").write_text("bogus: 1\nport: 4222\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = runner.invoke(app, ["check", "."]).stdout  # not a terminal: no colour
    assert "\x1b[" not in plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31m" in runner.invoke(app, ["check", "."]).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(app, ["check", "."]).stdout


def test_progress_only_on_a_terminal_and_for_large_trees(monkeypatch):
    import io
    import sys as _sys

    from natslint.cli.check import _progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(_sys, "stderr", io.StringIO())
    assert _progress() is None  # not a terminal
    tty = Tty()
    monkeypatch.setattr(_sys, "stderr", tty)
    show = _progress()
    show(50, 100)  # a small tree: nothing
    assert tty.getvalue() == ""
    for n in range(1, 301):
        show(n, 300)
    assert tty.getvalue().endswith("\rnatslint: parsed 300/300 configs\n")


def test_check_defaults_to_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "n.conf").write_text("bogus: 1\nport: 4222\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "-f", "json"])
    assert json.loads(result.stdout)["findings"][0]["path"] == "n.conf"
