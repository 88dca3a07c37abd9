"""The sharp edges a new user hit (issue 34): output errors, the concise format, statistics and
rules as JSON, --diff's message, whole-file findings, --fleets-of outside every fleet, wadm in the
summary and the coverage."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli import rules as _rules  # noqa: F401
from natslint.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def unwritable_targets(tmp_path: Path) -> list[str]:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = [str(tmp_path / "a-file" / "report.txt")]  # its folder is a file
    out += [p for p in ("/dev/full", "/proc/version") if os.path.exists(p)]
    return out


@pytest.mark.parametrize("how", ["-o", "--also"])
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(how, tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-wadm-split-ok")
    for target in unwritable_targets(tmp_path):
        args = ["-o", target] if how == "-o" else ["--also", f"sarif:{target}"]
        result = run("check", "--isolated", ".", *args)
        assert result.exit_code == 2, (target, result.output)
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(errors) == 1 and errors[0].startswith(f"natslint: error: cannot write {target}"), errors
        assert "Traceback" not in result.output


def test_the_concise_format_is_one_line_a_finding(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-mistyped-addresses")
    result = run("check", "--isolated", "--format", "concise", ".")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "docker-compose.yml:43:28: NL406 [error] host `wasmcloud-west` connects to nats-edge-wset:4222, which does "
        "not resolve to one server",
        "docker-compose.yml:49:25: NL406 [error] wadm `wadm` connects to nats-hub-1:4223, which is not a client "
        "port: server `nats-hub-1` listens for clients on 4222",
        "Found 2 findings.",
    ]


def test_a_mistyped_name_says_did_you_mean_and_a_wrong_port_is_not_resolved(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-mistyped-addresses")
    out = json.loads(run("check", "--isolated", "--format", "json", ".").stdout)
    typo, port = out["findings"]
    assert typo["fix"] == "did you mean `nats-edge-west`? Set WASMCLOUD_NATS_HOST to nats-edge-west"
    assert port["fix"] == "connect to nats-hub-1:4222"
    wadm = out["summary"]["coverage"]["wadm"]
    assert (wadm["total"], wadm["resolved"], wadm["wrong_port"]) == (1, 0, 1)


def test_statistics_honour_the_json_format(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-mistyped-addresses")
    rows = json.loads(run("check", "--isolated", "--format", "json", "--statistics", ".").stdout)
    assert rows == [{"code": "NL406", "name": "unresolved-address", "count": 2, "fixable": False}]


def test_rules_as_json_in_code_order_with_the_readmes_severities():
    from natslint.report.rule_table import table

    rows = json.loads(run("rules", "--format", "json").stdout)
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    readme_rows = [line.split(" | ") for line in table().splitlines()[2:]]
    assert [(r[0].lstrip("| "), r[2]) for r in readme_rows] == [(r["code"], " / ".join(r["severities"]))
                                                                for r in rows]
    assert run("rules", "--format", "yaml").exit_code == 2


def test_diff_says_when_no_fix_would_be_applied(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-leaf-reuses-domain")
    result = run("check", "--isolated", "--diff", ".")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip() == "No fixes would be applied (1 available with `--unsafe-fixes`)."


def test_a_whole_file_finding_has_no_code_frame(tmp_path, monkeypatch):
    (tmp_path / "nats.conf").write_bytes(b"\x00\x01binary")
    monkeypatch.chdir(tmp_path)
    lines = run("check", "--isolated", ".").stdout.splitlines()
    assert lines[0] == "nats.conf:1:1: NL005 [error] skipped nats.conf: binary file (it holds NUL bytes)"
    assert lines[1].startswith("   = docs: ")


def test_fleets_of_names_a_changed_file_no_fleet_reads(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-wadm-split-ok")
    result = run("check", "--isolated", "--fleets-of", "docker-compose.yml", "expected.txt")
    assert result.exit_code == 0
    assert result.stderr.strip() == ("natslint: expected.txt belongs to no fleet: no NATS config or deployment "
                                     "the check reads")


def test_the_summary_counts_wadm_apart_from_hosts(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-wadm-split-ok")
    assert "  compose   docker-compose.yml  (5 servers, 2 hosts, 1 wadm)" in run("check", "--isolated", ".").stdout


def test_an_unclosed_quote_points_at_where_it_opened_and_nothing_follows_from_it(tmp_path, monkeypatch):
    (tmp_path / "hub.conf").write_text('server_name: hub\nport: 4222\njetstream {\n  store_dir: /data\n'
                                       '  domain: "hub\n}\nleafnodes {\n  port: 7422\n}\n', encoding="utf-8")
    (tmp_path / "leaf.conf").write_text('server_name: leaf\nleafnodes { remotes: [ { url: "nats-leaf://hub:7422" } ] }\n',
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = json.loads(run("check", "--isolated", "--format", "json", "--fail-on", "info", ".").stdout)
    (only,) = out["findings"]  # no NL402/NL406 about a hub whose config nobody could read
    assert (only["code"], only["path"], only["line"], only["message"]) == ("NL001", "hub.conf", 10, "Unexpected EOF.")
    assert [(r["path"], r["line"], r["column"]) for r in only["related"]] == [("hub.conf", 5, 11)]
    assert "the quote that opens on line 5, column 11 never closes" in only["notes"][0]
    assert out["summary"]["coverage"]["leaf_links"]["unknown_config"] == 1


def test_invalid_yaml_is_reported_where_the_parser_stopped(tmp_path, monkeypatch):
    (tmp_path / "docker-compose.yml").write_text('services:\n  a:\n    image: nats\n   command: ["-c"]\n',
                                                 encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (f,) = json.loads(run("check", "--isolated", "--format", "json", ".").stdout)["findings"]
    assert (f["code"], f["line"], f["column"]) == ("NL005", 4, 4)
    assert f["message"] == ("skipped docker-compose.yml: not valid YAML: expected <block end>, but found "
                            "'<block mapping start>' (while parsing a block mapping that starts on line 2)")


def test_dump_says_what_a_yaml_file_is_and_renders_chart_values(monkeypatch):
    from natslint.cli import dump as _dump  # noqa: F401

    monkeypatch.chdir(FIXTURES)
    values = run("dump", "helm-platform-edge-ok/edge/values.yaml")
    assert values.exit_code == 0 and "holds values of the NATS Helm chart" in values.stderr
    config = json.loads(values.stdout)
    assert config["jetstream"]["domain"] == "edge" and config["leafnodes"]["port"] == 7422
    compose = run("dump", "compose-lattice/docker-compose.yml")
    assert compose.exit_code == 2 and "is a compose file" in compose.stderr and "nats-server" not in compose.stderr


def test_a_compose_map_value_is_underlined_and_the_fix_is_written_as_the_file_writes_it(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-wadm-split")
    (f,) = json.loads(run("check", "--isolated", "--format", "json", ".").stdout)["findings"]
    assert f["fix"] == "set `WASMCLOUD_JS_DOMAIN: hub`"
    monkeypatch.chdir(FIXTURES / "compose-mistyped-addresses")
    typo = json.loads(run("check", "--isolated", "--format", "json", ".").stdout)["findings"][0]
    # `WASMCLOUD_NATS_HOST: nats-edge-wset`: the value, not one character of the key
    assert (typo["line"], typo["column"], typo["end_line"], typo["end_column"]) == (43, 28, 43, 42)


def test_a_fix_of_one_services_own_environment_key_is_safe(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(FIXTURES / "compose-wadm-split-ok", tmp_path / "f")
    compose = tmp_path / "f" / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("nats-edge-east\n      WASMCLOUD_JS_DOMAIN: hub",
                                                   "nats-edge-east\n      WASMCLOUD_JS_DOMAIN: hbu"))
    monkeypatch.chdir(tmp_path / "f")
    (f,) = json.loads(run("check", "--isolated", "--format", "json", ".").stdout)["findings"]
    assert (f["code"], f["autofix"]["applicability"]) == ("NL301", "safe")
    assert run("check", "--isolated", "--fix", ".").exit_code == 0
    assert "WASMCLOUD_JS_DOMAIN: hub\n  wasmcloud-west" in compose.read_text()


def test_an_unsafe_fix_says_why(monkeypatch):
    monkeypatch.chdir(FIXTURES / "compose-leaf-reuses-domain")
    out = run("check", "--isolated", ".").stdout
    assert ("   = unsafe fix (set the leaf's domain to `leaf-b`): a new domain moves the leaf's JetStream: clients "
            "that use the old name lose it") in out.splitlines()


def test_the_graph_links_a_leaf_with_several_urls_to_the_cluster(monkeypatch):
    from natslint.cli import graph as _graph  # noqa: F401

    monkeypatch.chdir(FIXTURES / "compose-wadm-split")
    lines = run("graph", "--isolated", "--format", "text", ".").stdout.splitlines()
    assert "  ↳ leaf link from nats-edge-east [$G] to cluster hub (via nats-hub-1, nats-hub-2, nats-hub-3)" in lines


def natslint_cli(*args: str) -> "subprocess.CompletedProcess[str]":
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "natslint", *args], capture_output=True, text=True, timeout=60,
                          cwd=FIXTURES / "compose-wadm-split-ok")


@pytest.mark.parametrize("args, said", [
    (("check", "--format", "xml"),
     "natslint: error: invalid value for '--format' / '-f': 'xml' is not one of 'text', 'concise', 'json', "
     "'sarif', 'github', 'gitlab', 'junit'; see `natslint check --help`"),
    (("check", "--formt", "json"),
     "natslint: error: no such option: --formt (Possible options: --format); see `natslint check --help`"),
    (("rule",), "natslint: error: missing argument 'code'; see `natslint rule --help`"),
    (("check", "--color", "purple"), "natslint: error: --color 'purple': use auto, always or never"),
])
def test_every_usage_error_is_one_line_in_one_style(args, said):
    # the parser's errors (click's) and natslint's own read the same: one line, exit 2
    done = natslint_cli(*args)
    assert (done.returncode, done.stderr, done.stdout) == (2, said + "\n", "")


def test_help_metavars_fit_their_column_and_are_never_cut():
    from natslint.cli.app import app as the_app
    import typer.main

    names = {p.name: p.metavar for p in typer.main.get_command(the_app).commands["check"].params}
    assert names["fmt"] == "FORMAT" and names["color"] == "<auto|always|never>"
    # each metavar fits rich's option column at 80 columns: none longer than the longest fixed one
    assert all(m is None or len(m) <= len("<auto|always|never>") for m in names.values()), names
    help_text = natslint_cli("check", "--help").stdout
    assert "text, concise, json, sarif or github" in " ".join(help_text.replace("│", " ").split())


def test_proves_table_keeps_whole_cells():
    from natslint.fleet.model import Server
    from natslint.fleet.reach import Prediction
    from natslint.span import Span
    from natslint.prove.output import text_output
    from natslint.prove.probe import Observed, Probe
    from natslint.prove.run import Proof

    who = "host `a-wasmcloud-host-with-a-very-long-service-name-in-compose`"
    server = Server(id="nats.conf", path="nats.conf", span=Span("nats.conf", 0, 0, 1, 1))
    probe = Probe(who, server, "$G", "hub", Prediction("no_responders"), Observed("no_responders"))
    out = text_output([Proof(probes=[probe])])
    assert f"{who} [$G]  hub     no responders  no responders  ✔" in out.splitlines()
