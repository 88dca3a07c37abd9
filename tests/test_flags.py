"""nats-server's command line: every flag of `nats-server --help` is known, modelled or listed."""

from __future__ import annotations

import re
import subprocess

from natslint.check import Settings, check_paths
from natslint.deploy.flags import BY_NAME, FLAGS, parse_command
from natslint.span import Span

HERE = Span("c", 0, 0, 1, 1, 1, 1)


def words(line: str) -> list[tuple[str, Span]]:
    return [(w, HERE) for w in line.split()]


def test_every_flag_of_the_real_help_is_in_the_table(nats_server):
    text = subprocess.run([nats_server, "--help"], capture_output=True, text=True, timeout=20)
    usage = text.stdout + text.stderr
    listed = set()
    for line in usage.splitlines():
        m = re.match(r"\s+((?:-{1,2}[\w]+,?\s*)+)", line)
        if m:
            listed |= {f.lstrip("-") for f in re.findall(r"-{1,2}\w+", m.group(1))}
    assert len(listed) > 45
    assert listed <= set(BY_NAME), sorted(listed - set(BY_NAME))
    modelled = {f.names[0] for f in FLAGS if f.modelled}
    assert modelled == {"addr", "port", "server_name", "http_port", "config", "jetstream", "store_dir", "user",
                        "pass", "auth", "routes", "cluster", "cluster_name", "cluster_listen"}


def test_go_flag_rules():
    cmd = parse_command(words("nats-server -js --port=4333 -n hub -D -c /etc/n.conf extra -p 1"))
    assert [(n, v) for n, v, _ in cmd.values] == [("jetstream", None), ("port", "4333"), ("server_name", "hub"),
                                                  ("debug", None), ("config", "/etc/n.conf")]
    assert [w for w, _ in cmd.unmodelled] == ["-D"]  # parsing stopped at `extra`
    bad = parse_command(words("-jetsream -p 1"))
    assert bad.unknown == [("-jetsream", HERE, "-jetstream")] and bad.values == []
    assert parse_command(words("-p")).missing_value == [("-p", HERE)]


def write(root, files):
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body)


def test_a_cluster_of_flags_and_a_config_plus_routes_are_clean(tmp_path):
    services = "".join(
        f"  n{i}:\n    image: nats:2.11-alpine\n    command: [\"-js\", \"-sd\", \"/data\", \"-n\", \"n{i}\", "
        f"\"--cluster_name\", \"c\", \"--cluster\", \"nats://0.0.0.0:6222\", "
        f"\"--routes\", \"nats://n1:6222,nats://n2:6222,nats://n3:6222\"]\n" for i in (1, 2, 3))
    write(tmp_path, {"compose.yaml": "services:\n" + services})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert result.findings == []
    (cluster,) = {id(c): c for c in result.fleet.clusters}.values()
    assert len(cluster.servers) == 3
