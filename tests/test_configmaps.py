"""Kubernetes, from a container's `--config` to the text it runs: volumeMounts, ConfigMaps
written in manifests (read where they stand, inside the YAML), kustomize generators, and the
configs natslint cannot see (Secrets, other volumes, ConfigMaps outside the tree)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from natslint.check import Settings, check_paths
from natslint.crash import Crashes
from natslint.deploy.read import read_deployments
from natslint.deploy.yamlfiles import load_yaml
from natslint.discover import discover
from natslint.sources import SourceCache

ROOT = Path(__file__).resolve().parent.parent


def write(tmp: Path, files: dict[str, str], newline: str = "\n") -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_bytes(body.replace("\n", newline).encode("utf-8"))


def found(tmp: Path) -> list[tuple[str, str, int, int]]:
    result = check_paths(["."], Settings(), root=str(tmp))
    return [(f.code, f.span.path, f.span.line, f.span.col) for f in result.findings]


def pod(config: str = "/etc/nats/nats.conf", mounts: str = "[{name: config, mountPath: /etc/nats}]",
        volumes: str = "[{name: config, configMap: {name: nats-config}}]", name: str = "hub") -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n"
            f"    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n"
            f"        - name: nats\n          image: nats:2.11\n          args: [--config, {config}]\n"
            f"          volumeMounts: {mounts}\n      volumes: {volumes}\n")


CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nats-config}\ndata:\n"


# -- embedded configs: positions inside the block scalar ---------------------------------------

@pytest.mark.parametrize("header, indent", [("|", 4), ("|-", 4), ("|+", 4), ("|2", 4), ("|4", 6)])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_finding_inside_a_block_scalar_points_at_its_line_and_column(tmp_path, header, indent, newline):
    pad = " " * indent
    body = (CONFIG_MAP + f"  nats.conf: {header}\n{pad}port: 4222\n\n{pad}jetsream {{ domain: hub }}\n---\n"
            + pod())
    write(tmp_path, {"hub.yaml": body}, newline)
    # `jetsream` sits on line 8 of the file (1: apiVersion ... 5: nats.conf: |, 6: port, 7: blank)
    assert found(tmp_path) == [("NL101", "hub.yaml", 8, indent + 1)]


def test_a_quoted_config_is_read_and_located_on_its_line(tmp_path):
    write(tmp_path, {"hub.yaml": CONFIG_MAP + '  nats.conf: "jetsream: {domain: hub}"\n---\n' + pod()})
    assert found(tmp_path) == [("NL101", "hub.yaml", 5, 15)]


def test_an_include_opens_another_key_of_the_same_config_map(tmp_path):
    write(tmp_path, {"hub.yaml": CONFIG_MAP + "  nats.conf: |\n    include js.conf\n    include gone.conf\n"
                                              "  js.conf: |\n    jetsream { domain: hub }\n---\n" + pod()})
    # the missing key is an error where it is included; the sibling's own mistake is in its block
    assert found(tmp_path) == [("NL002", "hub.yaml", 7, 5), ("NL101", "hub.yaml", 9, 5)]


def test_a_suppression_comment_inside_the_block_works(tmp_path):
    write(tmp_path, {"hub.yaml": CONFIG_MAP + "  nats.conf: |\n    jetsream { domain: hub }  # natslint: ignore[NL101]\n"
                                              "---\n" + pod()})
    assert found(tmp_path) == []


def test_a_key_that_is_no_nats_config_is_skipped_and_listed(tmp_path):
    write(tmp_path, {"web.yaml": CONFIG_MAP + "  nginx.conf: |\n    server {\n      listen 80;\n"
                                              "      location / { root /srv; }\n    }\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert result.findings == []
    assert [(s.path, "nginx" in s.reason) for s in result.skipped] == [
        ("web.yaml#ConfigMap/nats-config/nginx.conf", True)]


# -- the path from --config to the data key -----------------------------------------------------

def test_a_sub_path_mount_and_items_lead_to_the_right_key(tmp_path):
    write(tmp_path, {
        "a.yaml": CONFIG_MAP + "  one.conf: |\n    port: 4222\n    jetsream: {}\n  two.conf: |\n    port: 4222\n---\n"
        + pod("/etc/nats/nats.conf", "[{name: config, mountPath: /etc/nats/nats.conf, subPath: two.conf}]"),
        "b.yaml": pod("/etc/nats/server.conf", "[{name: config, mountPath: /etc/nats}]",
                      "[{name: config, configMap: {name: nats-config, items: [{key: two.conf, path: server.conf}]}}]",
                      name="b")})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    runs = sorted((s.instance_of.split("#")[0], s.path) for s in result.fleet.servers if s.instance_of)
    assert runs == [("a.yaml", "a.yaml#ConfigMap/nats-config/two.conf"),
                    ("b.yaml", "a.yaml#ConfigMap/nats-config/two.conf")]
    # one.conf is a config too (by its name), and its own mistake is still reported
    assert [(f.code, f.span.line) for f in result.findings] == [("NL101", 7)]


@pytest.mark.parametrize("volumes, said", [
    ("[{name: config, secret: {secretName: nats-conf}}]", ": natslint does not read Secrets"),
    ("[{name: config, emptyDir: {}}]", "lives on an emptyDir volume, which natslint cannot see"),
    ("[{name: config, configMap: {name: elsewhere}}]", "comes from ConfigMap 'elsewhere', which is not in the checked files"),
])
def test_a_config_natslint_cannot_see_is_unknown_and_judged_by_no_rule(tmp_path, volumes, said):
    write(tmp_path, {"hub.yaml": pod(volumes=volumes) + "---\napiVersion: v1\nkind: Service\nmetadata: {name: hub}\n"
                                                        "spec: {selector: {app: hub}}\n",
                     "leaf.conf": "server_name: leaf\njetstream { domain: leaf, store_dir: /data }\n"
                                  "leafnodes { remotes: [ { url: \"nats://hub:7422\" } ] }\n",
                     "host.env": "WASMCLOUD_JS_DOMAIN=hub\nWASMCLOUD_NATS_HOST=hub\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    # no NL402 (no leafnode listener), no NL302 or NL303 about a config nobody read
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == [("NL406", "hub.yaml", 9)]
    assert said in result.findings[0].message
    assert result.coverage["servers_unknown_config"] == 1
    assert result.coverage["leaf_links"]["unknown_config"] == 1


def test_an_include_on_an_empty_dir_leaves_the_server_unknown(tmp_path):
    write(tmp_path, {"hub.yaml": CONFIG_MAP + "  nats.conf: |\n    jetstream { domain: hub }\n"
                                              "    include advertise/client.conf\n---\n"
                     + pod(mounts="[{name: config, mountPath: /etc/nats}, {name: adv, mountPath: /etc/nats/advertise}]",
                           volumes="[{name: config, configMap: {name: nats-config}}, {name: adv, emptyDir: {}}]")})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [(f.code, str(f.severity), f.span.line) for f in result.findings] == [("NL002", "info", 7)]
    assert [s.config_unseen_why for s in result.fleet.unseen] == [
        "it includes a file on an emptyDir volume, which natslint cannot see"]


def test_a_config_file_of_the_image_is_unknown_unless_it_is_the_bundled_one(tmp_path):
    write(tmp_path, {"a.yaml": pod("/etc/nats/custom.conf", "[]", "[]"),
                     "b.yaml": pod("/etc/nats/nats-server.conf", "[]", "[]", name="b")})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [s.id.split("#")[0] for s in result.fleet.unseen] == ["a.yaml"]
    assert [s.display for s in result.fleet.servers] == [
        "server `Deployment/b/nats` (the nats image's bundled config)"]


# -- kustomize ----------------------------------------------------------------------------------

KUSTOMIZED = {
    "base/kustomization.yaml": "resources: [nats.yaml]\nconfigMapGenerator:\n"
                               "  - name: nats-config\n    files: [nats.conf=hub.conf]\n"
                               "  - name: host-env\n    envs: [host.env]\n    literals: [WASMCLOUD_LATTICE=prod]\n",
    "base/hub.conf": "server_name: $POD_NAME\njetstream { domain: hub, store_dir: /data }\n"
                     "cluster { name: hub, port: 6222, routes: [\"nats://nats-0.nats:6222\", \"nats://nats-1.nats:6222\", "
                     "\"nats://nats-2.nats:6222\"] }\n"
                     "leafnodes { port: 7422 }\n",
    "base/host.env": "WASMCLOUD_JS_DOMAIN=hub\nWASMCLOUD_NATS_HOST=nats\n",
    "base/nats.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: nats}\nspec: {clusterIP: None, selector: {app: nats}}\n"
                      "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n"
                      "  serviceName: nats\n  replicas: 3\n  template:\n    metadata: {labels: {app: nats}}\n"
                      "    spec:\n      containers:\n        - name: nats\n          image: nats:2.11\n"
                      "          args: [-c, /etc/nats/nats.conf]\n          env:\n            - name: POD_NAME\n"
                      "              valueFrom: {fieldRef: {fieldPath: metadata.name}}\n"
                      "          volumeMounts: [{name: c, mountPath: /etc/nats}]\n"
                      "      volumes: [{name: c, configMap: {name: nats-config}}]\n"
                      "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: host}\nspec:\n  template:\n"
                      "    metadata: {labels: {app: host}}\n    spec:\n      containers:\n"
                      "        - name: host\n          image: ghcr.io/wasmcloud/wasmcloud:1.6.0\n"
                      "          envFrom: [{configMapRef: {name: host-env}}]\n",
}


def test_generated_config_maps_give_configs_and_env(tmp_path):
    write(tmp_path, KUSTOMIZED)
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [(f.code, f.span.path, f.span.line) for f in result.findings] == []
    assert [(s.path, s.domain.value, s.server_name.value) for s in result.fleet.servers] == [
        ("base/hub.conf", "hub", f"nats-{i}") for i in range(3)]
    (host,) = result.fleet.hosts
    assert (host.domain.value, host.lattice.value, host.server is result.fleet.servers[0]) == ("hub", "prod", True)


def test_an_overlay_merges_replaces_and_renames(tmp_path):
    write(tmp_path, {**KUSTOMIZED,
                     "prod/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\nnamespace: lattice\n"
                                                "configMapGenerator:\n"
                                                "  - name: host-env\n    behavior: merge\n"
                                                "    literals: [WASMCLOUD_JS_DOMAIN=hubb]\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    (host,) = result.fleet.hosts
    assert host.domain.value == "hubb"  # merged over the base's env file
    server = result.fleet.servers[0]
    # the prefix renames the Service and the pods, not the names written inside the config
    # and the env: the routes still say `nats-0.nats` and the host `nats`, which no longer exist
    assert "prod-nats-0.prod-nats.lattice.svc.cluster.local" in server.names
    assert server.server_name.value == "prod-nats-0"
    codes = [(f.code, f.span.path, f.span.line) for f in result.findings]
    assert codes == [("NL406", "base/host.env", 2)] + [("NL408", "base/hub.conf", 3)] * 3


def test_a_generator_file_that_is_missing_is_reported_where_it_is_named(tmp_path):
    write(tmp_path, {"kustomization.yaml": "configMapGenerator:\n  - name: c\n    files: [gone.conf]\n"})
    assert found(tmp_path) == [("NL005", "kustomization.yaml", 3, 13)]


def _kustomize() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


@pytest.mark.parametrize("fixture", ["k8s-kustomize-lattice", "k8s-statefulset-names", "overlay"])
def test_natslint_reads_the_config_maps_kustomize_builds(tmp_path, fixture):
    """Every ConfigMap `kustomize build` renders, natslint read with the same data."""
    tool = _kustomize()
    if tool is None:
        pytest.skip("neither kustomize nor kubectl is installed: nothing to compare with")
    if fixture == "overlay":
        write(tmp_path, {**KUSTOMIZED, "prod/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\n"
                         "configMapGenerator:\n  - name: host-env\n    behavior: merge\n    literals: [A=1]\n"
                         "generatorOptions: {disableNameSuffixHash: true}\n"})
        where, build = tmp_path, tmp_path / "prod"
    else:
        where = build = ROOT / "fixtures" / fixture
    proc = subprocess.run([*tool, str(build)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "unknown command" in proc.stderr:
        pytest.skip(f"{tool[0]} cannot build kustomizations here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    docs, error = load_yaml(proc.stdout)
    assert error is None
    rendered = sorted(sorted((str(k), str(v)) for k, v in d["data"].items()) for d in docs
                      if d.get("kind") == "ConfigMap")
    sources = SourceCache(str(where))
    read = read_deployments(discover(["."], str(where)), sources, {}, Crashes(False))
    root = "kustomize:" + ("prod" if fixture == "overlay" else ".")
    ours = sorted(sorted((k, e.value) for k, e in cm.entries.items()) for cm in read.config_maps[root].values())
    assert rendered and ours == rendered


def test_a_config_map_key_another_program_runs_is_not_a_nats_config(tmp_path):
    """nats-streaming reads `-sc stan.conf`: its `streaming {}` block is no nats-server option."""
    write(tmp_path, {"stan.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stan-config}\ndata:\n"
                                  "  stan.conf: |\n    port: 4222\n    streaming { id: stan }\n---\n"
                                  "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: stan}\nspec:\n  template:\n"
                                  "    spec:\n      containers:\n        - name: stan\n"
                                  "          image: nats-streaming:0.23.0-alpine\n"
                                  "          args: [-sc, /etc/stan-config/stan.conf]\n"
                                  "          volumeMounts: [{name: c, mountPath: /etc/stan-config}]\n"
                                  "      volumes: [{name: c, configMap: {name: stan-config}}]\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert result.findings == []
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("stan.yaml#ConfigMap/stan-config/stan.conf", "the config of nats-streaming:0.23.0-alpine, which is not nats-server")]


def test_a_rendered_chart_saved_in_the_tree_is_read_like_any_manifest(tmp_path):
    """`helm template nats nats/nats > rendered.yaml`: the config is embedded in its ConfigMap."""
    write(tmp_path, {"rendered.yaml": "---\n# Source: nats/templates/config-map.yaml\napiVersion: v1\nkind: ConfigMap\n"
                                      "metadata:\n  name: nats-config\n  namespace: lattice\ndata:\n  nats.conf: |\n"
                                      "    {\n      \"jetstream\": {\n        \"domian\": \"hub\"\n      }\n    }\n"
                                      "---\n# Source: nats/templates/stateful-set.yaml\napiVersion: apps/v1\n"
                                      "kind: StatefulSet\nmetadata:\n  name: nats\n  namespace: lattice\nspec:\n"
                                      "  template:\n    spec:\n      containers:\n        - name: nats\n"
                                      "          image: nats:2.11.3-alpine\n          args: [--config, /etc/nats-config/nats.conf]\n"
                                      "          volumeMounts: [{name: config, mountPath: /etc/nats-config}]\n"
                                      "      volumes: [{name: config, configMap: {name: nats-config}}]\n"})
    assert found(tmp_path) == [("NL107", "rendered.yaml", 11, 7), ("NL101", "rendered.yaml", 12, 9)]
