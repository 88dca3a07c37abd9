"""Operator mode: accounts from preloaded JWTs with their JetStream, a leaf's account on the hub
from its creds file (keys and JWTs made here with nkeys: nothing is committed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jwtmaker import Key, creds, jwt
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

COMPOSE = """\
services:
  hub:
    image: nats:2.10.22
    command: ["-c", "/etc/nats/hub.conf"]
    volumes: ["./hub.conf:/etc/nats/hub.conf"]
  leaf:
    image: nats:2.10.22
    command: ["-c", "/etc/nats/leaf.conf"]
    volumes: ["./leaf.conf:/etc/nats/leaf.conf", "./edge.creds:/etc/nats/edge.creds"]
  host:
    image: ghcr.io/wasmcloud/wasmcloud:1.4.2
    environment:
      WASMCLOUD_NATS_HOST: leaf
      WASMCLOUD_JS_DOMAIN: hub
"""


def fleet(tmp: Path, *, app_js: bool, leaf_js: str = "", resolver: str | None = None) -> Path:
    op, sys_acc, app_acc, user = Key("operator"), Key("account"), Key("account"), Key("user")
    limits = {"limits": {"mem_storage": -1, "disk_storage": -1}} if app_js else {}
    accounts = resolver or (
        f"resolver: MEMORY\nresolver_preload: {{\n"
        f"  {sys_acc.public}: \"{jwt(sys_acc, op, 'account', 'SYS')}\"\n"
        f"  {app_acc.public}: \"{jwt(app_acc, op, 'account', 'APP', limits)}\"\n}}\n")
    (tmp / "hub.conf").write_text(
        f"server_name: hub\noperator: \"{jwt(op, op, 'operator', 'OP')}\"\n"
        f"system_account: {sys_acc.public}\n{accounts}"
        "jetstream { domain: hub, store_dir: /data/hub }\nleafnodes { port: 7422 }\n", encoding="utf-8")
    (tmp / "edge.creds").write_text(creds(jwt(user, app_acc, "user", "edge"), user), encoding="utf-8")
    (tmp / "leaf.conf").write_text(
        f"server_name: leaf\n{leaf_js}leafnodes {{\n  remotes: [ {{ url: \"nats-leaf://hub:7422\", "
        "credentials: \"./edge.creds\" } ]\n}\n", encoding="utf-8")
    (tmp / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    return tmp


def check(folder: Path, monkeypatch) -> list[tuple[str, str, int]]:
    monkeypatch.chdir(folder)
    out = json.loads(CliRunner().invoke(app, ["check", "--format", "json", "--isolated", "."]).stdout)
    return sorted((f["code"], f["path"], f["line"]) for f in out["findings"])


def test_an_account_whose_jwt_grants_no_jetstream_leaves_the_host_without_one(tmp_path, monkeypatch):
    assert check(fleet(tmp_path, app_js=False), monkeypatch) == [("NL302", "docker-compose.yml", 14)]


def test_a_correct_operator_mode_hub_and_leaf_are_clean(tmp_path, monkeypatch):
    assert check(fleet(tmp_path, app_js=True), monkeypatch) == []


def test_a_leaf_with_creds_reusing_the_hubs_domain(tmp_path, monkeypatch):
    got = check(fleet(tmp_path, app_js=True, leaf_js="jetstream { domain: hub, store_dir: /data/leaf }\n"),
                monkeypatch)
    assert got == [("NL202", "leaf.conf", 2)]


@pytest.mark.live
@pytest.mark.parametrize("app_js,leaf_js", [(False, ""), (True, ""),
                                            (True, "jetstream { domain: hub, store_dir: /data/leaf }\n")],
                         ids=["account-without-jetstream", "correct", "leaf-reuses-domain"])
def test_the_real_servers_agree_logging_in_with_the_creds(app_js, leaf_js, tmp_path, monkeypatch, nats_server):
    from test_live import run

    _, proof = run(fleet(tmp_path, app_js=app_js, leaf_js=leaf_js), monkeypatch)
    assert proof.pids and [p for p in proof.probes if p.ok is False] == []
    if app_js:  # the hub's account is proven through the leaf's creds: the proof is whole
        assert proof.incomplete == []
    else:  # no JetStream in the account: no marker to make, and the probes in it are still run
        assert all(p.ok for p in proof.probes)


def test_accounts_of_a_resolver_natslint_cannot_read_stay_unknown(tmp_path, monkeypatch):
    # a full resolver whose directory is not in the tree: the account of the leaf's creds is unknown
    fleet(tmp_path, app_js=False, resolver="resolver { type: full, dir: \"./jwt\" }\n")
    assert check(tmp_path, monkeypatch) == []  # never a guessed NL302


def test_a_resolver_directory_in_the_tree_gives_its_accounts(tmp_path, monkeypatch):
    fleet(tmp_path, app_js=False, resolver="resolver { type: full, dir: \"./jwt\" }\n")
    (tmp_path / "jwt").mkdir()
    # the APP account's JWT, as nsc pushes it into the directory: no JetStream in its limits
    creds_text = (tmp_path / "edge.creds").read_text()
    from natslint.natsjwt import creds_user

    app_key = creds_user(creds_text).issuer
    app_acc = Key("account")
    app_acc.public = app_key  # the file's name and the JWT's subject are the account's key (signature not judged)
    (tmp_path / "jwt" / f"{app_key}.jwt").write_text(jwt(app_acc, Key("operator"), "account", "APP"),
                                                     encoding="utf-8")
    assert check(tmp_path, monkeypatch) == [("NL302", "docker-compose.yml", 14)]


def test_the_graph_names_accounts_by_name_and_short_key(tmp_path, monkeypatch):
    from natslint.cli import graph as _graph  # noqa: F401  (registers the command)
    from natslint.natsjwt import creds_user

    fleet(tmp_path, app_js=True)
    key = creds_user((tmp_path / "edge.creds").read_text()).issuer
    monkeypatch.chdir(tmp_path)
    lines = CliRunner().invoke(app, ["graph", "--format", "text", "."]).stdout.splitlines()
    assert f"  ↳ leaf link from leaf [$G] to hub [APP ({key[:8]}…)]" in lines
