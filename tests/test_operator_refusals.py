"""NL113 in operator mode: what validateTrustedOperators refuses.  `nats-server -t` says each file
is valid; a real start exits with the message natslint quotes, at the line it points at."""

from __future__ import annotations

import json
import subprocess

import pytest
from jwtmaker import Key, jwt
from livenats import free_ports
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

# case -> (what follows the five lines of listener, operator, system account and resolver; the
# refusal; the line natslint points at)
CASES = {
    "accounts-beside-the-operator": ("accounts { A: {} }\n", "operators do not allow Accounts to be configured directly", 6),
    "users-beside-the-operator": ("authorization {\n  users: [ { user: a, password: b } ]\n}\n",
                                  "operators do not allow users to be configured directly", 7),
    "trusted-keys-beside-the-operator": ("trusted_keys: [ {op} ]\n",
                                         "conflicting options for 'TrustedKeys' and 'TrustedOperators'", 6),
    "auth-callout-beside-the-operator": ("authorization {\n  auth_callout { issuer: {acc}, auth_users: [ a ] }\n}\n",
                                         "operators do not allow authorization callouts to be configured directly", 7),
    "the-operator-alone": ("", None, None),
}


def _config(case: str, port: int) -> str:
    op, system, acc = Key("operator"), Key("account"), Key("account")
    operator = jwt(op, op, "operator", "OP", {"system_account": system.public})
    tail = CASES[case][0].replace("{op}", op.public).replace("{acc}", acc.public)
    return (f'listen: 127.0.0.1:{port}\noperator: "{operator}"\nsystem_account: {system.public}\n'
            f'resolver: MEMORY\nresolver_preload: {{ {system.public}: "{jwt(system, op, "account", "SYS")}" }}\n'
            + tail)


@pytest.mark.parametrize("case", sorted(CASES))
def test_natslint_points_at_the_refusal(case, tmp_path, monkeypatch):
    _, refusal, line = CASES[case]
    (tmp_path / "nats.conf").write_text(_config(case, free_ports(1)[0]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--isolated", "-f", "json", "--fail-on", "info", "."]).stdout)
    assert [(f["code"], f["line"], f["message"]) for f in out["findings"]] == \
        ([("NL113", line, f"nats-server refuses to start: `{refusal}`")] if refusal else [])


@pytest.mark.live
@pytest.mark.parametrize("case", sorted(CASES))
def test_dash_t_accepts_and_a_real_start_refuses(case, tmp_path, nats_server):
    refusal = CASES[case][1]
    conf = tmp_path / "nats.conf"
    conf.write_text(_config(case, free_ports(1)[0]), encoding="utf-8")
    dash_t = subprocess.run([nats_server, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert dash_t.returncode == 0 and "is valid" in dash_t.stdout + dash_t.stderr
    proc = subprocess.Popen([nats_server, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        said, _ = proc.communicate(timeout=3)  # a refusal exits at once
        exited = True
    except subprocess.TimeoutExpired:
        proc.terminate()
        said, _ = proc.communicate(timeout=10)
        exited = False
    if refusal:
        assert exited and proc.returncode == 1 and refusal in said, said
    else:
        assert not exited and "Server is ready" in said, said
