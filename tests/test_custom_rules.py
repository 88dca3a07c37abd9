"""Rules of your own: a plugin package (examples/natslint-plugin-acme) installed where Python
finds installed packages, and declarative `[[rules.custom]]` rules.  Both report through the
normal pipeline: exact findings, suppressions, baselines, SARIF and `natslint rules`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "examples" / "natslint-plugin-acme"

HOUSE_RULES = '''
[[rules.custom]]
code = "ACME001"
name = "leaf-lets-hub-api-in"
select = "leaf_remotes"
where = { deny_imports = { lacks = "$JS.core.API.>" }, "server.jetstream.enabled" = false }
message = "leaf remote of {server.label} lets the hub's JetStream API in"
fix = "add `$JS.core.API.>` to the remote's deny_imports"

[[rules.custom]]
code = "ACME002"
name = "jetstream-cluster-size"
severity = "error"
select = "clusters"
where = { jetstream_servers = { not_in = [3, 5] } }
message = "cluster {name} runs {jetstream_servers} JetStream servers; ours run 3 or 5"
'''


def _install(site: Path, plugin: Path = PLUGIN, module: str = "natslint_acme") -> Path:
    """The plugin as pip leaves it in site-packages: its module, and a dist-info whose
    entry_points.txt is the one its pyproject declares."""
    meta = tomllib.loads((plugin / "pyproject.toml").read_text())["project"]
    shutil.copytree(plugin / module, site / module)
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    groups = meta["entry-points"]
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) for group, eps in groups.items()))
    return site


def _natslint(cwd: Path, *args: str, site: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site) if site else "", str(ROOT)]))
    return subprocess.run([sys.executable, "-m", "natslint", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def lattice(tmp_path) -> Path:
    shutil.copytree(ROOT / "fixtures" / "prod-lattice", tmp_path / "lattice")
    (tmp_path / "lattice" / "expected.txt").unlink()
    return tmp_path / "lattice"


def _found(proc: subprocess.CompletedProcess) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


def test_a_plugin_reports_like_a_built_in_rule(lattice, tmp_path):
    site = _install(tmp_path / "site")
    got = _natslint(lattice, "check", "--format", "json", ".", site=site)
    assert got.returncode == 1, got.stderr
    assert _found(got) == [("ACME101", "edge/edge-a.conf", 5)]  # the hub has its http_port
    [f] = json.loads(got.stdout)["findings"]
    assert f["url"] == "https://example.com/acme/nats-house-rules#acme101" and f["severity"] == "warning"
    listed = json.loads(_natslint(lattice, "rules", "--format", "json", site=site).stdout)
    assert {"code": "ACME101", "name": "jetstream-without-monitoring"}.items() <= \
        next(r for r in listed if r["code"] == "ACME101").items()
    sarif = json.loads(_natslint(lattice, "check", "--format", "sarif", ".", site=site).stdout)
    assert "ACME101" in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_a_plugin_finding_is_suppressed_ignored_and_baselined(lattice, tmp_path):
    site = _install(tmp_path / "site")
    edge = lattice / "edge" / "edge-a.conf"
    text = edge.read_text()
    edge.write_text(text.replace("jetstream {", "# natslint: ignore[ACME101] scraped through a sidecar\njetstream {"))
    assert _found(_natslint(lattice, "check", "--format", "json", ".", site=site)) == []
    edge.write_text(text)
    assert _found(_natslint(lattice, "check", "--format", "json", "--ignore", "ACME", ".", site=site)) == []
    wrote = _natslint(lattice, "check", "--write-baseline", "base.json", ".", site=site)
    assert wrote.returncode == 0 and "Wrote 1 finding" in wrote.stdout, wrote.stdout + wrote.stderr
    assert _natslint(lattice, "check", "--baseline", "base.json", ".", site=site).returncode == 0


def test_a_broken_plugin_is_reported_and_the_other_rules_run(tmp_path):
    broken = tmp_path / "broken"
    (broken / "natslint_broken").mkdir(parents=True)
    (broken / "natslint_broken" / "__init__.py").write_text("raise RuntimeError('not today')\n")
    (broken / "pyproject.toml").write_text('[project]\nname = "natslint-broken"\nversion = "0.1"\n'
                                           '[project.entry-points."natslint.rules"]\nbroken = "natslint_broken:RULES"\n')
    site = _install(tmp_path / "site", broken, "natslint_broken")
    shutil.copytree(ROOT / "fixtures" / "compose-leaf-reuses-domain", tmp_path / "fleet")
    got = _natslint(tmp_path / "fleet", "check", "--format", "json", ".", site=site)
    found = json.loads(got.stdout)["findings"]
    assert [(f["code"], f["message"]) for f in found if f["code"] == "NL000"] == [
        ("NL000", "plugin `broken` (natslint_broken:RULES) failed to load: RuntimeError: not today")]
    assert "NL202" in {f["code"] for f in found}


def test_declarative_rules_give_exact_findings(lattice):
    (lattice / "natslint.toml").write_text(HOUSE_RULES)
    got = _natslint(lattice, "check", "--format", "json", ".")
    assert _found(got) == [("ACME001", "edge/edge-b.conf", 7)]
    [f] = json.loads(got.stdout)["findings"]
    assert f["message"] == "leaf remote of server `edge-b` lets the hub's JetStream API in"
    assert f["fix"] == "add `$JS.core.API.>` to the remote's deny_imports"
    # a cluster of two JetStream servers breaks the other rule
    compose = lattice / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("  core-3:\n    <<: *core\n    environment: {SERVER_NAME: core-3}\n", ""))
    core = lattice / "hub" / "core.conf"
    core.write_text(core.read_text().replace('    "nats-route://core-3:6222"\n', ""))
    found = _found(_natslint(lattice, "check", "--format", "json", "--select", "ACME", "."))
    assert found == [("ACME001", "edge/edge-b.conf", 7), ("ACME002", "hub/core.conf", 2)]


def test_declarative_rules_are_suppressed_and_baselined(lattice):
    (lattice / "natslint.toml").write_text(HOUSE_RULES)
    edge = lattice / "edge" / "edge-b.conf"
    text = edge.read_text()
    edge.write_text(text.replace("    {\n", "    # natslint: ignore[leaf-lets-hub-api-in] this edge runs no JetStream clients\n    {\n", 1))
    assert _found(_natslint(lattice, "check", "--format", "json", ".")) == []
    edge.write_text(text)
    assert _natslint(lattice, "check", "--write-baseline", "base.json", ".").returncode == 0
    assert _natslint(lattice, "check", "--baseline", "base.json", ".").returncode == 0


@pytest.mark.parametrize("rule, said", [
    ('code = "NL999"\nname = "mine"\nselect = "servers"\nmessage = "m"\n', "NL codes are natslint's own"),
    ('code = "ACME1"\nname = "leaf-reuses-domain"\nselect = "servers"\nmessage = "m"\n', "is taken by NL202"),
    ('code = "ACME1"\nname = "mine"\nselect = "gateways"\nmessage = "m"\n', "`select` must be one of"),
    ('code = "ACME1"\nname = "mine"\nselect = "servers"\nmessage = "m"\nwhere = { a = { near = 1 } }\n',
     "one operator of"),
    ('code = "ACME1"\nname = "mine"\nselect = "servers"\n', "`message` is required"),
])
def test_a_declarative_rule_that_cannot_be_used_is_a_usage_error(tmp_path, rule, said):
    (tmp_path / "natslint.toml").write_text("[[rules.custom]]\n" + rule)
    (tmp_path / "a.conf").write_text("port: 4222\n")
    got = _natslint(tmp_path, "check", ".")
    assert got.returncode == 2 and said in got.stderr, got.stderr


def test_natslint_rules_lists_the_project_configs_own_rules(lattice):
    (lattice / "natslint.toml").write_text(HOUSE_RULES)
    rows = json.loads(_natslint(lattice, "rules", "--format", "json").stdout)
    assert [(r["code"], r["name"], r["severities"]) for r in rows if not r["code"].startswith("NL")] == [
        ("ACME001", "leaf-lets-hub-api-in", ["warning"]), ("ACME002", "jetstream-cluster-size", ["error"])]


def test_a_declarative_rule_tests_a_servers_options(tmp_path):
    (tmp_path / "natslint.toml").write_text('''
[[rules.custom]]
code = "ACME003"
name = "payload-too-large"
select = "servers"
where = { "options.max_payload" = { gt = 8388608 } }
message = "{label} allows {options.max_payload}-byte messages; ours stop at 8 MiB"
''')
    (tmp_path / "small.conf").write_text("server_name: small\nmax_payload: 1MB\n")
    (tmp_path / "large.conf").write_text("server_name: large\nport: 4223\nmax_payload: 64MB\n")
    got = _natslint(tmp_path, "check", "--format", "json", ".")
    assert [(f["code"], f["path"], f["line"], f["message"]) for f in json.loads(got.stdout)["findings"]] == [
        ("ACME003", "large.conf", 1, "server `large` allows 67108864-byte messages; ours stop at 8 MiB")]
