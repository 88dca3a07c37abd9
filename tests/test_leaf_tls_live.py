"""NL411 leaf-tls-mismatch and leaf links over websocket, each judged by natslint and run by real
servers with certificates of a private CA made here: the link comes up exactly where natslint
finds nothing (or only a warning that a public CA would clear), and the log says why it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from livenats import free_ports, monitor, running, wait_for
from tlscerts import make_certs
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

pytestmark = pytest.mark.live

HUB_TLS = 'tls {{ cert_file: "{cert}", key_file: "{key}"{hub_first} }}'
# case -> (hub's leafnodes block, leaf's leafnodes block, link comes up, the log line of a link that
# does not (hub or leaf), natslint's findings (code, severity, file, line))
CASES = {
    "leafnodes-tls-is-not-the-remote's": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS + "\n}}\n",
        'leafnodes {{\n  tls {{ ca_file: "{ca}" }}\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}" }}\n  ]\n}}\n',
        False, "x509: certificate signed by unknown authority", [("NL411", "error", "leaf.conf", 4)]),
    "the-remote's-own-tls": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}" }} }}\n  ]\n}}\n',
        True, "", []),
    "no-client-tls-and-a-private-ca": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}" }}\n  ]\n}}\n',
        False, "x509: certificate signed by unknown authority", [("NL411", "warning", "leaf.conf", 3)]),
    "handshake-first-on-the-hub-only": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS.replace("{hub_first}", ", handshake_first: true") + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}" }} }}\n  ]\n}}\n',
        False, "TLS leafnode handshake error: EOF", [("NL411", "error", "leaf.conf", 3)]),
    "handshake-first-on-the-leaf-only": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}", '
        'handshake_first: true }} }}\n  ]\n}}\n',
        False, "TLS leafnode handshake error", [("NL411", "error", "leaf.conf", 3)]),
    "handshake-first-on-both": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS.replace("{hub_first}", ", handshake_first: true") + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}", '
        'handshake_first: true }} }}\n  ]\n}}\n',
        True, "", []),
    "hub-verifies-a-remote-without-a-certificate": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS.replace("{hub_first}", ', ca_file: "{ca}", verify: true')
        + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}" }} }}\n  ]\n}}\n',
        False, "tls: client didn't provide a certificate", [("NL411", "error", "leaf.conf", 3)]),
    "hub-verifies-a-remote-with-its-certificate": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n  " + HUB_TLS.replace("{hub_first}", ', ca_file: "{ca}", verify: true')
        + "\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}", '
        'cert_file: "{cert}", key_file: "{key}" }} }}\n  ]\n}}\n',
        True, "", []),
    "remote-tls-to-a-hub-without-tls": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{leaf}", tls {{ ca_file: "{ca}" }} }}\n  ]\n}}\n',
        False, "authentication error", [("NL411", "error", "leaf.conf", 3)]),
    "a-tls-url-alone-to-a-hub-without-tls": (
        "leafnodes {{\n  listen: 127.0.0.1:{leaf}\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "tls://127.0.0.1:{leaf}" }}\n  ]\n}}\n',
        True, "", []),
    "ws-url-at-the-websocket-port": (
        "websocket {{\n  listen: 127.0.0.1:{ws}\n  no_tls: true\n}}\nleafnodes {{\n  listen: 127.0.0.1:{leaf}\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "ws://127.0.0.1:{ws}" }}\n  ]\n}}\n',
        True, "", []),
    "ws-url-at-the-leafnode-port": (
        "websocket {{\n  listen: 127.0.0.1:{ws}\n  no_tls: true\n}}\nleafnodes {{\n  listen: 127.0.0.1:{leaf}\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "ws://127.0.0.1:{leaf}" }}\n  ]\n}}\n',
        False, "Error soliciting websocket connection: malformed HTTP status code", [("NL401", "error", "leaf.conf", 3)]),
    "ws-url-to-a-hub-without-a-leafnodes-listener": (
        "websocket {{\n  listen: 127.0.0.1:{ws}\n  no_tls: true\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "ws://127.0.0.1:{ws}" }}\n  ]\n}}\n',
        False, "Not configured to accept leaf node connections", [("NL401", "error", "leaf.conf", 3)]),
    "nats-leaf-url-at-the-websocket-port": (
        "websocket {{\n  listen: 127.0.0.1:{ws}\n  no_tls: true\n}}\nleafnodes {{\n  listen: 127.0.0.1:{leaf}\n}}\n",
        'leafnodes {{\n  remotes: [\n    {{ url: "nats-leaf://127.0.0.1:{ws}" }}\n  ]\n}}\n',
        False, "", [("NL401", "error", "leaf.conf", 3)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_link_comes_up_where_natslint_says(case, tmp_path, nats_server):
    hub_block, leaf_block, up, line, expected = CASES[case]
    client, leaf_client, leaf_port, ws_port, hub_http, leaf_http = free_ports(6)
    values = {**make_certs(tmp_path), "leaf": leaf_port, "ws": ws_port, "hub_first": ""}
    hub = f"server_name: hub\nlisten: 127.0.0.1:{client}\nhttp: 127.0.0.1:{hub_http}\n" + hub_block.format(**values)
    leaf = f"server_name: leaf\nlisten: 127.0.0.1:{leaf_client}\nhttp: 127.0.0.1:{leaf_http}\n" + \
        leaf_block.format(**values)
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "hub.conf").write_text(hub, encoding="utf-8")
    (fleet / "leaf.conf").write_text(leaf, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "-f", "json", str(fleet)])
    found = sorted((f["code"], f["severity"], Path(f["path"]).name, f["line"])
                   for f in json.loads(result.stdout)["findings"])
    # the lines in CASES count from the block: the three lines of name, listen and http come first
    assert found == sorted((c, sev, p, n + 3) for c, sev, p, n in expected)
    live = tmp_path / "live"
    live.mkdir()
    with running(nats_server, live, {"hub": (hub, client), "leaf": (leaf, leaf_client)}):
        links = lambda: len(monitor(hub_http, "leafz").get("leafs") or [])  # noqa: E731
        if up:
            wait_for(lambda: links() == 1, "the leaf link")
            return
        logs = lambda: (live / "hub.log").read_text() + (live / "leaf.log").read_text()  # noqa: E731
        if line:
            wait_for(lambda: line in logs(), f"`{line}` in a log")
        else:  # nothing is logged: the hub sees no leaf for two of the leaf's reconnect rounds
            wait_for(lambda: logs().count("Leafnode connection created") >= 2, "two attempts of the leaf")
        assert links() == 0
