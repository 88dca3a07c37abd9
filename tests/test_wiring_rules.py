"""Issue 35's rules on small fleets: where they fire, where they must not, and the NL409 fix.
(The bad and good fixture fleets are in fixtures/, their findings in each expected.txt; the real
servers' counts in test_wiring_live.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app
from natslint.deploy.ports import _short
from natslint.span import Span


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def findings(root: Path, monkeypatch, *args: str) -> list[tuple[str, str, int]]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["check", "--isolated", "--format", "json", "--fail-on", "info", *args, "."])
    assert result.exit_code in (0, 1), result.output
    return sorted((f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"])


HUB = "server_name: hub\nlisten: 127.0.0.1:4222\nleafnodes { listen: 127.0.0.1:7422 }\n"


def leaf(name: str, port: int, extra: str = "", remote: str = "") -> str:
    return (f"server_name: {name}\nlisten: 127.0.0.1:{port}\n{extra}"
            f"leafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:7422\"{remote} }} ] }}\n")


# -- NL403: leaves that share a cluster name ---------------------------------------------------

def test_routed_leaves_with_one_name_are_one_cluster(tmp_path, monkeypatch):
    cluster = ("cluster {{ name: L, listen: 127.0.0.1:{}, routes: [ nats://127.0.0.1:6301, "
               "nats://127.0.0.1:6302 ] }}\n")
    write(tmp_path, {"hub.conf": HUB, "l1.conf": leaf("l1", 4301, cluster.format(6301)),
                     "l2.conf": leaf("l2", 4302, cluster.format(6302))})
    assert findings(tmp_path, monkeypatch) == []


def test_leaves_with_one_name_into_different_accounts_are_not_judged(tmp_path, monkeypatch):
    hub = HUB.replace("leafnodes { listen: 127.0.0.1:7422 }", "accounts { A: {}, B: {} }\nleafnodes { "
                      "listen: 127.0.0.1:7422, authorization { users: [ { user: a, password: a, account: A }, "
                      "{ user: b, password: b, account: B } ] } }")
    write(tmp_path, {"hub.conf": hub,
                     "l1.conf": leaf("l1", 4301, "cluster { name: L }\n").replace("nats-leaf://", "nats-leaf://a:a@"),
                     "l2.conf": leaf("l2", 4302, "cluster { name: L }\n").replace("nats-leaf://", "nats-leaf://b:b@")})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL403"] == []


# -- NL409: several remotes into one cluster and account ----------------------------------------

THREE_HUBS = {f"hub{i}.conf": (f"server_name: hub-{i}\nlisten: 127.0.0.1:422{i}\ncluster {{ name: hub, listen: "
                               f"127.0.0.1:622{i}, routes: [ nats://127.0.0.1:6221, nats://127.0.0.1:6222 ] }}\n"
                               f"leafnodes {{ listen: 127.0.0.1:742{i} }}\n") for i in (1, 2)}


def test_the_safe_fix_merges_remotes_that_differ_only_in_url(tmp_path, monkeypatch):
    edge = ("server_name: edge\nlisten: 127.0.0.1:4300\nleafnodes {\n  remotes: [\n"
            "    { url: \"nats-leaf://127.0.0.1:7421\", deny_imports: [\"_INBOX.>\"] }\n"
            "    { url: \"nats-leaf://127.0.0.1:7422\", deny_imports: [\"_INBOX.>\"] }\n  ]\n}\n")
    write(tmp_path, {**THREE_HUBS, "edge.conf": edge})
    assert findings(tmp_path, monkeypatch) == [("NL409", "edge.conf", 6)]
    result = CliRunner().invoke(app, ["check", "--isolated", "--fix", "."])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "edge.conf").read_text() == (
        "server_name: edge\nlisten: 127.0.0.1:4300\nleafnodes {\n  remotes: [\n"
        "    { urls: [\"nats-leaf://127.0.0.1:7421\", \"nats-leaf://127.0.0.1:7422\"], deny_imports: [\"_INBOX.>\"] }"
        "\n  ]\n}\n")
    assert findings(tmp_path, monkeypatch) == []


def test_remotes_that_differ_in_more_than_a_url_get_no_fix(tmp_path, monkeypatch):
    edge = ("server_name: edge\nlisten: 127.0.0.1:4300\nleafnodes {\n  remotes: [\n"
            "    { url: \"nats-leaf://127.0.0.1:7421\" }\n"
            "    { url: \"nats-leaf://127.0.0.1:7422\", deny_imports: [\"_INBOX.>\"] }\n  ]\n}\n")
    write(tmp_path, {**THREE_HUBS, "edge.conf": edge})
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--isolated", "--format", "json", "."]).stdout)
    assert [(f["code"], f["line"], f["autofix"]) for f in out["findings"]] == [("NL409", 6, None)]


def test_remotes_into_different_accounts_are_two_links(tmp_path, monkeypatch):
    edge = ("server_name: edge\nlisten: 127.0.0.1:4300\naccounts { A: {}, B: {} }\nleafnodes {\n  remotes: [\n"
            "    { url: \"nats-leaf://127.0.0.1:7421\", account: A }\n"
            "    { url: \"nats-leaf://127.0.0.1:7422\", account: B }\n  ]\n}\n")
    write(tmp_path, {**THREE_HUBS, "edge.conf": edge})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL409"] == []


# -- NL407: host ports a compose project publishes ----------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("4222", None),  # a container port alone: Docker picks the host port
    ("127.0.0.1::4222", None),
    ("4222:4222", ("", 4222, 4222, "tcp")),
    ("127.0.0.1:4223:4222", ("127.0.0.1", 4223, 4223, "tcp")),
    ("[::1]:4222:4222", ("::1", 4222, 4222, "tcp")),
    ("7422-7424:7422-7424", ("", 7422, 7424, "tcp")),
    ("4222:4222/UDP", ("", 4222, 4222, "udp")),
])
def test_short_port_syntax(text, expected):
    p = _short(text, Span("c.yml", 0, 0, 1, 1))
    assert (None if p is None else (p.ip, p.first, p.last, p.protocol)) == expected


@pytest.mark.parametrize("a, b, clash", [
    ("4222:4222", "127.0.0.1:4222:4222", True),  # no host_ip: every address
    ("0.0.0.0:4222:4222", "127.0.0.1:4222:4222", True),
    ("0.0.0.0:4222:4222", "[::1]:4222:4222", False),  # another address family
    ("127.0.0.1:4222:4222", "127.0.0.2:4222:4222", False),
    ("4222:4222", "4222:4222/udp", False),
    ("7420-7422:7420-7422", "7422:4222", True),
])
def test_published_ports_overlap(a, b, clash):
    span = Span("c.yml", 0, 0, 1, 1)
    assert _short(a, span).overlaps(_short(b, span)) is clash  # type: ignore[union-attr]


def compose(ports_a: str, ports_b: str, profiles_b: str = "", profiles_a: str = "") -> str:
    return ("services:\n"
            f"  a:\n    image: nats:2.11\n{profiles_a}    ports:\n{ports_a}"
            f"  b:\n    image: nats:2.11\n{profiles_b}    ports:\n{ports_b}")


@pytest.mark.parametrize("text, expected", [
    (compose("      - \"4222:4222\"\n", "      - target: 4222\n        published: \"4222\"\n"),
     [("NL407", "compose.yaml", 9)]),
    (compose("      - \"4222:4222\"\n", "      - target: 4222\n        published: \"4222\"\n"
             "        host_ip: 127.0.0.1\n"), [("NL407", "compose.yaml", 9)]),
    (compose("      - \"${PORT:-4222}:4222\"\n", "      - \"4222:4222\"\n"), [("NL407", "compose.yaml", 9)]),
    (compose("      - \"${PORT}:4222\"\n", "      - \"4222:4222\"\n"), []),  # unknown: never guessed
    (compose("      - \"4222:4222\"\n", "      - \"4222:4222\"\n", "    profiles: [debug]\n"),
     [("NL407", "compose.yaml", 10)]),  # `a` always starts: with `debug`, both do
    (compose("      - \"4222:4222\"\n", "      - \"4222:4222\"\n", "    profiles: [debug]\n",
             "    profiles: [prod]\n"), []),  # never started together
])
def test_compose_services_publishing_one_host_port(text, expected, tmp_path, monkeypatch):
    write(tmp_path, {"compose.yaml": text})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL407"] == expected


# -- NL107: one store directory for several servers ------------------------------------------------

def js_service(name: str, volume: str) -> str:
    return (f"  {name}:\n    image: nats:2.11\n    command: [\"-js\", \"-sd\", \"/data/js\", \"-n\", \"{name}\"]\n"
            f"    volumes: [\"{volume}:/data\"]\n")


@pytest.mark.parametrize("volumes, expected", [
    (("shared", "shared"), [("NL107", "compose.yaml", 8)]),  # one named volume: one directory
    (("data-a", "data-b"), []),  # a volume each
])
def test_a_named_volume_shared_by_two_services_is_one_store(volumes, expected, tmp_path, monkeypatch):
    text = "services:\n" + js_service("a", volumes[0]) + js_service("b", volumes[1]) + \
        "volumes: {" + ", ".join(f"{v}: {{}}" for v in sorted(set(volumes))) + "}\n"
    write(tmp_path, {"compose.yaml": text})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL107"] == expected


def test_a_sidecar_sharing_the_network_has_a_filesystem_of_its_own(tmp_path, monkeypatch):
    text = ("services:\n  a:\n    image: nats:2.11\n    command: [\"-js\", \"-sd\", \"/data/js\", \"-p\", \"4222\"]\n"
            "  b:\n    image: nats:2.11\n    network_mode: service:a\n"
            "    command: [\"-js\", \"-sd\", \"/data/js\", \"-p\", \"4223\"]\n")
    write(tmp_path, {"compose.yaml": text})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL107"] == []


def test_a_lone_server_without_store_dir_is_only_warned(tmp_path, monkeypatch):
    write(tmp_path, {"nats.conf": "server_name: solo\njetstream { domain: solo }\n"})
    monkeypatch.chdir(tmp_path)
    out = json.loads(CliRunner().invoke(app, ["check", "--isolated", "--format", "json", "."]).stdout)
    assert [(f["code"], f["severity"], f["line"]) for f in out["findings"]] == [("NL107", "warning", 2)]


# -- NL410: a link bound to an account nobody logs into -----------------------------------------

USERS = "accounts {\n  EDGE: { users: [ { user: app, password: app } ] }\n  SYS: { users: [ { user: s, password: s } ] }\n}\n" \
        "system_account: SYS\n"


@pytest.mark.parametrize("extra, remote, expected", [
    (USERS, "", [("NL410", "edge.conf", 8)]),
    (USERS, ", account: EDGE", []),
    (USERS, ", account: SYS", []),  # the system account's link carries the servers' own traffic
    (USERS + "no_auth_user: app\n", ", account: EDGE", []),
    ("", "", []),  # no users: anonymous clients are in $G
    ("authorization { token: t0k3n }\n", "", []),  # a token login lands in $G
    (USERS.replace("EDGE: {", "EDGE: { exports: [ { stream: \"metrics.>\" } ],"), ", account: EDGE", []),
    ("accounts { EDGE: { users: [ { user: app, password: app } ] }, FEED: { exports: [ { stream: \"x.>\" } ] } }\n",
     ", account: FEED", []),  # an account that exports: its messages reach the importers
    ("authorization { auth_callout { issuer: AXXX, auth_users: [ cb ] } }\n", "", []),  # not read: not judged
])
def test_a_remote_bound_to_an_account_no_client_uses(extra, remote, expected, tmp_path, monkeypatch):
    write(tmp_path, {"hub.conf": HUB, "edge.conf": leaf("edge", 4301, extra, remote)})
    assert [f for f in findings(tmp_path, monkeypatch) if f[0] == "NL410"] == expected


def test_a_jetstream_answering_once_per_parallel_link_agrees_with_a_repeated_prediction(tmp_path):
    from natslint.fleet.reach import JetStream, Prediction
    from natslint.prove.probe import Observed, Probe

    hub = JetStream.__new__(JetStream)
    hub.id = 1
    repeated = Prediction("jetstream", [hub], repeated=True)
    ok = [Probe("edge", None, "$G", "hub", p, o).ok for p, o in [  # type: ignore[arg-type]
        (repeated, Observed("several", [1], [], 3)),
        (repeated, Observed("jetstream", [1], [], 1)),
        (repeated, Observed("several", [1, 2], [], 2)),  # another JetStream answered too: a split
        (Prediction("jetstream", [hub]), Observed("several", [1], [], 3)),  # not predicted repeated
    ]]
    assert ok == [True, True, False, False]
