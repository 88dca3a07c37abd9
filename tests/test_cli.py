"""The command line: exit codes, the JSON contract, paths, environments, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli import dump as _dump  # noqa: F401
from natslint.cli import graph as _graph  # noqa: F401  (the commands these tests invoke)
from natslint.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")


NONE = {"total": 0, "resolved": 0, "external": 0, "ambiguous": 0, "unresolved": 0, "unknown_config": 0,
        "wrong_port": 0}
NO_LINKS = {"leaf_links": NONE, "routes": NONE, "gateways": NONE, "hosts": NONE, "wadm": NONE,
            "servers_unknown_config": 0}


def run_json(args: list[str]) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_clean_fleet_exits_0(tmp_path, monkeypatch):
    write(tmp_path, {"nats.conf": "port: 4222\njetstream { domain: hub, store_dir: /data }\n"})
    monkeypatch.chdir(tmp_path)
    code, out = run_json(["."])
    assert code == 0
    assert out["findings"] == []
    assert out["summary"] == {"files": 1, "errors": 0, "warnings": 0, "infos": 0, "servers": 1, "hosts": 0,
                              "coverage": NO_LINKS, "fleets": [{"name": ".", "kind": "plain", "root": ".", "files": 1, "servers": 1,
                                          "servers_unknown_config": 0, "hosts": 0}]}


def test_json_contract_and_sorting(tmp_path, monkeypatch):
    write(tmp_path, {
        "b/z.conf": "port: 4222\nping_interval: 1.5s\n",
        "a/y.conf": "server_name: \"$HOME\"\ncluster { name }\n",
    })
    monkeypatch.chdir(tmp_path)
    code, out = run_json(["."])
    assert code == 1
    assert out["natslint"]
    got = [(f["code"], f["path"], f["line"], f["column"], f["severity"]) for f in out["findings"]]
    assert got == [
        ("NL008", "a/y.conf", 1, 14, "info"),  # "$HOME": literal, and HOME is not in the lint environment
        ("NL006", "a/y.conf", 2, 11, "warning"),
        ("NL101", "a/y.conf", 2, 11, "error"),
        ("NL001", "b/z.conf", 2, 19, "error"),
    ]
    keys = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "related"}
    for f in out["findings"]:
        assert keys <= set(f)
    # b/z.conf does not parse: its server's settings are unknown (counted apart, judged by no rule)
    assert out["summary"] == {"files": 2, "errors": 2, "warnings": 1, "infos": 1, "servers": 1, "hosts": 0,
                              "coverage": {**NO_LINKS, "servers_unknown_config": 1}, "fleets": [
                                  {"name": "a", "kind": "plain", "root": "a", "files": 1, "servers": 1, "servers_unknown_config": 0, "hosts": 0},
                                  {"name": "b", "kind": "plain", "root": "b", "files": 1, "servers": 0, "servers_unknown_config": 1, "hosts": 0}]}


def test_fail_on_threshold(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: $PORT\n"})
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["check", "."]).exit_code == 0  # info only
    assert runner.invoke(app, ["check", "--fail-on", "info", "."]).exit_code == 1


def test_env_makes_undefined_variables_errors_and_resolves_them(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: $PORT\nserver_name: $NAME\n", "deploy.env": "PORT=4222\n"})
    monkeypatch.chdir(tmp_path)
    code, out = run_json(["--env-file", "deploy.env", "n.conf"])
    assert code == 1
    assert [(f["code"], f["line"], f["severity"]) for f in out["findings"]] == [("NL004", 2, "error")]
    code, out = run_json(["--env-file", "deploy.env", "--env", "NAME=hub-1", "n.conf"])
    assert (code, out["findings"]) == (0, [])


def test_process_env_is_not_read_unless_asked(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: $NATSLINT_TEST_PORT\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NATSLINT_TEST_PORT", "4222")
    code, out = run_json(["n.conf"])
    assert [(f["code"], f["severity"]) for f in out["findings"]] == [("NL004", "info")]
    code, out = run_json(["--use-process-env", "n.conf"])
    assert out["findings"] == []


def test_paths_outside_cwd_stay_absolute_and_inside_are_relative(tmp_path, monkeypatch):
    write(tmp_path, {"sub/n.conf": "a = [1 ,2]\nserver_name: n\n"})
    monkeypatch.chdir(tmp_path / "sub")
    _, out = run_json(["n.conf"])
    assert out["findings"][0]["path"] == "n.conf"
    monkeypatch.chdir(ROOT)
    _, out = run_json([str(tmp_path / "sub")])
    assert out["findings"][0]["path"] == (tmp_path / "sub" / "n.conf").as_posix()


def test_usage_errors_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "does-not-exist"])
    assert result.exit_code == 2
    assert "no such file or folder: does-not-exist" in result.stderr
    result = runner.invoke(app, ["check", "--env", "NOEQUALS", "."])
    assert result.exit_code == 2
    assert "expected KEY=VALUE" in result.stderr


def test_internal_error_is_short_without_debug(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 1\n"})
    monkeypatch.chdir(tmp_path)

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("natslint.check.discover", boom)
    result = runner.invoke(app, ["check", "."])
    assert result.exit_code == 2
    assert "internal error: RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr
    result = runner.invoke(app, ["check", "--debug", "."])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "RuntimeError: kaboom" in result.stderr


def test_text_output_has_location_code_frame_and_summary(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\nleafnodes { remotes: [ { url: \"nats://u:$PASS@hub:7422\" } ] }\n"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--env", "PASS=s3cret", "n.conf"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("n.conf:2:31: NL007 [warning] `$PASS` inside quotes is the literal text")
    assert lines[2].startswith(" 2 | leafnodes {")
    assert "u:$PASS@hub" in lines[2]  # a `$VAR` reference holds no secret: it stays readable
    assert "Found 2 findings in 1 file: 0 errors, 1 warning, 1 info." in result.stdout  # + NL406: hub unknown


def test_show_files_lists_read_and_skipped(tmp_path, monkeypatch):
    write(tmp_path, {
        "nats.conf": "port: 4222\n",
        "systemd/override.conf": "[Service]\nEnvironment=WASMCLOUD_JS_DOMAIN=hub\n",
        "node_modules/x.conf": "port: 1\n",
        ".gitignore": "ignored/\n",
        "ignored/y.conf": "port: 2\n",
    })
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--show-files", "."])
    assert result.exit_code == 0
    out = result.stdout
    assert "read     nats.conf" in out
    assert "skipped  systemd/override.conf  (INI sections ([Section] headers): not a NATS config)" in out
    assert "skipped  node_modules/  (tool or VCS folder)" in out
    assert "skipped  ignored/  (matched by .gitignore)" in out


def test_output_file(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\n"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "-f", "json", "-o", "out.json", "n.conf"])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["files"] == 1


def test_dump_resolves_includes_variables_and_duplicates(tmp_path, monkeypatch):
    write(tmp_path, {
        "main.conf": "include inc/base.conf\nport: $P\njetstream { domain: a }\njetstream { store_dir: /d }\n",
        "inc/base.conf": "server_name: hub-1\nP: 4222\n",
    })
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["dump", "main.conf"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "P": 4222, "jetstream": {"store_dir": "/d"}, "port": 4222, "server_name": "hub-1"}


def test_dump_unresolved_variable_is_an_error(tmp_path, monkeypatch):
    write(tmp_path, {"main.conf": "server_name: $SERVER_NAME\n"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["dump", "main.conf"])
    assert result.exit_code == 1
    assert "main.conf:1:14: NL004 [error]" in result.stderr
    assert "nats-server: variable reference for 'SERVER_NAME' on line 1 can not be found" in result.stderr
    result = runner.invoke(app, ["dump", "main.conf", "--env", "SERVER_NAME=hub-1"])
    assert json.loads(result.stdout) == {"server_name": "hub-1"}


def test_python_m_natslint_and_console_script(tmp_path):
    (tmp_path / "n.conf").write_text("port: 4222\n")
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "All checks passed: 1 file, no findings." in proc.stdout


def test_every_command_is_found_by_name():
    """main() loads only the module of the command named on the command line."""
    import importlib

    from natslint.program import COMMANDS, register

    for path in (ROOT / "natslint" / "cli").glob("*.py"):  # every module, whatever COMMANDS says
        importlib.import_module(f"natslint.cli.{path.stem}" if path.stem != "__init__" else "natslint.cli")
    if not any((c.name or c.callback.__name__) == "server" for c in app.registered_commands):
        register(app, COMMANDS["server"])  # the editor knows nothing of the command line
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert registered == set(COMMANDS)
    for name, module in COMMANDS.items():
        assert any((c.name or c.callback.__name__) == name and c.callback.__module__ == module
                   for c in app.registered_commands)


def test_the_process_leaves_with_its_exit_code_and_all_its_output(tmp_path):
    """main() leaves through os._exit: every byte must be out and the code must be kept."""
    def run(*args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "natslint", *args], capture_output=True, cwd=ROOT, **kw)

    proc = run("check", "fixtures/compose-leaf-reuses-domain", "-f", "json")
    assert proc.returncode == 1
    assert sorted({f["code"] for f in json.loads(proc.stdout)["findings"]}) == ["NL202"]  # NL302/NL304 folded into it
    assert run("check", "fixtures/compose-lattice", "-f", "sarif").returncode == 0
    bad = run("check", str(tmp_path / "missing"))
    assert bad.returncode == 2 and b"no such file or folder" in bad.stderr
    assert run("check", "--no-such-flag").returncode == 2
    # a reader that stops early (`| head -1`) while much is still to come: the exit code
    # stays, and no traceback
    for i in range(400):
        (tmp_path / f"s{i}.conf").write_text(f"server_name: s{i}\nbogus_option: 1\n")
    with subprocess.Popen([sys.executable, "-m", "natslint", "check", str(tmp_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) as p:
        p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read()
    assert p.returncode == 1 and b"Traceback" not in err and b"BrokenPipe" not in err


LAZY = ("rich", "lark", "pydantic", "importlib.metadata", "natslint.natsjwt", "natslint.deploy.compose",
        "natslint.deploy.kubernetes", "natslint.deploy.charts", "natslint.deploy.chartrelease",
        "natslint.deploy.natschart", "natslint.deploy.systemd", "natslint.deploy.kpatch", "natslint.memo",
        "natslint.baseline", "hashlib")


def test_json_check_of_plain_configs_loads_no_reader_it_does_not_need(tmp_path):
    """Rendering (rich), the grammar (lark), plugin discovery (importlib.metadata), the JWT
    reader and the deployment readers load only when a run needs them: a pre-commit hook over
    plain configs and a host's .env pays for none of them."""
    (tmp_path / "n.conf").write_text("port: 4222\n")
    (tmp_path / "host.env").write_text("WASMCLOUD_JS_DOMAIN=core\n")
    # main() leaves through os._exit; here it must come back to list the modules loaded
    code = ("import os, sys, runpy; sys.argv=['natslint','check','-f','json',%r];\n"
            "def leave(code):\n    raise SystemExit(code)\n"
            "os._exit = leave\n"
            "try:\n    runpy.run_module('natslint', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in %r or m in %r))"
            % (str(tmp_path), LAZY, LAZY))
    env = dict(os.environ, NATSLINT_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)  # warm
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "LOADED []" in proc.stdout, proc.stdout + proc.stderr


def test_cli_errors_are_one_line_and_exit_2(tmp_path, monkeypatch):
    import subprocess
    import sys

    write(tmp_path, {"n.conf": "port: 4222\n"})
    cases = {("-o", str(tmp_path / "missing" / "out.json")): "the folder",
             ("-o", str(tmp_path)): "it is a folder",
             ("--also", f"sarif:{tmp_path / 'nope' / 'x.sarif'}"): "does not exist",
             ("--nats-version", "banana"): "expected a version like 2.14.3",
             ("--select", "NL2,NLX"): "--select NLX: no such rule"}
    for args, said in cases.items():
        proc = subprocess.run([sys.executable, "-m", "natslint", "check", *args, "."], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and proc.stdout == "" and said in proc.stderr, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_selection_takes_comma_lists_all_and_extend_select(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\nping_interval: 1m30s\nmax_payload: 1kbb\ntpyo: 1\n"})
    monkeypatch.chdir(tmp_path)
    codes = lambda *a: sorted({f["code"] for f in run_json([*a, "."])[1]["findings"]})  # noqa: E731
    assert codes("--select", "NL006,NL101") == ["NL006", "NL101"]
    assert codes("--select", "NL006", "--extend-select", "NL101") == ["NL006", "NL101"]
    assert codes("--select", "ALL", "--ignore", "NL006") == ["NL101"]


def test_a_folder_with_no_config_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "."])
    assert result.exit_code == 0 and result.stdout.startswith("No NATS config or deployment file found.")


def test_a_bare_or_unknown_suppression_is_reported(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\ntpyo: 1  # natslint: ignore\nserver_name: a  # natslint: ignore[NL999]\n"})
    monkeypatch.chdir(tmp_path)
    _, out = run_json(["."])
    got = [(f["code"], f["line"], f["message"]) for f in out["findings"]]
    assert ("NL901", 2, "a suppression must name its codes") in got
    assert ("NL901", 3, "unknown rule NL999") in got
    assert ("NL101", 2, 'unknown field "tpyo" in top level') in got


def test_output_controls_color_quiet_statistics(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "port: 4222\ntpyo: 1\nmax_payload: 1kbb\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    always = runner.invoke(app, ["check", "--color", "always", "."]).stdout
    assert "\x1b[" in always  # --color always wins over NO_COLOR
    assert "\x1b[" not in runner.invoke(app, ["check", "."]).stdout  # NO_COLOR still applies under auto
    quiet = runner.invoke(app, ["check", "-q", "."]).stdout
    assert "n.conf:2:1: NL101" in quiet and "Found" not in quiet and "Checked" not in quiet
    stats = runner.invoke(app, ["check", "--statistics", "."])
    assert stats.exit_code == 1 and stats.stdout == "    1  NL006  surprising-value\n    1  NL101  unknown-option\n"


def test_graph_takes_the_settings_check_takes(tmp_path, monkeypatch):
    write(tmp_path, {"n.conf": "server_name: $NAME\nport: 4222\n", "cfg.toml": "[env]\nNAME = \"from-config\"\n"})
    monkeypatch.chdir(tmp_path)
    assert "from-config" in runner.invoke(app, ["graph", "--config", "cfg.toml", "."]).stdout
    assert "from-env" in runner.invoke(app, ["graph", "--isolated", "--env", "NAME=from-env", "."]).stdout
    bad = runner.invoke(app, ["graph", "--nats-version", "banana", "."])
    assert bad.exit_code == 2


def test_fleets_of_reports_the_fleets_that_hold_the_changed_files(tmp_path, monkeypatch):
    import shutil

    for name in ("compose-leaf-reuses-domain", "leaf-sites"):
        shutil.copytree(ROOT / "fixtures" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    everything = sorted((f["code"], f["path"], f["line"]) for f in run_json(["."])[1]["findings"])
    by_fleet = {}
    for changed in ("compose-leaf-reuses-domain/nats/hub-1.conf", "leaf-sites/hub/hub.conf"):
        code, out = run_json(["--fleets-of", changed])
        by_fleet[changed] = sorted((f["code"], f["path"], f["line"]) for f in out["findings"])
        assert {p["root"] for p in out["summary"]["fleets"]} == {changed.split("/")[0]}
    # the fleets of a tree, each through the files it holds, give the whole tree's findings
    assert sorted(sum(by_fleet.values(), [])) == everything
    # a project config touches every fleet below it; a file no fleet holds, none
    (tmp_path / "natslint.toml").write_text("")
    assert len(run_json(["--fleets-of", "natslint.toml"])[1]["summary"]["fleets"]) == 2
    (tmp_path / "notes.txt").write_text("")
    result = runner.invoke(app, ["check", "--fleets-of", "notes.txt"])
    assert result.exit_code == 0 and result.stdout == "No fleet holds the 1 changed file: nothing to check.\n"
    # a deleted file: the fleet whose folder held it
    code, out = run_json(["--fleets-of", "leaf-sites/edge/gone.conf"])
    assert {p["root"] for p in out["summary"]["fleets"]} == {"leaf-sites"}
