"""A server is a process: instances per service, replica and pod, each with its environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from natslint.check import Settings, check_paths


def write(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body)


COMPOSE = ("services:\n" + "".join(
    f"  {svc}:\n    image: nats:2.11-alpine\n    command: [\"-c\", \"/etc/nats/leaf.conf\"]\n"
    f"    volumes: [\"./nats:/etc/nats:ro\"]\n{env}" for svc, env in (
        ("a", "    environment: {SERVER_NAME: a}\n"), ("b", ""), ("c", ""))))


def test_a_variable_some_instances_lack_is_one_nl004_naming_them(tmp_path):
    write(tmp_path, {"nats/leaf.conf": "server_name: $SERVER_NAME\nport: 4222\n", "compose.yaml": COMPOSE})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    (finding,) = result.findings
    assert (finding.code, finding.span.path, finding.span.line) == ("NL004", "nats/leaf.conf", 1)
    assert finding.message.endswith("(in compose.yaml#b, compose.yaml#c)")
    assert sorted(str(s.server_name.value) for s in result.fleet.servers) == ["None", "None", "a"]


def test_a_config_nobody_runs_keeps_its_own_nl004(tmp_path):
    write(tmp_path, {"nats.conf": "server_name: $SERVER_NAME\nport: 4222\n"})
    assert [(f.code, f.span.line) for f in check_paths(["."], Settings(), root=str(tmp_path)).findings] == \
        [("NL004", 1)]


def test_a_daemonset_is_two_instances_and_its_cluster_size_is_not_judged(tmp_path):
    write(tmp_path, {"nats.conf": "server_name: n\njetstream { domain: d, store_dir: /data }\n"
                                  "cluster { name: c, port: 6222, routes: [\"nats://nats:6222\"] }\n",
                     "kustomization.yaml": "resources: [ds.yaml]\n"
                                           "configMapGenerator:\n  - {name: nats-config, files: [nats.conf]}\n",
                     "ds.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: nats}\nspec: {selector: {app: n}}\n---\n"
                                "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: n}\nspec:\n  template:\n"
                                "    metadata: {labels: {app: n}}\n    spec:\n      containers:\n"
                                "        - name: nats\n          image: nats:2.11\n"
                                "          command: [nats-server, -c, /etc/nats/nats.conf]\n"
                                "          volumeMounts: [{name: config, mountPath: /etc/nats}]\n"
                                "      volumes: [{name: config, configMap: {name: nats-config}}]\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [s.count_known for s in result.fleet.servers] == [False, False]
    assert all(f.code != "NL109" for f in result.findings)
    assert [f.code for f in result.findings] == ["NL404"]  # both instances say `server_name: n`
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "."], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert "2 of them stand for a replica count the files do not give" in proc.stdout


def test_show_files_lists_flags_accepted_and_not_modelled(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  nats:\n    image: nats:2.11\n    command: [\"-js\", \"-D\", \"-l\", "
                                     "\"/var/log/nats.log\"]\n"})
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "--show-files", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert "flag     -D  (compose.yaml:4, server `nats`: accepted, not modelled)" in proc.stdout
    assert "flag     -l  (compose.yaml:4, server `nats`: accepted, not modelled)" in proc.stdout
