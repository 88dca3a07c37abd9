"""No false alarm and right advice: unknown is not missing, did-you-mean knows aliases, a
finding names the block it stands in, and a fix names the setting the user edits."""

from __future__ import annotations

from pathlib import Path

from natslint.check import Settings, check_paths

ROOT = Path(__file__).resolve().parents[1]


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(body, encoding="utf-8")


def check(tmp: Path):
    result = check_paths(["."], Settings(), root=str(tmp))
    return result.findings


def test_a_domain_from_an_unseen_variable_is_unknown_not_missing(tmp_path):
    write(tmp_path, {"hub.conf": "server_name: hub\njetstream { domain: hub, store_dir: /d }\nleafnodes { port: 7422 }\n",
                     "edge.conf": "server_name: edge\njetstream { domain: $EDGE_DOMAIN, store_dir: /d }\n"
                                  "leafnodes { remotes: [ { url: \"nats-leaf://hub:7422\" } ] }\n"})
    assert [(f.code, f.span.path, f.span.line) for f in check(tmp_path)] == [("NL004", "edge.conf", 2)]


def test_did_you_mean_offers_the_aliases_and_never_says_remove_a_password(tmp_path):
    write(tmp_path, {"n.conf": "authorization { user: a, pasword: x }\nleafnodes { authorization { user: b, passwrd: y } }\n"})
    assert [(f.code, f.span.line, f.fix) for f in check(tmp_path)] == [
        ("NL101", 1, "did you mean `password`?"), ("NL101", 2, "did you mean `password`?")]


def test_an_unknown_key_names_the_block_as_written(tmp_path):
    write(tmp_path, {"n.conf": "tls { cert_fil: /a.pem }\ncluster { name: c, port: 6222, tls { key_fil: /k } }\n"})
    assert [f.message.split(": nats-server")[0].rsplit(" in ", 1)[1] for f in check(tmp_path)] == [
        "tls", "cluster.tls"]


def test_a_host_config_fix_names_its_spec_field(tmp_path):
    write(tmp_path, {"hub.conf": "server_name: hub\njetstream { domain: core, store_dir: /d }\nleafnodes { port: 7422 }\n",
                     "whc.yaml": "apiVersion: k8s.wasmcloud.dev/v1alpha1\nkind: WasmCloudHostConfig\n"
                                 "metadata: {name: hosts}\nspec:\n  jetstreamDomain: cor\n  leafNodeDomain: leaf\n"
                                 "  natsAddress: nats://hub\n"})
    (finding,) = [f for f in check(tmp_path) if f.code == "NL301"]
    assert "spec.jetstreamDomain" in finding.message + finding.fix and "WASMCLOUD_JS_DOMAIN" not in finding.message


def test_store_sharing_is_decided_on_the_storage_a_path_resolves_to(tmp_path):
    service = ("  {n}:\n    image: nats:2.11\n    command: [\"-c\", \"/etc/nats/n.conf\"]\n"
               "    environment: {{NAME: {n}}}\n    volumes: [\"./nats:/etc/nats\", \"{vol}:/data\"]\n")
    write(tmp_path, {"nats/n.conf": "server_name: $NAME\njetstream { domain: hub, store_dir: /data }\n",
                     "compose.yaml": "services:\n" + service.format(n="a", vol="./jsdata") + service.format(
                         n="b", vol="./jsdata") + service.format(n="c", vol="cdata") + service.format(
                         n="d", vol="./other") + "volumes: {cdata: {}}\n"})
    found = [(f.code, f.span.path, f.span.line, f.message) for f in check(tmp_path)]
    # a and b bind-mount one host folder; c and d write /data in their own storage
    assert found == [("NL107", "nats/n.conf", 2,
                      "server `b` and server `a` share store_dir /data on the host folder jsdata")]


# -- one mistake, one finding -------------------------------------------------------------------

def _run_cli(where: Path, *args: str) -> list[tuple[str, str, int]]:
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", *args, "."], cwd=where,
                          capture_output=True, text=True, timeout=120)
    return [(f["code"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


def test_consequences_fold_into_their_cause_and_come_back_without_it(tmp_path):
    import shutil

    fleet = tmp_path / "f"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "compose-leaf-reuses-domain", fleet)
    cause = [("NL202", "nats/leaf-b.conf", 6)]
    effects = [("NL302", "docker-compose.yml", 41), ("NL304", "docker-compose.yml", 41)]
    assert _run_cli(fleet) == cause
    assert _run_cli(fleet, "--ignore", "NL202") == effects  # the cause hidden: its effects stand alone
    assert _run_cli(fleet, "--select", "NL302") == effects[:1]  # an exact code is reported separately
    assert _run_cli(fleet, "--select", "NL2", "--select", "NL304") == effects[1:] + cause
    compose = fleet / "docker-compose.yml"
    lines = compose.read_text(encoding="utf-8").split("\n")
    lines[40] += "  # natslint: ignore[NL302] migrating host-b"
    compose.write_text("\n".join(lines), encoding="utf-8")
    assert _run_cli(fleet) == cause  # a suppressed consequence is used, not NL901


def test_a_domain_from_compose_dotenv_is_fixed_where_it_is_set(tmp_path):
    write(tmp_path, {"hub.conf": "server_name: hub\njetstream { domain: core, store_dir: /d }\n",
                     ".env": "# lattice settings\nJS_DOMAIN=cor\n",
                     "compose.yaml": "services:\n  hub:\n    image: nats:2.11\n    command: [-c, /etc/nats/hub.conf]\n"
                                     "    volumes: [\"./hub.conf:/etc/nats/hub.conf\"]\n"
                                     "  host:\n    image: ghcr.io/wasmcloud/wasmcloud:1.6.0\n    environment:\n"
                                     "      WASMCLOUD_NATS_HOST: hub\n      WASMCLOUD_JS_DOMAIN: ${JS_DOMAIN:-core}\n"})
    (finding,) = check(tmp_path)
    assert (finding.code, finding.span.path, finding.span.line) == ("NL301", "compose.yaml", 10)
    assert finding.fix == "set JS_DOMAIN=core in .env:2 (compose puts it in WASMCLOUD_JS_DOMAIN)"
    assert [(r.span.path, r.span.line) for r in finding.related] == [(".env", 2)]


def test_no_finding_or_related_location_points_at_a_comment():
    """Every location is the thing itself: never a comment line standing in for a file."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "--fail-on", "info", "fixtures"],
                          cwd=root, capture_output=True, text=True, timeout=300)
    bad = []
    for f in json.loads(proc.stdout)["findings"]:
        for loc in [f, *f["related"]]:
            line = (root / loc["path"]).read_text(encoding="utf-8", errors="replace").split("\n")[loc["line"] - 1]
            if line.lstrip().startswith(("#", "//")):
                bad.append((f["code"], loc["path"], loc["line"]))
    assert bad == []


def test_hosts_are_named_by_their_service_pod_or_unit(tmp_path):
    write(tmp_path, {"hub.conf": "server_name: hub\nport: 4222\n",
                     "edge/host.env": "# the edge machine's host\nWASMCLOUD_NATS_HOST=nowhere\nWASMCLOUD_JS_DOMAIN=x\n"})
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [h.label for h in result.fleet.hosts] == ["host `host.env`"]


def test_a_dead_url_of_several_warns_and_the_model_follows_the_working_one(tmp_path):
    import shutil

    shutil.copytree(ROOT / "fixtures" / "compose-lattice", tmp_path / "f")
    hub = tmp_path / "f" / "nats" / "hub-1.conf"
    hub.write_text(hub.read_text().replace("port: 7422", "port: 7423"))
    found = sorted((f.code, str(f.severity), f.span.path, f.span.line) for f in check(tmp_path / "f"))
    # no NL302 for the hosts behind the leaves: they reach the hub through hub-2
    assert found == [("NL402", "warning", "nats/leaf-a.conf", 12), ("NL402", "warning", "nats/leaf-b.conf", 12)]
