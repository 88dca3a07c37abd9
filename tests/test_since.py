"""`natslint check --since REF`: a change, made as two commits by the test, and what it does.

Each repository is the production-shaped lattice (a hub cluster of three, two edge sites,
hosts and wadm) committed as it was; the test then writes the change over it.  Findings are
asserted exactly (code, file, line); the pairing of servers and the JSON `changes` too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gitrepo import commit_change
from typer.testing import CliRunner

from natslint.check import Settings
from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app
from natslint.workspace import check_change

ROOT = Path(__file__).resolve().parents[1]
LATTICE = ROOT / "fixtures" / "prod-lattice"


def _lattice(repo: Path) -> dict[str, str]:
    return {str(p.relative_to(LATTICE)): p.read_text(encoding="utf-8") for p in LATTICE.rglob("*")
            if p.is_file() and p.name != "expected.txt"}


def _changed(tmp_path: Path, edits: dict[str, tuple[str, str] | None], extra: dict[str, str] | None = None) -> Path:
    """The lattice committed, then each file's (old, new) text replaced (None: deleted)."""
    before = _lattice(tmp_path)
    after: dict[str, str | None] = dict(extra or {})
    for path, edit in edits.items():
        if edit is None:
            after[path] = None
        else:
            old, new = edit
            assert old in before[path], (path, old)
            after[path] = before[path].replace(old, new, 1)
    commit_change(tmp_path, before, after)
    return tmp_path


def _findings(repo: Path, **settings) -> list[tuple[str, str, int]]:
    result = check_change(["."], Settings(**settings), str(repo), "HEAD")
    return sorted((f.code, f.span.path, f.span.line) for f in result.findings)


def test_an_unchanged_lattice_pairs_every_server_and_is_clean(tmp_path):
    repo = _changed(tmp_path, {})
    result = check_change(["."], Settings(), str(repo), "HEAD")
    assert result.findings == []
    cs = result.changes
    assert cs.changes == [] and cs.pairing.added == [] and cs.pairing.removed == []
    assert sorted(a.server_name.value for _, a, how in cs.pairing.pairs if how == "instance") == \
        ["core-1", "core-2", "core-3", "edge-a", "edge-b"]


def test_a_change_that_reloads_is_clean(tmp_path):
    repo = _changed(tmp_path, {"hub/core.conf": ("http_port: 8222\n", "http_port: 8222\nmax_payload: 2MB\n")})
    result = check_change(["."], Settings(), str(repo), "HEAD")
    assert result.findings == []
    assert [(c.after.server_name.value, c.option, c.verdict.reloads) for c in result.changes.changes] == [
        ("core-1", "max_payload", True), ("core-2", "max_payload", True), ("core-3", "max_payload", True)]


def test_the_hub_domain_moves_while_hosts_and_wadm_keep_it(tmp_path):
    repo = _changed(tmp_path, {"hub/core.conf": ("  domain: core\n", "  domain: main\n")})
    # one config, three servers: said once, where the domain is written; at rest, the hosts and
    # wadm now name a domain no JetStream carries (NL301)
    assert _findings(repo) == [("NL301", "docker-compose.yml", 39), ("NL301", "docker-compose.yml", 45),
                               ("NL301", "docker-compose.yml", 50), ("NL503", "hub/core.conf", 7)]
    result = check_change(["."], Settings(), str(repo), "HEAD")
    [f] = [f for f in result.findings if f.code == "NL503"]
    assert f.severity.name == "ERROR"
    assert "host `host-a`, host `host-b` and wadm" in f.message, f.message


def test_a_hub_node_renamed_by_its_environment(tmp_path):
    repo = _changed(tmp_path, {"docker-compose.yml": ("environment: {SERVER_NAME: core-3}",
                                                      "environment: {SERVER_NAME: core-three}")})
    got = _findings(repo)
    assert got == [("NL502", "hub/core.conf", 2)], got


def test_a_leaf_remote_changed_on_2_11_takes_a_restart(tmp_path):
    repo = _changed(tmp_path, {"edge/edge-b.conf": ('        "nats-leaf://leaf:leaf-fixture-pw@core-3:7422"\n', "")})
    got = _findings(repo)
    assert got == [("NL501", "edge/edge-b.conf", 7)], got
    result = check_change(["."], Settings(), str(repo), "HEAD")
    [f] = [f for f in result.findings if f.code == "NL501"]
    assert f.severity.name == "INFO" and "nats-server 2.11 does not reload it" in f.message
    assert "2.14 and later reload it" in f.notes


def test_jetstream_turned_off_and_the_store_moved(tmp_path):
    repo = _changed(tmp_path, {
        "edge/edge-a.conf": ("jetstream {\n  domain: edge\n  store_dir: /data/jetstream\n}\n",
                             "jetstream {\n  enabled: false\n  domain: edge\n  store_dir: /data/jetstream\n}\n"),
        "hub/core.conf": ("  store_dir: /data/jetstream\n", "  store_dir: /var/lib/nats/jetstream\n")})
    assert _findings(repo) == [("NL503", "edge/edge-a.conf", 6), ("NL503", "hub/core.conf", 8)]
    result = check_change(["."], Settings(), str(repo), "HEAD")
    assert [(f.severity.name, f.message) for f in result.findings] == [
        ("ERROR", "JetStream is turned off on server `edge-a`, which had it"),
        ("ERROR", "the JetStream store of server `core-1`, server `core-2` and server `core-3` moves from "
                  "`/data/jetstream` to `/var/lib/nats/jetstream`")]


def test_servers_added_and_removed_are_named(tmp_path):
    compose = (LATTICE / "docker-compose.yml").read_text(encoding="utf-8")
    edge_c = compose.replace("  host-a:", "  edge-c:\n    image: nats:2.11.3-alpine\n    command: [\"-c\", "
                             "\"/etc/nats/edge-c.conf\"]\n    volumes:\n      - ./edge:/etc/nats:ro\n\n  host-a:", 1)
    without_b = edge_c.replace("  edge-b:\n    image: nats:2.11.3-alpine\n    command: [\"-c\", \"/etc/nats/edge-b.conf\"]\n"
                               "    volumes:\n      - ./edge:/etc/nats:ro\n", "", 1)
    edge_a = (LATTICE / "edge" / "edge-a.conf").read_text(encoding="utf-8")
    repo = _changed(tmp_path, {"docker-compose.yml": (compose, without_b), "edge/edge-b.conf": None},
                    {"edge/edge-c.conf": edge_a.replace("server_name: edge-a", "server_name: edge-c")})
    result = check_change(["."], Settings(), str(repo), "HEAD")
    cs = result.changes
    assert [s.instance_of for s in cs.pairing.added] == ["docker-compose.yml#edge-c"]
    assert [s.instance_of for s in cs.pairing.removed] == ["docker-compose.yml#edge-b"]
    assert len(cs.pairing.pairs) == 4


def test_a_config_file_renamed_keeps_its_server(tmp_path):
    repo = tmp_path
    conf = "server_name: solo\njetstream { domain: core, store_dir: /data/js }\n"
    commit_change(repo, {"nats/solo.conf": conf}, {"nats/solo.conf": None, "nats/server.conf": conf})
    result = check_change(["."], Settings(), str(repo), "HEAD")
    assert [(b.path, a.path, how) for b, a, how in result.changes.pairing.pairs] == \
        [("nats/solo.conf", "nats/server.conf", "server_name")]
    assert result.findings == []


def test_an_unknown_version_is_said_to_be_unknown(tmp_path):
    before = "server_name: solo\nleafnodes { remotes: [ { url: \"nats-leaf://hub.example.com:7422\" } ] }\n"
    after = before.replace("] }", ", { url: \"nats-leaf://hub2.example.com:7422\" } ] }")
    commit_change(tmp_path, {"solo.conf": before}, {"solo.conf": after})
    result = check_change(["."], Settings(), str(tmp_path), "HEAD")
    [f] = [f for f in result.findings if f.code == "NL501"]
    assert f.severity.name == "INFO" and "natslint does not know the version" in f.message
    given = check_change(["."], Settings(nats_version="2.14.2", nats_version_given=True), str(tmp_path), "HEAD")
    assert [f.code for f in given.findings if f.code == "NL501"] == []


@pytest.mark.parametrize("reloader, severity", [("", "WARNING"), ("reloader:\n  enabled: false\n", "INFO")])
def test_the_charts_config_reloader_makes_it_a_warning(tmp_path, reloader, severity):
    """The chart's config-reloader sidecar is on by default: it will send the reload."""
    values = ("config:\n  jetstream:\n    enabled: true\n  merge:\n    jetstream:\n      max_memory_store: 1G\n"
              "container:\n  image:\n    tag: 2.11.3-alpine\n" + reloader)
    release = "releases:\n  - name: nats\n    chart: nats/nats\n    version: 1.2.6\n    values: [values.yaml]\n"
    commit_change(tmp_path, {"values.yaml": values, "helmfile.yaml": release},
                  {"values.yaml": values.replace("max_memory_store: 1G", "max_memory_store: 2G")})
    got = [(f.code, f.severity.name, f.span.path, f.span.line) for f in
           check_change(["."], Settings(), str(tmp_path), "HEAD").findings]
    assert got == [("NL501", severity, "values.yaml", 6)], got


def test_cli_since_prints_the_pairing_and_json_changes(tmp_path, monkeypatch):
    repo = _changed(tmp_path, {"hub/core.conf": ("  domain: core\n", "  domain: main\n")})
    monkeypatch.chdir(repo)
    text = CliRunner().invoke(app, ["check", "--since", "HEAD", "."])
    assert text.exit_code == 1
    assert "Compared with HEAD (" in text.output and "5 servers paired, 0 added, 0 removed" in text.output
    out = CliRunner().invoke(app, ["check", "--since", "HEAD", "--format", "json", "."])
    doc = json.loads(out.output)
    assert doc["since"]["ref"] == "HEAD" and len(doc["since"]["paired"]) == 5
    assert {(c["server"], c["option"], c["from"], c["to"], c["reloadable"], c["rule"]) for c in doc["changes"]} == {
        (f"core-{i}", "jetstream.domain", "core", "main", False, "NL503") for i in (1, 2, 3)}


@pytest.mark.parametrize("args, message", [
    (["--since", "no-such-ref"], "git knows no commit by that name"),
    (["--since", "HEAD", "--watch"], "--since and --watch do not go together"),
])
def test_cli_since_refuses_what_it_cannot_do(tmp_path, monkeypatch, args, message):
    commit_change(tmp_path, {"a.conf": "port: 4222\n"}, {})
    monkeypatch.chdir(tmp_path)
    got = CliRunner().invoke(app, ["check", *args, "."])
    assert got.exit_code == 2 and message in got.output, got.output


def test_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "a.conf").write_text("port: 4222\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    got = CliRunner().invoke(app, ["check", "--since", "HEAD", "."])
    assert got.exit_code == 2 and "is not inside a git repository" in got.output, got.output


def test_a_subfolder_is_compared_with_the_same_subfolder(tmp_path, monkeypatch):
    """Run from a folder below the repository's top: REF's copy of that folder is compared."""
    conf = "server_name: {n}\njetstream {{ domain: {d}, store_dir: /data/js }}\n"
    commit_change(tmp_path, {"sites/a/nats.conf": conf.format(n="a", d="a"), "sites/b/nats.conf": conf.format(n="b", d="b")},
                  {"sites/a/nats.conf": conf.format(n="a", d="a2"), "sites/b/nats.conf": conf.format(n="b", d="b2")})
    monkeypatch.chdir(tmp_path / "sites" / "a")
    got = CliRunner().invoke(app, ["check", "--since", "HEAD", "--format", "json", "."])
    doc = json.loads(got.output)
    assert [(c["option"], c["from"], c["to"], c["file"]) for c in doc["changes"]] == \
        [("jetstream.domain", "a", "a2", "nats.conf")]
    assert [(f["code"], f["path"], f["line"]) for f in doc["findings"]] == [("NL503", "nats.conf", 2)]


def test_the_job_summary_says_what_each_cluster_needs(tmp_path):
    from natslint.report.github import change_table

    repo = _changed(tmp_path, {"hub/core.conf": ("http_port: 8222\n", "http_port: 8223\nmax_payload: 2MB\n"),
                               "edge/edge-b.conf": ('        "nats-leaf://leaf:leaf-fixture-pw@core-3:7422"\n', "")})
    table = change_table(check_change(["."], Settings(), str(repo), "HEAD"))
    assert table[-3:] == [
        "|---|---|---|---|---|---|",
        "| cluster 'core' (3 servers) | 3 | `http_port` | `max_payload` | — | NL501 |",
        "| server `edge-b` | 1 | `leafnodes.remotes` | — | — | NL501 |"]


@pytest.mark.parametrize("since, expected", [("abc123", ["--since", "abc123"]), ("none", []), ("", [])])
def test_the_action_passes_since(since, expected):
    from natslint.cli.action import command_line

    argv = command_line({"INPUT_SINCE": since})
    assert argv[argv.index("--fail-on") + 2:-1] == expected


def test_a_removed_volume_under_the_store_strands_the_streams(tmp_path):
    compose = ("services:\n  core:\n    image: nats:2.14-alpine\n    command: [\"-c\", \"/etc/nats/core.conf\"]\n"
               "    volumes:\n      - ./core.conf:/etc/nats/core.conf\n      - js-data:/data\nvolumes:\n  js-data: {}\n")
    conf = "server_name: core-1\njetstream { domain: core, store_dir: /data/jetstream }\n"
    commit_change(tmp_path, {"docker-compose.yml": compose, "core.conf": conf},
                  {"docker-compose.yml": compose.replace("      - js-data:/data\n", "")})
    result = check_change(["."], Settings(), str(tmp_path), "HEAD")
    assert [(f.code, f.span.path, f.span.line, f.severity.name) for f in result.findings] == [
        ("NL503", "core.conf", 2, "ERROR")]
    assert "the volume under the JetStream store `/data/jetstream`" in result.findings[0].message


def test_a_leaf_remote_moved_to_another_account(tmp_path):
    before = ("server_name: edge\naccounts { APP { users: [ { user: app, password: a } ] }, "
              "OPS { users: [ { user: ops, password: o } ] } }\n"
              "leafnodes { remotes: [ { url: \"nats-leaf://hub.example.com:7422\", account: APP } ] }\n")
    commit_change(tmp_path, {"edge.conf": before}, {"edge.conf": before.replace("account: APP", "account: OPS")})
    result = check_change(["."], Settings(nats_version="2.14.6", nats_version_given=True), str(tmp_path), "HEAD")
    assert [(f.code, f.span.line, f.message) for f in result.findings if f.code != "NL406"] == [
        ("NL504", 3, "a leaf remote of server `edge` moves from account APP to account OPS")]


def test_a_unit_that_reloads_on_sighup_makes_it_a_warning(tmp_path):
    unit = ("[Unit]\nDescription=NATS\n[Service]\nExecStart=/usr/local/bin/nats-server -c /etc/nats/nats.conf\n"
            "ExecReload=/bin/kill -s HUP $MAINPID\n")
    conf = "server_name: solo\nport: 4222\nhttp_port: 8222\n"
    commit_change(tmp_path, {"systemd/nats.service": unit, "systemd/nats.conf": conf},
                  {"systemd/nats.conf": conf.replace("8222", "8223")})
    got = [(f.code, f.severity.name, f.span.path, f.span.line) for f in
           check_change(["."], Settings(), str(tmp_path), "HEAD").findings]
    assert got == [("NL501", "WARNING", "systemd/nats.conf", 3)], got


def test_a_config_reloader_sidecar_in_the_pod_makes_it_a_warning(tmp_path):
    nats = (LATTICE.parent / "k8s-manifest-lattice" / "nats.yaml").read_text(encoding="utf-8")
    sidecar = nats.replace("      volumes:\n", "        - name: reloader\n"
                           "          image: natsio/nats-server-config-reloader:0.16.0\n"
                           "          args: [\"-pid\", \"/var/run/nats/nats.pid\", \"-config\", "
                           "\"/etc/nats-config/nats.conf\"]\n      volumes:\n", 1)
    hosts = (LATTICE.parent / "k8s-manifest-lattice" / "hosts.yaml").read_text(encoding="utf-8")
    commit_change(tmp_path, {"nats.yaml": sidecar, "hosts.yaml": hosts},
                  {"nats.yaml": sidecar.replace("leafnodes { port: 7422 }", "leafnodes { port: 7422 }\n    http_port: 8222")})
    got = [(f.code, f.severity.name, f.span.path, f.span.line, f.notes[0]) for f in
           check_change(["."], Settings(), str(tmp_path), "HEAD").findings]
    assert got == [("NL501", "WARNING", "nats.yaml", 12,
                    "the config-reloader sidecar `reloader` will send the reload and report success; nats-server "
                    "logs `Failed to reload server configuration: config reload not supported for HTTPPort` and keeps "
                    "running the old config")], got


def test_an_option_the_reload_table_does_not_hold_is_said_to_be_unknown(tmp_path, monkeypatch):
    conf = "server_name: solo\nport: 4222\nlame_duck_duration: \"30s\"\n"
    commit_change(tmp_path, {"solo.conf": conf}, {"solo.conf": conf.replace("30s", "2m")})
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["check", "--since", "HEAD", "."])
    assert out.exit_code == 0
    assert ("1 option changed (1 of them not in the reload table, so whether a reload applies it is not known: "
            "lame_duck_duration).") in out.output
    doc = json.loads(CliRunner().invoke(app, ["check", "--since", "HEAD", "--format", "json", "."]).output)
    assert doc["changes"] == [{"server": "solo", "option": "lame_duck_duration", "kind": "changed", "from": "30s",
                               "to": "2m", "reloadable": None, "version": None, "rule": None, "file": "solo.conf",
                               "line": 3}]


def test_a_pull_request_from_its_base_commit_to_its_head(tmp_path, monkeypatch):
    """Both ends committed, as in CI: `--since HEAD~1` reads the base from git, the work tree is the head."""
    conf = "server_name: core-1\njetstream { domain: core, store_dir: /data/js }\n"
    commit_change(tmp_path, {"core.conf": conf}, {"core.conf": conf.replace("core-1", "core-one")}, commit=True)
    monkeypatch.chdir(tmp_path)
    doc = json.loads(CliRunner().invoke(app, ["check", "--since", "HEAD~1", "--format", "json", "."]).output)
    assert [(f["code"], f["path"], f["line"]) for f in doc["findings"]] == [("NL502", "core.conf", 1)]
    assert doc["since"]["ref"] == "HEAD~1" and doc["since"]["paired"] == [
        {"before": "core-1", "after": "core-one", "by": "path"}]


def test_without_a_tar_program_the_tree_is_unpacked_in_python(tmp_path, monkeypatch):
    import io
    import tarfile

    from natslint.since import gitref

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("a/b.conf", b"port: 4222\n"), ("../escape.conf", b"x"), ("/abs.conf", b"y")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setattr(gitref.shutil, "which", lambda name: None)
    gitref._unpack(buf.getvalue(), str(tmp_path / "top"))
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == ["top/a/b.conf"]


def test_the_action_checks_without_since_when_the_base_cannot_be_read(tmp_path, monkeypatch, capsys):
    from natslint.cli import action

    commit_change(tmp_path, {"a.conf": "port: 4222\n"}, {})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    ran: list[list[str]] = []
    monkeypatch.setattr("subprocess.run", _recording(ran))
    monkeypatch.setattr(action, "fetch_if_missing", lambda ref: False)
    env = {"INPUT_SINCE": "0123456789abcdef0123456789abcdef01234567", "INPUT_PATH": "."}
    monkeypatch.setattr(action.os, "environ", env)
    action.main()
    assert "--since" not in ran[-1] and "cannot read commit 0123456789abcdef" in capsys.readouterr().out


def _recording(ran: list):
    import subprocess as sp

    real = sp.run

    def run(args, *a, **k):
        if args[:3] == [sys.executable, "-m", "natslint"]:
            ran.append(list(args))
            return sp.CompletedProcess(args, 0)
        return real(args, *a, **k)

    return run
