"""Issue 35's wiring mistakes on the real nats-server: the configs natslint judges are the ones
started, and the messages (or the login refusal) show what the finding says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from livenats import delivered, free_ports, monitor, refused, running, wait_for
from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401  (registers the command)
from natslint.cli.app import app

pytestmark = pytest.mark.live


def verdict(folder: Path, monkeypatch) -> list[tuple[str, str, int]]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["check", "--isolated", "--format", "json", "--fail-on", "info", "."])
    return sorted((f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"])


def hub(port: int, http: int, leaf: int, extra: str = "") -> str:
    return f"server_name: hub\nlisten: 127.0.0.1:{port}\nhttp: 127.0.0.1:{http}\n" \
           f"leafnodes {{ listen: 127.0.0.1:{leaf} }}\n{extra}"


def leaves_up(http: int, n: int) -> bool:
    return len(monitor(http, "leafz").get("leafs") or []) == n


@pytest.mark.parametrize("shared", [True, False], ids=["one-cluster-name", "names-of-their-own"])
def test_leaves_sharing_a_cluster_name_get_nothing_from_each_other(shared, nats_server, tmp_path, monkeypatch):
    c_hub, http, leaf_port, *clients = free_ports(6)
    configs = {"hub": (hub(c_hub, http, leaf_port), c_hub)}
    for i, port in enumerate(clients, 1):
        name = "L" if shared else f"L{i}"
        configs[f"l{i}"] = (f"server_name: l{i}\nlisten: 127.0.0.1:{port}\ncluster {{ name: {name} }}\n"
                            f"leafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{leaf_port}\" }} ] }}\n", port)
    for name, (text, _) in configs.items():
        (tmp_path / f"{name}.conf").write_text(text, encoding="utf-8")
    assert verdict(tmp_path, monkeypatch) == ([("NL403", "l2.conf", 3), ("NL403", "l3.conf", 3)] if shared else [])
    with running(nats_server, tmp_path, configs):
        wait_for(lambda: leaves_up(http, 3), "three leaf links on the hub")
        assert delivered(clients[0], c_hub, "hub.to.l1") == 3
        assert delivered(c_hub, clients[1], "l2.to.hub") == 3
        assert delivered(clients[0], clients[1], "l2.to.l1") == (0 if shared else 3)


@pytest.mark.parametrize("merged", [False, True], ids=["three-remotes", "one-remote-with-urls"])
def test_three_remotes_into_one_cluster_deliver_each_message_three_times(merged, nats_server, tmp_path,
                                                                         monkeypatch):
    ports = free_ports(13)
    clients, routes, leafs, https, edge = ports[0:3], ports[3:6], ports[6:9], ports[9:12], ports[12]
    configs = {}
    for i in range(3):
        configs[f"hub{i + 1}"] = (
            f"server_name: hub-{i + 1}\nlisten: 127.0.0.1:{clients[i]}\nhttp: 127.0.0.1:{https[i]}\n"
            f"cluster {{ name: hub, listen: 127.0.0.1:{routes[i]}, routes: ["
            + ", ".join(f"nats://127.0.0.1:{r}" for r in routes) + "] }\n"
            f"leafnodes {{ listen: 127.0.0.1:{leafs[i]} }}\n", clients[i])
    urls = [f'"nats-leaf://127.0.0.1:{p}"' for p in leafs]
    remotes = f"{{ urls: [{', '.join(urls)}] }}" if merged else ", ".join(f"{{ url: {u} }}" for u in urls)
    configs["edge"] = (f"server_name: edge\nlisten: 127.0.0.1:{edge}\nleafnodes {{ remotes: [ {remotes} ] }}\n", edge)
    for name, (text, _) in configs.items():
        (tmp_path / f"{name}.conf").write_text(text, encoding="utf-8")
    assert verdict(tmp_path, monkeypatch) == ([] if merged else [("NL409", "edge.conf", 3)])
    with running(nats_server, tmp_path, configs):
        links = 1 if merged else 3
        wait_for(lambda: sum(len(monitor(h, "leafz").get("leafs") or []) for h in https) == links,
                 f"{links} leaf links")
        wait_for(lambda: all(monitor(h, "routez")["num_routes"] >= 2 for h in https), "a full mesh of routes")
        assert delivered(clients[0], edge, "edge.to.hub") == 3 * links
        assert delivered(edge, clients[0], "hub.to.edge") == 3 * links


@pytest.mark.parametrize("bound", ["", ", account: EDGE_1"], ids=["binds-$G", "binds-EDGE_1"])
def test_a_link_bound_to_an_account_no_client_logs_into_carries_nothing(bound, nats_server, tmp_path,
                                                                        monkeypatch):
    c_hub, http, leaf_port, c_edge = free_ports(4)
    edge = (f"server_name: edge-1\nlisten: 127.0.0.1:{c_edge}\n"
            "accounts {\n  EDGE_1: { users: [ { user: app, password: app } ] }\n"
            "  SYS: { users: [ { user: admin, password: admin } ] }\n}\nsystem_account: SYS\n"
            f"leafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{leaf_port}\"{bound} }} ] }}\n")
    configs = {"hub": (hub(c_hub, http, leaf_port), c_hub), "edge": (edge, c_edge)}
    for name, (text, _) in configs.items():
        (tmp_path / f"{name}.conf").write_text(text, encoding="utf-8")
    assert verdict(tmp_path, monkeypatch) == ([("NL410", "edge.conf", 8)] if not bound else [])
    with running(nats_server, tmp_path, configs):
        wait_for(lambda: leaves_up(http, 1), "the leaf link")
        assert "Authorization Violation" in refused(c_edge)  # nobody logs into $G anonymously
        app_user = ("app", "app")
        assert delivered(c_hub, c_edge, "edge.to.hub", pub_user=app_user) == (3 if bound else 0)
        assert delivered(c_edge, c_hub, "hub.to.edge", sub_user=app_user) == (3 if bound else 0)
