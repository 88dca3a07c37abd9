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


def fleet(tmp: Path, *, app_js: bool, leaf_js: str = "", resolver: str | None = None, hub_extra: str = "",
          app_claims: dict | None = None, more: str = "", user_creds=None, op: Key | None = None) -> Path:
    """A hub in operator mode (MEMORY resolver: SYS, APP and ``more`` preloaded), a leaf that
    links with a creds file of an APP user (``user_creds(app, user)`` writes another), a host
    behind the leaf on domain `hub`."""
    op, sys_acc, app_acc, user = op or Key("operator"), Key("account"), Key("account"), Key("user")
    claims = {"limits": {"mem_storage": -1, "disk_storage": -1}} if app_js else {}
    accounts = resolver or (
        f"resolver: MEMORY\nresolver_preload: {{\n"
        f"  {sys_acc.public}: \"{jwt(sys_acc, op, 'account', 'SYS')}\"\n"
        f"  {app_acc.public}: \"{jwt(app_acc, op, 'account', 'APP', {**claims, **(app_claims or {})})}\"\n"
        f"{more}}}\n")
    (tmp / "hub.conf").write_text(
        f"server_name: hub\noperator: \"{jwt(op, op, 'operator', 'OP')}\"\n"
        f"system_account: {sys_acc.public}\n{accounts}{hub_extra}"
        "jetstream { domain: hub, store_dir: /data/hub }\nleafnodes { port: 7422 }\n", encoding="utf-8")
    text = user_creds(app_acc, user) if user_creds else creds(jwt(user, app_acc, "user", "edge"), user)
    (tmp / "edge.creds").write_text(text, encoding="utf-8")
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


# --- the accounts and users the hub refuses, and what nats-server refuses to start with -------------

def no_seed(app: Key, user: Key) -> str:
    return creds(jwt(user, app, "user", "edge"), user).split("-----BEGIN USER NKEY SEED")[0]


def other_account(app: Key, user: Key) -> str:
    return creds(jwt(user, Key("account"), "user", "edge"), user)


def other_seed(app: Key, user: Key) -> str:
    return creds(jwt(user, app, "user", "edge"), Key("user"))


def unlisted_signing_key(app: Key, user: Key) -> str:
    """Signed by a key that claims APP as its account, which APP's JWT does not list."""
    return creds(jwt(user, Key("account"), "user", "edge", {"issuer_account": app.public}), user)


@pytest.mark.parametrize("user_creds,why", [
    (no_seed, 'the leaf logs `LeafNode Remote Credentials file "./edge.creds" malformed` and never links'),
    (other_account, "is no account the hub's MEMORY resolver preloads"),
    (other_seed, "its seed is not the key of the user its JWT names"),
    (unlisted_signing_key, "is neither account"),
], ids=["malformed", "account-not-preloaded", "seed-of-another-user", "signer-not-listed"])
def test_a_creds_file_the_leaf_or_hub_refuses(user_creds, why, tmp_path, monkeypatch):
    got = findings(fleet(tmp_path, app_js=True, user_creds=user_creds), monkeypatch)
    # the link never comes up: the host behind the leaf loses the hub's domain
    assert [(f["code"], f["path"], f["line"]) for f in got] == [("NL112", "leaf.conf", 3),
                                                               ("NL302", "docker-compose.yml", 14)]
    assert why in " ".join([got[0]["message"], *got[0].get("notes", [])])


def test_a_user_signed_by_a_listed_signing_key_is_the_accounts(tmp_path, monkeypatch):
    signer = Key("account")

    def by_signing_key(app: Key, user: Key) -> str:
        return creds(jwt(user, signer, "user", "edge", {"issuer_account": app.public}), user)

    folder = fleet(tmp_path, app_js=True, user_creds=by_signing_key, app_claims={"signing_keys": [signer.public]})
    assert check(folder, monkeypatch) == []


def test_no_auth_user_beside_an_operator_is_a_startup_refusal(tmp_path, monkeypatch):
    folder = fleet(tmp_path, app_js=True, hub_extra="no_auth_user: edge\n")
    assert check(folder, monkeypatch) == [("NL112", "hub.conf", 9)]  # nothing follows from a hub that never starts


def test_resolver_preload_without_an_operator_is_read_by_nobody(tmp_path, monkeypatch):
    acc = Key("account")
    (tmp_path / "hub.conf").write_text(
        f"server_name: hub\nresolver: MEMORY\nresolver_preload: {{ {acc.public}: "
        f"\"{jwt(acc, Key('operator'), 'account', 'APP')}\" }}\n", encoding="utf-8")
    got = findings(tmp_path, monkeypatch)
    assert [(f["code"], f["severity"], f["line"]) for f in got] == [("NL112", "warning", 3)]


def js_import(tmp: Path, *, imported: bool) -> Path:
    """APP has no JetStream of its own; it imports the JS API of account JS (which has it), renamed
    into the hub's domain (`local_subject: $JS.hub.API.>`)."""
    op, js = Key("operator"), Key("account")
    exports = {"exports": [{"name": "js", "subject": "$JS.API.>", "type": "service"}],
               "limits": {"mem_storage": -1, "disk_storage": -1}}
    imports = {"imports": [{"name": "js", "subject": "$JS.API.>", "account": js.public, "type": "service",
                            "local_subject": "$JS.hub.API.>"}]} if imported else {}
    return fleet(tmp, app_js=False, op=op, app_claims=imports,
                 more=f"  {js.public}: \"{jwt(js, op, 'account', 'JS', exports)}\"\n")


def test_an_account_jwts_service_imports_are_read_as_a_configs_imports(tmp_path):
    from natslint.fleet.servers import server_from_document
    from natslint.syntax.parser import parse_file

    js_import(tmp_path, imported=True)
    hub = server_from_document(parse_file(str(tmp_path / "hub.conf")), str(tmp_path / "hub.conf"))
    (app_key, imports), = hub.service_imports.items()
    js_key = next(k for k, name in hub.account_names.items() if name == "JS")
    assert hub.account_names[app_key] == "APP" and imports == [("$JS.hub.API.>", js_key, "$JS.API.>")]
    assert hub.js_accounts == {js_key} and hub.accounts_known


@pytest.mark.parametrize("imported", [True, False], ids=["imports-the-api", "no-import"])
def test_an_import_renamed_into_the_domain_does_not_answer_behind_a_leaf(imported, tmp_path, monkeypatch):
    # live (below): APP's own JetStream handler answers on the hub first, and across the leaf link
    # the request times out; natslint says the same with the import as without it
    assert check(js_import(tmp_path, imported=imported), monkeypatch) == [("NL302", "docker-compose.yml", 14)]


def findings(folder: Path, monkeypatch) -> list[dict]:
    monkeypatch.chdir(folder)
    out = json.loads(CliRunner().invoke(app, ["check", "--format", "json", "--isolated", "."]).stdout)
    return sorted(out["findings"], key=lambda f: (f["code"], f["path"], f["line"]))


@pytest.mark.live
@pytest.mark.parametrize("make", [
    lambda tmp: fleet(tmp, app_js=True, user_creds=no_seed),
    lambda tmp: fleet(tmp, app_js=True, user_creds=other_account),
    lambda tmp: fleet(tmp, app_js=True, user_creds=other_seed),
    lambda tmp: fleet(tmp, app_js=True, user_creds=unlisted_signing_key),
    lambda tmp: js_import(tmp, imported=True),
    lambda tmp: js_import(tmp, imported=False),
], ids=["malformed", "account-not-preloaded", "seed-of-another-user", "signer-not-listed", "imports-the-api",
        "no-import"])
def test_the_real_servers_agree_on_refused_users_and_imported_apis(make, tmp_path, monkeypatch, nats_server):
    from test_live import run

    result, proof = run(make(tmp_path), monkeypatch)
    host = [p for p in proof.probes if "host" in p.who]
    assert proof.pids and host and [(p.who, p.account, p.domain, p.predicted.kind, p.observed) for p in proof.probes if p.ok is False] == []
    # each verdict above was proven: the host's domain requests answered, or not, as the check said
    assert all(p.ok for p in host)


@pytest.mark.live
def test_no_auth_user_beside_an_operator_stops_the_real_server_and_passes_dash_t(tmp_path, monkeypatch, nats_server):
    import subprocess

    from test_live import run

    folder = fleet(tmp_path, app_js=True, hub_extra="no_auth_user: edge\n")
    dash_t = subprocess.run([nats_server, "-t", "-c", str(folder / "hub.conf")], capture_output=True, text=True)
    assert dash_t.returncode == 0, dash_t.stderr
    _, proof = run(folder, monkeypatch)
    exits = [s for s in proof.skipped if "exited at startup" in s] + \
        [p.exited or "" for p in proof.plans if p.server.label == "server `hub`"]
    assert any("no_auth_user not compatible with Trusted Operator" in e for e in exits), (proof.skipped, exits)
    assert not [x for x in proof.incomplete if "kept running" in x]
