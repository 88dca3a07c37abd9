"""NL113: configs `nats-server -t` calls valid that the real server refuses when it starts; and
the near misses it starts with.  The same file is judged by natslint and run by nats-server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from livenats import free_ports
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

CASES = {
    "cluster-and-gateway-names": (
        "listen: 127.0.0.1:{0}\ncluster {{ name: east, listen: 127.0.0.1:{1} }}\n"
        "gateway {{ name: west, listen: 127.0.0.1:{2} }}\n",
        "cluster name conflicts between cluster and gateway definitions", 3),
    "websocket-without-tls": (
        "listen: 127.0.0.1:{0}\nwebsocket {{\n  listen: 127.0.0.1:{1}\n}}\n",
        "websocket requires TLS configuration", 2),
    "max-payload-over-max-pending": (
        "listen: 127.0.0.1:{0}\nmax_payload: 8MB\nmax_pending: 4MB\n",
        "max_payload (8388608) cannot be higher than max_pending (4194304)", 2),
    "lame-duck-grace-not-shorter": (
        "listen: 127.0.0.1:{0}\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"30s\"\n",
        "lame duck grace period (30s) should be strictly lower than lame duck duration (30s)", 3),
    "lame-duck-grace-over-the-default-duration": (
        "listen: 127.0.0.1:{0}\nlame_duck_grace_period: \"3m\"\n",
        "lame duck grace period (3m0s) should be strictly lower than lame duck duration (2m0s)", 2),
    "mqtt-in-a-cluster-without-server-name": (
        "listen: 127.0.0.1:{0}\ncluster {{ name: c, listen: 127.0.0.1:{1} }}\nmqtt {{ listen: 127.0.0.1:{2} }}\n",
        "mqtt requires server name to be explicitly set", 3),
    "mqtt-standalone-without-jetstream": (
        "server_name: m\nlisten: 127.0.0.1:{0}\nmqtt {{ listen: 127.0.0.1:{1} }}\n",
        "mqtt requires JetStream to be enabled if running in standalone mode", 3),
    "gateway-without-name": ("listen: 127.0.0.1:{0}\ngateway {{ listen: 127.0.0.1:{1} }}\n", "gateway has no name", 2),
    "gateway-without-port": (
        "listen: 127.0.0.1:{0}\ngateway {{ name: west }}\n",
        'gateway "west" has no port specified (select -1 for random port)', 2),
    "gateway-listed-without-url": (
        "listen: 127.0.0.1:{0}\ngateway {{\n  name: west\n  listen: 127.0.0.1:{1}\n  gateways: [ {{ name: east }} ]\n}}\n",
        'gateway "east" has no URL', 5),
    "leafnode-authorization-account-undefined": (
        "listen: 127.0.0.1:{0}\nleafnodes {{\n  listen: 127.0.0.1:{1}\n  authorization {{ user: a, password: b, "
        "account: NOPE }}\n}}\n", 'cannot find local account "NOPE" specified in leafnode authorization', 4),
    "leafnode-user-account-undefined": (
        "listen: 127.0.0.1:{0}\nleafnodes {{\n  listen: 127.0.0.1:{1}\n  authorization {{ users: [ {{ user: c, "
        "password: d, account: NOPE }} ] }}\n}}\n", 'cannot find local account "NOPE" specified in leafnode authorization',
        4),
    "no-auth-user-not-a-user": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: u, password: p }} ] }} }}\nno_auth_user: ghost\n",
        'no_auth_user: "ghost" not present as user or nkey in authorization block or account configuration', 3),
    "no-auth-user-without-users": (
        "listen: 127.0.0.1:{0}\nno_auth_user: ghost\n", 'no_auth_user: "ghost" present, but users/nkeys are not defined', 2),
    "leafnode-listener-and-gateway-without-system-account": (
        "listen: 127.0.0.1:{0}\nleafnodes {{ listen: 127.0.0.1:{1} }}\ngateway {{ name: g, listen: 127.0.0.1:{2} }}\n",
        "leaf nodes and gateways (both being defined) require a system account to also be configured", 3),
    "default-js-domain-of-an-undefined-account": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{}} }}\ndefault_js_domain: {{ C: hub }}\n",
        'in non operator mode, `default_js_domain` references non existing account "C"', 3),
    "default-js-domain-of-the-system-account": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{}}, SYS: {{}} }}\nsystem_account: SYS\ndefault_js_domain: {{ SYS: hub }}\n",
        'system account "SYS" can not be in default_js_domain', 4),
    "default-js-domain-of-a-jetstream-account": (
        "listen: 127.0.0.1:{0}\njetstream {{ store_dir: \"{store}\", domain: hub }}\n"
        "accounts {{ A: {{ jetstream: enabled }} }}\ndefault_js_domain: {{ A: hub }}\n",
        'default_js_domain contains account name "A" with enabled JetStream', 4),
    "websocket-jwt-cookie-without-operator": (
        "listen: 127.0.0.1:{0}\nwebsocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n  jwt_cookie: my_jwt\n}}\n",
        'trusted operators or trusted keys configuration is required for JWT authentication via cookie "my_jwt"', 5),
    "websocket-no-auth-user-not-a-user": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: a, password: b }} ] }} }}\n"
        "websocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n  no_auth_user: ghost\n}}\n",
        'no_auth_user: "ghost" not present as user or nkey in authorization block or account configuration', 6),
    "websocket-user-beside-users": (
        "listen: 127.0.0.1:{0}\nauthorization {{ users: [ {{ user: a, password: b }} ] }}\n"
        "websocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n  authorization {{ user: x, password: y }}\n}}\n",
        "websocket authentication username not compatible with presence of users/nkeys", 6),
    "websocket-token-beside-account-users": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: a, password: b }} ] }} }}\n"
        "websocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n  authorization {{ token: abc }}\n}}\n",
        "websocket authentication token not compatible with presence of users/nkeys", 6),
    "mqtt-user-beside-users": (
        "server_name: m\nlisten: 127.0.0.1:{0}\nauthorization {{ users: [ {{ user: a, password: b }} ] }}\n"
        "mqtt {{\n  listen: 127.0.0.1:{1}\n  authorization {{ user: x, password: y }}\n}}\n",
        "mqtt authentication username not compatible with presence of users/nkeys", 6),
    "mqtt-token-beside-account-users": (
        "server_name: m\nlisten: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: a, password: b }} ] }} }}\n"
        "mqtt {{\n  listen: 127.0.0.1:{1}\n  authorization {{ token: abc }}\n}}\n",
        "mqtt authentication token not compatible with presence of users/nkeys", 6),
    "mqtt-no-auth-user-not-a-user": (
        "server_name: m\nlisten: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: a, password: b }} ] }} }}\n"
        "mqtt {{\n  listen: 127.0.0.1:{1}\n  no_auth_user: ghost\n}}\n",
        'no_auth_user: "ghost" not present as user or nkey in authorization block or account configuration', 6),
    "mqtt-negative-ack-wait": (
        "server_name: m\nlisten: 127.0.0.1:{0}\nmqtt {{\n  listen: 127.0.0.1:{1}\n  ack_wait: \"-1s\"\n}}\n",
        "ack wait must be a positive value", 5),
    "mqtt-negative-js-api-timeout": (
        "server_name: m\nlisten: 127.0.0.1:{0}\nmqtt {{\n  listen: 127.0.0.1:{1}\n  js_api_timeout: \"-1s\"\n}}\n",
        "JS API timeout must be a positive value", 5),
    # near misses: the server starts
    "websocket-user-of-its-own": (
        "listen: 127.0.0.1:{0}\nwebsocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n"
        "  authorization {{ user: x, password: y }}\n}}\n", None, None),
    "websocket-no-auth-user-of-an-account": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: a, password: b }} ] }} }}\n"
        "websocket {{\n  listen: 127.0.0.1:{1}\n  no_tls: true\n  no_auth_user: a\n}}\n", None, None),
    "leafnode-listener-and-gateway-with-system-account": (
        "listen: 127.0.0.1:{0}\naccounts {{ SYS: {{}} }}\nsystem_account: SYS\nleafnodes {{ listen: 127.0.0.1:{1} }}\n"
        "gateway {{ name: g, listen: 127.0.0.1:{2} }}\n", None, None),
    "default-js-domain-of-an-account-without-jetstream": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{}} }}\ndefault_js_domain: {{ A: hub }}\n", None, None),
    "no-auth-user-of-an-account": (
        "listen: 127.0.0.1:{0}\naccounts {{ A: {{ users: [ {{ user: u, password: p }} ] }} }}\nno_auth_user: u\n", None, None),
    "leafnode-authorization-account-defined": (
        "listen: 127.0.0.1:{0}\naccounts {{ EDGE: {{}} }}\nleafnodes {{\n  listen: 127.0.0.1:{1}\n  authorization {{ "
        "user: a, password: b, account: EDGE }}\n}}\n", None, None),
    "mqtt-standalone-with-jetstream": (
        "server_name: m\nlisten: 127.0.0.1:{0}\njetstream {{ store_dir: \"{store}\" }}\nmqtt {{ listen: 127.0.0.1:{1} }}\n",
        None, None),
    "max-payload-under-the-default-pending": ("listen: 127.0.0.1:{0}\nmax_payload: 8MB\n", None, None),
    "gateway-names-an-unnamed-cluster": (
        "listen: 127.0.0.1:{0}\ncluster {{ listen: 127.0.0.1:{1} }}\ngateway {{ name: west, listen: 127.0.0.1:{2} }}\n",
        None, None),
    "websocket-no-tls": ("listen: 127.0.0.1:{0}\nwebsocket {{ listen: 127.0.0.1:{1}, no_tls: true }}\n", None, None),
}


def findings(folder: Path, monkeypatch) -> list[tuple[str, int]]:
    monkeypatch.chdir(folder)
    out = CliRunner().invoke(app, ["check", "--isolated", "--format", "json", "--fail-on", "info", "."]).stdout
    return [(f["code"], f["line"]) for f in json.loads(out)["findings"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_natslint_says_what_the_start_says(case, tmp_path, monkeypatch):
    text, refusal, line = CASES[case]
    (tmp_path / "nats.conf").write_text(text.format(*free_ports(3), store=tmp_path / "js"), encoding="utf-8")
    assert findings(tmp_path, monkeypatch) == ([("NL113", line)] if refusal else [])


@pytest.mark.live
@pytest.mark.parametrize("case", sorted(CASES))
def test_dash_t_accepts_and_the_real_start_refuses(case, tmp_path, nats_server):
    text, refusal, _ = CASES[case]
    conf = tmp_path / "nats.conf"
    conf.write_text(text.format(*free_ports(3), store=tmp_path / "js"), encoding="utf-8")
    dash_t = subprocess.run([nats_server, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert dash_t.returncode == 0 and "is valid" in dash_t.stdout + dash_t.stderr
    proc = subprocess.Popen([nats_server, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        out, _ = proc.communicate(timeout=3)  # a refusal exits at once
        exited = True
    except subprocess.TimeoutExpired:  # still running: it started
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        exited = False
    if refusal:
        assert exited and proc.returncode == 1 and refusal in out, out
    else:
        assert not exited and "Server is ready" in out, out


@pytest.mark.parametrize("text, seconds", [("30s", 30.0), ("1m30s", 90.0), ("500ms", 0.5), ("2h", 7200.0),
                                           ("1.5s", 1.5), ("0", 0.0), ("30", None), ("1d", None), ("", None)])
def test_go_durations(text, seconds):
    from natslint.fleet.startup_checks import go_duration

    assert go_duration(text) == seconds


def test_a_gateway_name_stands_in_for_the_jetstream_cluster_name(tmp_path, monkeypatch):
    """`cluster.name` left out beside `gateway.name`: the cluster takes the gateway's name, so
    clustered JetStream starts (live: it runs); neither NL104 nor NL113 says otherwise."""
    (tmp_path / "nats.conf").write_text(
        "server_name: a\nlisten: 127.0.0.1:4222\njetstream { store_dir: /data/js }\n"
        "cluster { listen: 127.0.0.1:6222, routes: [ \"nats://127.0.0.1:6222\", \"nats://127.0.0.1:6223\" ] }\n"
        "gateway { name: east, listen: 127.0.0.1:7222 }\n", encoding="utf-8")
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] in ("NL104", "NL113")] == []
