"""NATS JWTs decoded and verified as nats-server does (keys made by the test with nkeys), and
NL112 where the server refuses them at startup."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from jwtmaker import Key, creds, jwt, tampered
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli import dump as _dump  # noqa: F401
from natslint.cli.app import app
from natslint.natsjwt import JWTError, creds_user, decode, load, mask


@pytest.fixture()
def keys():
    return {"op": Key("operator"), "sys": Key("account"), "app": Key("account"), "user": Key("user")}


def test_a_jwt_signed_by_its_issuer_verifies(keys):
    token = jwt(keys["app"], keys["op"], "account", "APP", {"limits": {"mem_storage": -1, "disk_storage": 0}})
    claims = load(token)
    assert (claims.kind, claims.name, claims.subject, claims.issuer) == ("account", "APP", keys["app"].public,
                                                                         keys["op"].public)
    assert claims.jetstream() and claims.short == keys["app"].public[:8] + "…"
    assert not decode(jwt(keys["sys"], keys["op"], "account", "SYS")).jetstream()  # the JWT's default: off
    tiered = jwt(keys["app"], keys["op"], "account", "APP", {"limits": {"tiered_limits": {"R3": {"disk_storage": 1}}}})
    assert decode(tiered).jetstream()


def test_an_edited_or_expired_jwt_does_not_verify(keys):
    token = jwt(keys["op"], keys["op"], "operator", "OP")
    with pytest.raises(JWTError, match="claim failed V2 signature verification"):
        load(tampered(token))
    with pytest.raises(JWTError, match="claim is expired"):
        load(jwt(keys["op"], keys["op"], "operator", "OP", exp=int(time.time()) - 60))
    with pytest.raises(JWTError, match="expected 3 chunks"):
        decode("not-a-jwt")


def test_a_creds_file_gives_its_user_and_never_its_seed(keys):
    user_jwt = jwt(keys["user"], keys["app"], "user", "edge")
    text = creds(user_jwt, keys["user"])
    claims = creds_user(text)
    assert (claims.kind, claims.issuer) == ("user", keys["app"].public)
    assert keys["user"].seed.decode() not in mask(text) and "S…(seed)" in mask(text)


def _conf(tmp: Path, op: str, keys, system: str | None = None) -> Path:
    sys_jwt = jwt(keys["sys"], keys["op"], "account", "SYS")
    (tmp / "hub.conf").write_text(
        f"server_name: hub\noperator: {op}\nsystem_account: {system or keys['sys'].public}\nresolver: MEMORY\n"
        f"resolver_preload: {{\n  {keys['sys'].public}: \"{sys_jwt}\"\n}}\n", encoding="utf-8")
    return tmp


def _check(folder: Path, monkeypatch) -> list[tuple[str, str, int, str]]:
    monkeypatch.chdir(folder)
    out = json.loads(CliRunner().invoke(app, ["check", "--format", "json", "--isolated", "."]).stdout)
    return [(f["code"], f["path"], f["line"], f["message"]) for f in out["findings"]]


def test_nl112_on_an_operator_jwt_edited_by_hand(tmp_path, keys, monkeypatch):
    token = jwt(keys["op"], keys["op"], "operator", "OP")
    assert _check(_conf(tmp_path, f'"{token}"', keys), monkeypatch) == []
    assert _check(_conf(tmp_path, f'"{tampered(token)}"', keys), monkeypatch) == [
        ("NL112", "hub.conf", 2, "the operator JWT does not verify: claim failed V2 signature verification")]
    (tmp_path / "op.jwt").write_text(tampered(token) + "\n", encoding="utf-8")
    assert _check(_conf(tmp_path, "op.jwt", keys), monkeypatch) == [
        ("NL112", "hub.conf", 2, "the operator JWT in op.jwt does not verify: claim failed V2 signature verification")]


def test_nl112_on_a_system_account_the_memory_resolver_does_not_hold(tmp_path, keys, monkeypatch):
    token = jwt(keys["op"], keys["op"], "operator", "OP")
    got = _check(_conf(tmp_path, f'"{token}"', keys, system=keys["app"].public), monkeypatch)
    assert got == [("NL112", "hub.conf", 3, f"system_account {keys['app'].public[:8]}… is no account the MEMORY "
                                            "resolver preloads")]


@pytest.mark.differential
def test_the_real_server_refuses_what_nl112_reports(tmp_path, keys, nats_server):
    import subprocess

    token = jwt(keys["op"], keys["op"], "operator", "OP")
    _conf(tmp_path, f'"{tampered(token)}"', keys)
    proc = subprocess.run([nats_server, "-t", "-c", "hub.conf"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=20)
    assert "error parsing operator JWT: claim failed V2 signature verification" in proc.stdout + proc.stderr
    _conf(tmp_path, f'"{token}"', keys, system=keys["app"].public)
    (tmp_path / "hub.conf").write_text((tmp_path / "hub.conf").read_text() + "listen: 127.0.0.1:-1\n")
    proc = subprocess.run([nats_server, "-c", "hub.conf"], cwd=tmp_path, capture_output=True, text=True, timeout=20)
    assert "error resolving system account: account missing" in proc.stdout + proc.stderr


def test_no_output_prints_a_seed(tmp_path, keys, monkeypatch):
    user_jwt = jwt(keys["user"], keys["app"], "user", "edge")
    (tmp_path / "edge.creds").write_text(creds(user_jwt, keys["user"]), encoding="utf-8")
    (tmp_path / "leaf.conf").write_text('server_name: leaf\nleafnodes { remotes: [ { url: "nats-leaf://hub:7422", '
                                        'credentials: "./edge.creds" } ] }\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    seed = keys["user"].seed.decode()
    for fmt in ("text", "json", "sarif", "github"):
        assert seed not in CliRunner().invoke(app, ["check", "--format", fmt, "."]).output
    assert seed not in CliRunner().invoke(app, ["dump", "leaf.conf"]).output


def test_nl112_warns_on_a_preloaded_account_the_operator_did_not_sign(tmp_path, keys, monkeypatch):
    token = jwt(keys["op"], keys["op"], "operator", "OP")
    _conf(tmp_path, f'"{token}"', keys)
    foreign = jwt(keys["app"], Key("operator"), "account", "APP")
    conf = tmp_path / "hub.conf"
    conf.write_text(conf.read_text().replace("}\n", f'  {keys["app"].public}: "{foreign}"\n}}\n', 1))
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--format", "json", "--isolated", "."]).stdout)
    assert [(f["code"], f["severity"], f["line"]) for f in out["findings"]] == [("NL112", "warning", 7)]
    assert out["findings"][0]["message"].startswith(f"account JWT {keys['app'].public[:8]}… is not signed by the "
                                                    "operator: its issuer")


@pytest.mark.differential
def test_the_real_server_refuses_users_of_an_account_the_operator_did_not_sign(tmp_path, keys, nats_server):
    import asyncio
    import subprocess

    import nats

    token = jwt(keys["op"], keys["op"], "operator", "OP")
    _conf(tmp_path, f'"{token}"', keys)
    conf = tmp_path / "hub.conf"
    foreign = jwt(keys["app"], Key("operator"), "account", "APP")
    conf.write_text(conf.read_text().replace("}\n", f'  {keys["app"].public}: "{foreign}"\n}}\n', 1)
                    + "listen: 127.0.0.1:-1\n")
    (tmp_path / "u.creds").write_text(creds(jwt(keys["user"], keys["app"], "user", "u"), keys["user"]))
    import socket

    with socket.socket() as sock:  # a free loopback port, released before the server binds it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf.write_text(conf.read_text().replace("listen: 127.0.0.1:-1", f"listen: 127.0.0.1:{port}"))
    proc = subprocess.Popen([nats_server, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async def login() -> str:
            for _ in range(50):
                try:
                    nc = await nats.connect(f"nats://127.0.0.1:{port}", user_credentials=str(tmp_path / "u.creds"),
                                            allow_reconnect=False, connect_timeout=1, max_reconnect_attempts=0)
                    await nc.close()
                    return "connected"
                except Exception as exc:  # the server may still be starting
                    if "Authorization Violation" in str(exc):
                        return "refused"
                    await asyncio.sleep(0.1)
            return "no answer"

        assert asyncio.run(asyncio.wait_for(login(), 30)) == "refused"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
