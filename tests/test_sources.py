"""Deployment readers: every form of environment a host or a server can get, located."""

from __future__ import annotations

from pathlib import Path

from natslint.check import Settings, check_paths
from natslint.deploy.compose import interpolate, read_compose
from natslint.deploy.systemd import read_systemd
from natslint.deploy.yamlfiles import load_yaml
from natslint.sources import SourceCache


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")


def test_interpolation_forms():
    env = {"A": "1", "E": ""}
    assert interpolate("${A}-$A-${B:-x}-${E:-y}-${E-z}-$$A", env) == "1-1-x-y--$A"
    assert interpolate("${MISSING}", env) is None  # unknown, never guessed


def test_compose_environment_forms(tmp_path, monkeypatch):
    write(tmp_path, {
        "compose.yaml": (
            "services:\n"
            "  map:\n    image: wasmcloud/wasmcloud:1.9.2\n    environment:\n"
            "      WASMCLOUD_JS_DOMAIN: ${DOMAIN:-hub}\n      WASMCLOUD_LATTICE:\n"
            "  list:\n    image: wasmcloud/wasmcloud:1.9.2\n    environment:\n"
            "      - WASMCLOUD_JS_DOMAIN=core\n      - WASMCLOUD_LATTICE\n"
            "  file:\n    image: wasmcloud/wasmcloud:1.9.2\n    env_file: [host.env]\n"
            "  side:\n    image: wasmcloud/wasmcloud:1.9.2\n    network_mode: service:nats\n"
            "    networks: {default: {aliases: [extra]}}\n"
            "  nats:\n    image: nats:2.11\n    command: -js -p 4333 --config /etc/n/x.conf\n"
            "    volumes: [\"./n:/etc/n\"]\n"),
        ".env": "WASMCLOUD_LATTICE=from-dotenv\n",
        "host.env": "# comment\nWASMCLOUD_JS_DOMAIN=filed\n",
    })
    sources = SourceCache(str(tmp_path))
    docs, _ = load_yaml(sources.text("compose.yaml"))
    res = read_compose("compose.yaml", docs[0], sources, {})
    w = {x.id.split("#")[1]: x for x in res.workloads}
    assert w["map"].env["WASMCLOUD_JS_DOMAIN"].value == "hub"
    assert w["map"].env["WASMCLOUD_LATTICE"].value == "from-dotenv"  # `KEY:` takes the shell/.env value
    assert (w["map"].env["WASMCLOUD_JS_DOMAIN"].span.line, w["map"].env["WASMCLOUD_JS_DOMAIN"].span.col) == (5, 28)  # the value
    assert w["list"].env["WASMCLOUD_JS_DOMAIN"].value == "core"
    assert w["list"].env["WASMCLOUD_LATTICE"].value == "from-dotenv"
    assert w["file"].env["WASMCLOUD_JS_DOMAIN"].value == "filed"
    assert w["file"].env["WASMCLOUD_JS_DOMAIN"].span.path == "host.env"
    assert w["file"].env["WASMCLOUD_JS_DOMAIN"].span.line == 2
    assert w["side"].netns == w["nats"].netns
    assert "extra" in w["side"].names
    assert w["nats"].runs_nats and w["nats"].config_paths[0][0] == "n/x.conf"


def test_compose_cli_flags_shape_the_server(tmp_path, monkeypatch):
    write(tmp_path, {
        "compose.yaml": "services:\n  nats:\n    image: nats:2.11\n    command: [\"-js\", \"-sd\", \"/data\", \"-p\", \"4333\"]\n"
                        "  host:\n    image: wasmcloud/wasmcloud:1.9.2\n    environment:\n"
                        "      WASMCLOUD_NATS_HOST: nats\n      WASMCLOUD_NATS_PORT: \"4333\"\n",
    })
    result = check_paths(["."], Settings(), root=str(tmp_path))
    (server,) = result.fleet.servers
    assert server.js_enabled.value is True and server.listener("client").port == 4333
    (host,) = result.fleet.hosts
    assert host.server is server
    assert result.findings == []


def test_kubernetes_env_from_config_maps_and_opaque_secrets(tmp_path, monkeypatch):
    write(tmp_path, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: host-env, namespace: prod}\n"
                   "data:\n  WASMCLOUD_JS_DOMAIN: hub\n  WASMCLOUD_NATS_HOST: nats\n",
        "host.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: h, namespace: prod}\nspec:\n"
                     "  template:\n    spec:\n      containers:\n        - name: host\n"
                     "          image: wasmcloud/wasmcloud:1.9.2\n"
                     "          envFrom: [{configMapRef: {name: host-env}}, {secretRef: {name: creds}}]\n",
    })
    result = check_paths(["."], Settings(), root=str(tmp_path))
    (host,) = result.fleet.hosts
    assert host.domain.value == "hub"
    assert host.domain.span.path == "cm.yaml" and host.domain.span.line == 5
    assert host.opaque_env == ["Secret 'creds'"]


def test_systemd_drop_in_overrides_its_unit(tmp_path):
    write(tmp_path, {
        "u/wasmcloud.service": "[Service]\nEnvironment=WASMCLOUD_JS_DOMAIN=hub \"WASMCLOUD_LATTICE=a b\"\n",
        "u/wasmcloud.service.d/10-x.conf": "[Service]\nEnvironment=WASMCLOUD_JS_DOMAIN=edge\n",
    })
    sources = SourceCache(str(tmp_path))
    unit = read_systemd(sources, "u/wasmcloud.service")
    assert unit.env["WASMCLOUD_LATTICE"].value == "a b"
    drop = read_systemd(sources, "u/wasmcloud.service.d/10-x.conf")
    assert drop.id == unit.id
    assert drop.env["WASMCLOUD_JS_DOMAIN"].value == "edge"
