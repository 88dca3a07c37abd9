"""The long-running engine (natslint.engine, as the language server and --watch keep it): after
every step of random edit sequences over three fleets, its answer equals a cold check of the same
files, byte for byte in JSON. The sequences change domains, break and fix syntax, add
suppressions, edit a shared include, edit natslint.toml, write a host's own `.env`, create and
delete files, on disk and in unsaved buffers; the engine is told which files changed, as the editor's and watchfiles' events
tell it."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natslint.workspace import engine_for, run_check, settings_for
from natslint.engine import Engine
from natslint.report.json_format import render_json

ROOT = Path(__file__).resolve().parents[1]
FLEETS = {"lattice": "compose-lattice", "sites": "leaf-sites", "fragment": "include-fragment"}
CONFIGS = ["lattice/nats/hub-1.conf", "lattice/nats/leaf-b.conf", "sites/hub/nats-1.conf", "sites/shared/accounts.conf",
           "fragment/hub.conf",
           "fragment/edge.conf", "fragment/remotes.conf"]

COMPOSE = "lattice/docker-compose.yml"
STEP = st.one_of(
    st.tuples(st.just("domain"), st.sampled_from(CONFIGS), st.sampled_from(["hub", "leaf-b", "edge", "core"])),
    st.tuples(st.just("break"), st.sampled_from(CONFIGS), st.just("")),
    st.tuples(st.just("suppress"), st.sampled_from(CONFIGS), st.sampled_from(["NL202", "NL203,NL402"])),
    st.tuples(st.just("restore"), st.sampled_from(CONFIGS), st.just("")),
    st.tuples(st.just("include"), st.just("fragment/remotes.conf"), st.sampled_from(["7422", "7999"])),
    st.tuples(st.just("toml"), st.sampled_from(["lattice/natslint.toml", "natslint.toml"]),
              st.sampled_from(['expect-domain = "hub"\n', 'ignore = ["NL107"]\n', ""])),
    st.tuples(st.just("create"), st.sampled_from(["lattice/nats/extra.conf", "sites/new.conf"]),
              st.sampled_from(["server_name: extra\nport: 4999\njetstream { domain: hub }\n", "port: 4998\nx: {\n"])),
    st.tuples(st.just("hostenv"), st.just("sites/edge/host-a.env"),
              st.sampled_from(["hub site-a", "hbu site-a", "edge site-a", "hub site-b"])),
    # a deployment file: the compose file's host domain (a typo, another domain)
    st.tuples(st.just("compose"), st.just(COMPOSE), st.sampled_from(["hub", "hbu", "edge"])),
    st.tuples(st.just("delete"), st.sampled_from(["lattice/nats/leaf-a.conf", "lattice/nats/extra.conf",
                                                   "sites/new.conf", "sites/edge/host-a.env"]), st.just("")),
)


def _apply(root: Path, originals: dict[str, str], op: str, path: str, arg: str) -> str | None:
    """The step made on disk; the new text of ``path`` when it is a buffer edit instead."""
    target = root / path
    if op == "delete":
        target.unlink(missing_ok=True)
        return None
    if op in ("toml", "create"):
        target.write_text(arg)
        return None
    if op == "hostenv":  # a host of its own: its domain (a typo, another), or the server it uses
        domain, server = arg.split()
        return f"WASMCLOUD_LATTICE=default\nWASMCLOUD_JS_DOMAIN={domain}\nWASMCLOUD_NATS_HOST={server}\n"
    text = target.read_text() if target.exists() else originals.get(path, "")
    if op == "domain":
        lines = text.split("\n")
        lines = [f"{ln[:len(ln) - len(ln.lstrip())]}domain: {arg}" if ln.strip().startswith("domain:") else ln
                 for ln in lines]
        return "\n".join(lines)
    if op == "suppress":  # used while the finding is there, NL901 once another file's edit clears it
        return "\n".join(f"{ln}  # natslint: ignore[{arg}]" if ln.strip().startswith("domain:") else ln
                         for ln in text.split("\n"))
    if op == "break":
        return text + "\nbroken {\n"
    if op == "include":
        return text.replace("7422", arg).replace("7999", arg)
    if op == "compose":
        return re.sub(r"(WASMCLOUD_JS_DOMAIN[:=] ?)\S+", lambda m: m.group(1) + arg, text, count=1)
    return originals[path]  # restore


def _cold(overlays: dict[str, str]) -> str:
    settings, resolver = settings_for(["."])
    return render_json(run_check(["."], settings, resolver, overlays=overlays))


def _engine() -> Engine:
    return engine_for(["."], settings_for(["."])[1])


def _copy(root: Path) -> None:
    for name, fixture in FLEETS.items():
        shutil.copytree(ROOT / "fixtures" / fixture, root / name)
        (root / name / "expected.txt").unlink()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(STEP, st.booleans()), min_size=1, max_size=6))
def test_after_every_step_the_engine_equals_a_cold_check(steps):
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _copy(root)
        originals = {p: (root / p).read_text() for p in [*CONFIGS, COMPOSE]}
        os.chdir(root)
        try:
            engine = _engine()
            overlays: dict[str, str] = {}
            assert render_json(engine.check(overlays)) == _cold(overlays)
            for (op, path, arg), unsaved in steps:
                text = _apply(root, originals, op, path, arg)
                changed = [] if text is not None and unsaved else [str(root / path)]
                if text is not None:
                    if unsaved:  # an editor's buffer: the engine and the cold check both read it
                        overlays[str(root / path)] = text
                    else:
                        (root / path).write_text(text)
                        overlays.pop(str(root / path), None)
                got = render_json(engine.check(overlays, changed))
                assert got == _cold(overlays), (op, path, arg, unsaved, engine.last)
        finally:
            os.chdir(here)


def test_an_edit_of_configs_is_checked_on_its_own_fleets(tmp_path, monkeypatch):
    """A config edited (saved or not, its includes and names the same) rechecks its fleet
    only; natslint.toml, a new file, a deletion and a changed leaf URL host plan the run anew."""
    _copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    engine.check()
    assert (engine.last, engine.memo.built, engine.memo.reused) == ("full", 3, 0)
    hub = tmp_path / "sites" / "hub" / "nats-1.conf"
    shared = tmp_path / "fragment" / "remotes.conf"
    def write(path: Path, old: str | None, new: str) -> list[str]:
        path.write_text(path.read_text().replace(old, new) if old else new)
        return [str(path)]

    steps = [
        ("edit", lambda: ({str(hub): hub.read_text().replace("domain: hub", "domain: core")}, [])),
        ("edit", lambda: ({}, [])),  # the buffer closed: the file as saved
        ("edit", lambda: ({}, write(shared, "7422", "7999"))),  # an include of every edge site
        ("full", lambda: ({}, write(tmp_path / "natslint.toml", None, 'expect-domain = "hub"\n'))),
        ("full", lambda: ({}, write(tmp_path / "sites" / "new.conf", None, "port: 4998\n"))),
    ]
    for how, step in steps:
        overlays, changed = step()
        result = engine.check(overlays, changed)
        assert engine.last == how, (how, changed)
        assert render_json(result) == _cold(overlays)
    engine.check({str(hub): hub.read_text() + "\n# edited\n"}, [])
    assert (engine.last, engine.memo.built) == ("edit", 1)  # one fleet built again, two kept
    (tmp_path / "sites" / "new.conf").unlink()
    engine.check({}, [str(tmp_path / "sites" / "new.conf")])
    assert engine.last == "full"
    leaf = tmp_path / "lattice" / "nats" / "leaf-b.conf"
    moved = leaf.read_text().replace("hub-1", "hub-9")
    result = engine.check({str(leaf): moved}, [])
    assert engine.last == "full"  # the leaf dials another name: the fleets may end elsewhere
    assert render_json(result) == _cold({str(leaf): moved})


def test_without_word_of_what_changed_every_check_is_full(tmp_path, monkeypatch):
    _copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    engine.check()
    hub = tmp_path / "sites" / "hub" / "nats-1.conf"
    hub.write_text(hub.read_text().replace("domain: hub", "domain: core"))
    result = engine.check()
    assert (engine.last, engine.memo.built, engine.memo.reused) == ("full", 1, 2)  # documents and fleets kept
    assert render_json(result) == _cold({})


def test_a_suppression_kept_from_an_earlier_check_is_judged_again(tmp_path, monkeypatch):
    """The leaf's suppression is used while it copies the hub's domain; once the hub's domain
    changes (the leaf's file untouched), it matches nothing: NL901, as a cold check says."""
    (tmp_path / "hub.conf").write_text(
        "server_name: hub\nport: 4222\njetstream { domain: hub }\nleafnodes { port: 7422 }\n")
    (tmp_path / "leaf.conf").write_text(
        "server_name: leaf\nport: 4223\n"
        "jetstream { domain: hub }  # natslint: ignore[NL202] being moved\n"
        'leafnodes { remotes: [ { url: "nats-leaf://hub:7422" } ] }\n')
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    assert '"NL901"' not in render_json(engine.check())
    hub = {str(tmp_path / "hub.conf"): (tmp_path / "hub.conf").read_text().replace("domain: hub", "domain: core")}
    got = render_json(engine.check(hub, []))
    assert engine.last == "edit"
    assert '"NL901"' in got and got == _cold(hub)
    assert render_json(engine.check({}, [])) == _cold({})  # used again: no NL901


def test_a_server_copy_shares_nothing_that_linking_changes(tmp_path):
    """A document's server is read once and copied for every server that runs it: no list,
    set, dict, listener, remote or route of a copy is the original's."""
    from natslint.fleet.model import Listener, Remote, Route
    from natslint.fleet.servers import server_from_document
    from natslint.syntax.parser import parse_text

    doc = parse_text('server_name: a\nport: 4222\ncluster { name: c, port: 6222, routes: ["nats://b:6222"] }\n'
                     'leafnodes { port: 7422, remotes: [ { url: "nats-leaf://hub:7422", deny_imports: ["x"] } ] }\n'
                     'accounts { A: { users: [ { user: u, password: p } ], jetstream: enabled } }\n'
                     'gateway { name: g, port: 7222, gateways: [ { name: h, url: "nats://h:7222" } ] }\n', "a.conf")
    one, two = server_from_document(doc, "a.conf"), server_from_document(doc, "a.conf")
    assert one.routes and one.remotes and one.cluster_listen is not None and one.accounts
    for name in one.__slots__:
        a, b = getattr(one, name), getattr(two, name)
        if isinstance(a, (list, set, dict, Listener, Remote, Route)):
            assert a is not b, name
    assert one.remotes[0] is not two.remotes[0] and one.remotes[0].urls is not two.remotes[0].urls
    assert one.cluster_listen in one.listeners or one.cluster_listen not in two.listeners


def test_changes_that_cannot_matter_keep_the_edit_path(tmp_path, monkeypatch):
    """A change reported in `.git/`, in `node_modules/` or to a README is no reason to plan the
    fleets anew; a file an include reads from outside the checked folder is looked at anyway."""
    _copy(tmp_path)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    engine.check()
    noise = [tmp_path / ".git" / "index", tmp_path / "README.md", tmp_path / "node_modules" / "x" / "nats.conf"]
    for p in noise:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("port: 1\n")
    result = engine.check({}, [str(p) for p in noise])
    assert engine.last == "edit"
    assert render_json(result) == _cold({})


def test_an_include_outside_the_checked_folder_is_seen_to_change(tmp_path, monkeypatch):
    (tmp_path / "fleet").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "js.conf").write_text("jetstream { domain: hub }\n")
    (tmp_path / "fleet" / "hub.conf").write_text("server_name: hub\nport: 4222\ninclude ../shared/js.conf\n"
                                                 "leafnodes { port: 7422 }\n")
    (tmp_path / "fleet" / "leaf.conf").write_text("server_name: leaf\nport: 4223\njetstream { domain: hub }\n"
                                                  'leafnodes { remotes: [ { url: "nats-leaf://hub:7422" } ] }\n')
    monkeypatch.chdir(tmp_path)
    engine = engine_for(["fleet"], settings_for(["fleet"])[1])
    assert '"NL202"' in render_json(engine.check())
    (tmp_path / "shared" / "js.conf").write_text("jetstream { domain: core }\n")  # no watcher reports it
    got = render_json(engine.check({}, []))
    assert engine.last == "edit" and '"NL202"' not in got
    settings, resolver = settings_for(["fleet"])
    assert got == render_json(run_check(["fleet"], settings, resolver))


def test_a_host_copy_shares_nothing_that_linking_changes(tmp_path):
    """A workload's host is read once and copied for each use: no container of a copy is the
    original's, and linking one copy leaves the other unlinked."""
    from natslint.deploy.envfile import read_envfile_workload
    from natslint.fleet.instances import hosts_from_workloads
    from natslint.fleet.model import Fleet
    from natslint.sources import SourceCache

    (tmp_path / "edge.env").write_text("WASMCLOUD_LATTICE=default\nWASMCLOUD_JS_DOMAIN=hub\n"
                                       "WASMCLOUD_NATS_HOST=leaf\n")
    w = read_envfile_workload(SourceCache(str(tmp_path)), "edge.env")
    one, two = Fleet(), Fleet()
    hosts_from_workloads(one, [w])
    hosts_from_workloads(two, [w])
    a, b = one.hosts[0], two.hosts[0]
    assert a is not b and a.env_names == b.env_names and a.env_names
    for name in a.__slots__:
        if isinstance(getattr(a, name), (list, set, dict)):
            assert getattr(a, name) is not getattr(b, name), name
    a.server = object()
    assert b.server is None


def test_a_hosts_own_env_file_edited_rechecks_its_fleet(tmp_path, monkeypatch):
    """A `.env` that is a host of its own: its domain edited keeps the plan (one fleet checked
    again); the server it names changed, or the file no longer a host, plans the run anew."""
    _copy(tmp_path)
    host = tmp_path / "sites" / "edge" / "host-a.env"
    host.write_text("WASMCLOUD_LATTICE=default\nWASMCLOUD_JS_DOMAIN=hub\nWASMCLOUD_NATS_HOST=site-a\n")
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    assert '"NL301"' not in render_json(engine.check())
    steps = [("edit", "WASMCLOUD_LATTICE=default\nWASMCLOUD_JS_DOMAIN=hbu\nWASMCLOUD_NATS_HOST=site-a\n"),
             ("full", "WASMCLOUD_LATTICE=default\nWASMCLOUD_JS_DOMAIN=hbu\nWASMCLOUD_NATS_HOST=site-b\n"),
             ("full", "# no host here any more\n")]
    for how, text in steps:
        host.write_text(text)
        result = render_json(engine.check({}, [str(host)]))
        assert engine.last == how, text
        assert result == _cold({})
        if how == "edit":
            assert '"NL301"' in result and (engine.memo.built, engine.memo.reused) == (1, 2)


def test_a_lint_env_file_changed_plans_the_run_anew(tmp_path, monkeypatch):
    """`env-files` of natslint.toml feed the lint environment: a change there (a file no
    discovery takes by its name) is a full run with the settings read again."""
    (tmp_path / "natslint.toml").write_text('env-files = ["lint.vars"]\n')
    (tmp_path / "lint.vars").write_text("DOMAIN=hub\n")
    (tmp_path / "hub.conf").write_text("server_name: hub\nport: 4222\njetstream { domain: $DOMAIN }\n"
                                       "leafnodes { port: 7422 }\n")
    (tmp_path / "leaf.conf").write_text("server_name: leaf\nport: 4223\njetstream { domain: hub }\n"
                                        'leafnodes { remotes: [ { url: "nats-leaf://hub:7422" } ] }\n')
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    assert '"NL202"' in render_json(engine.check())
    (tmp_path / "lint.vars").write_text("DOMAIN=core\n")
    got = render_json(engine.check({}, [str(tmp_path / "lint.vars")]))
    assert engine.last == "full" and '"NL202"' not in got
    assert got == _cold({})


def test_a_compose_file_edited_rechecks_its_fleet(tmp_path, monkeypatch):
    """A compose file: a host's domain or a server's flags edited keep the plan (its fleet is
    checked again, the others kept); a service added, renamed or pointed at another config
    plans the run anew.  Either way the answer is a cold check's."""
    _copy(tmp_path)
    compose = tmp_path / COMPOSE
    text = compose.read_text()
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    assert '"NL301"' not in render_json(engine.check())
    steps = [("edit", text.replace("WASMCLOUD_JS_DOMAIN: hub", "WASMCLOUD_JS_DOMAIN: hbu", 1)),
             ("edit", text),
             ("full", text.replace("services:\n", "services:\n  extra:\n    image: busybox\n", 1)),
             ("full", text.replace("host-a:", "host-z:", 1))]
    for how, new in steps:
        compose.write_text(new)
        result = render_json(engine.check({}, [str(compose)]))
        assert engine.last == how, new
        assert result == _cold({})
        if how == "edit" and new != text:
            assert '"NL301"' in result and (engine.memo.built, engine.memo.reused) == (1, 2)


KUBE = "kube/hosts.yaml"
MANIFEST_STEP = st.one_of(
    # a host's domain in a plain manifest: on the edit path
    st.tuples(st.just("domain"), st.sampled_from(["hub", "edge", "dfault"])),
    # a line above it: every span of the file moves
    st.tuples(st.just("shift"), st.sampled_from(["# hosts\n", "# hosts\n# of the lattice\n"])),
    # replicas: where the fleet ends changes, planned anew
    st.tuples(st.just("replicas"), st.sampled_from(["1", "2", "3"])),
    st.tuples(st.just("restore"), st.just("")),
)


def _replay(fixture: str, target: str, steps, edit) -> None:
    """Each step edits ``target`` (saved, or only in the editor's buffer) with ``edit(text, op,
    arg, original)``; after every step the engine's answer is a cold check's."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "fixtures" / fixture, root / Path(target).parts[0])
        original = (root / target).read_text()
        os.chdir(root)
        try:
            engine = _engine()
            overlays: dict[str, str] = {}
            assert render_json(engine.check(overlays)) == _cold(overlays)
            for (op, arg), unsaved in steps:
                text = edit(overlays.get(str(root / target), (root / target).read_text()), op, arg, original)
                if unsaved:
                    overlays[str(root / target)] = text
                    changed: list[str] = []
                else:
                    (root / target).write_text(text)
                    overlays.pop(str(root / target), None)
                    changed = [str(root / target)]
                got = render_json(engine.check(overlays, changed))
                assert got == _cold(overlays), (op, arg, unsaved, engine.last)
        finally:
            os.chdir(here)


def _manifest_edit(text: str, op: str, arg: str, original: str) -> str:
    if op == "domain":
        return re.sub(r"(WASMCLOUD_JS_DOMAIN, value: )\S+?}", lambda m: m.group(1) + arg + "}", text)
    if op == "shift":
        return arg + text
    if op == "replicas":
        return text.replace("replicas: 2", f"replicas: {arg}", 1) if "replicas: 2" in text else \
            re.sub(r"replicas: \d", f"replicas: {arg}", text, count=1)
    return original


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(MANIFEST_STEP, st.booleans()), min_size=1, max_size=5))
def test_manifest_edits_equal_a_cold_check(steps):
    """A plain Kubernetes manifest edited (saved or not): the host's domain, lines that move it,
    its replicas; after every step the engine's answer is a cold check's."""
    _replay("k8s-manifest-lattice", KUBE, steps, _manifest_edit)


VALUES = "hv/hosts/values.yaml"
VALUES_STEP = st.one_of(
    # the host's domain in the wasmcloud-host chart's values: on the edit path
    st.tuples(st.just("domain"), st.sampled_from(["hub", "edge", "dfault"])),
    st.tuples(st.just("shift"), st.sampled_from(["# host\n", "# the host\n# of the lattice\n"])),
    # replicas or the address its leaf sidecar dials: where the fleet ends changes, planned anew
    st.tuples(st.just("replicas"), st.sampled_from(["1", "2"])),
    st.tuples(st.just("address"), st.sampled_from(["nats://nats.default.svc.cluster.local", "nats://nats-typo"])),
    st.tuples(st.just("restore"), st.just("")),
)


def _values_edit(text: str, op: str, arg: str, original: str) -> str:
    if op == "domain":
        return re.sub(r"(jetstreamDomain: )\S+", lambda m: m.group(1) + arg, text)
    if op == "shift":
        return arg + text
    if op == "replicas":
        return re.sub(r"replicas: \d", f"replicas: {arg}", text, count=1)
    if op == "address":
        return re.sub(r"(natsAddress: )\S+", lambda m: m.group(1) + arg, text)
    return original


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(VALUES_STEP, st.booleans()), min_size=1, max_size=5))
def test_values_edits_equal_a_cold_check(steps):
    """A chart's values file read on its own (the wasmcloud-host chart's), edited saved or not;
    after every step the engine's answer is a cold check's."""
    _replay("helm-host-values", VALUES, steps, _values_edit)


@pytest.mark.parametrize("fixture, target, old, new, more", [
    ("k8s-manifest-lattice", KUBE, "value: hub}", "value: dfault}", ("replicas: 2", "replicas: 3")),
    ("helm-host-values", VALUES, "jetstreamDomain: hub", "jetstreamDomain: dfault", ("replicas: 1", "replicas: 2")),
])
def test_a_manifest_or_values_edited_rechecks_its_fleet_without_planning_anew(tmp_path, monkeypatch, fixture, target,
                                                                              old, new, more):
    """A host's domain edited in a plain manifest or a values file keeps the plan; a replica
    added plans anew."""
    shutil.copytree(ROOT / "fixtures" / fixture, tmp_path / Path(target).parts[0])
    hosts = tmp_path / target
    text = hosts.read_text()
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    engine.check()
    for how, edited, typo in [("edit", text.replace(old, new, 1), True), ("edit", "# moved\n" + text, False),
                              ("full", text.replace(*more, 1), False)]:
        hosts.write_text(edited)
        result = render_json(engine.check({}, [str(hosts)]))
        assert engine.last == how, edited
        assert result == _cold({})
        assert ('"NL301"' in result) == typo


KUSTOMIZED = "kz/hosts/hosts.yaml"
RELEASED = "pe/platform/values.yaml"
ACROSS_STEP = st.one_of(
    # a host's (or wadm's) domain: on the edit path, every YAML file of the tree read again
    st.tuples(st.just("domain"), st.sampled_from(["default", "edge", "dfault"])),
    st.tuples(st.just("shift"), st.sampled_from(["# hosts\n", "# hosts\n# of the lattice\n"])),
    # the NATS domain a chart renders, or replicas: planned anew
    st.tuples(st.just("nats"), st.sampled_from(["default", "core"])),
    st.tuples(st.just("replicas"), st.sampled_from(["2", "3"])),
    st.tuples(st.just("restore"), st.just("")),
)


def _across_edit(text: str, op: str, arg: str, original: str) -> str:
    if op == "domain":
        text = re.sub(r"(WASMCLOUD_JS_DOMAIN\n\s+value: )\S+", lambda m: m.group(1) + arg, text)
        return re.sub(r"(jetstreamDomain: )\S+", lambda m: m.group(1) + arg, text)
    if op == "shift":
        return arg + text
    if op == "nats":
        return re.sub(r"(merge:\n\s+domain: )\S+", lambda m: m.group(1) + arg, text)
    if op == "replicas":
        return re.sub(r"(hostReplicas|replicas): \d", lambda m: f"{m.group(1)}: {arg}", text, count=1)
    return original


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(ACROSS_STEP, st.booleans()), min_size=1, max_size=4))
def test_kustomization_edits_equal_a_cold_check(steps):
    """A kustomization's manifest edited (saved or not): after every step the engine's answer is
    a cold check's."""
    _replay("k8s-kustomize-lattice", KUSTOMIZED, steps, _across_edit)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(ACROSS_STEP, st.booleans()), min_size=1, max_size=4))
def test_declared_release_values_edits_equal_a_cold_check(steps):
    """A helmfile release's values (the platform chart: NATS, wadm, hosts) edited: after every
    step the engine's answer is a cold check's."""
    _replay("helm-platform-edge-ok", RELEASED, steps, _across_edit)


@pytest.mark.parametrize("fixture, target, old, new", [
    ("k8s-kustomize-lattice", KUSTOMIZED, "WASMCLOUD_JS_DOMAIN\n              value: default",
     "WASMCLOUD_JS_DOMAIN\n              value: dfault"),
    ("helm-platform-edge-ok", RELEASED, "jetstreamDomain: default", "jetstreamDomain: dfault"),
])
def test_a_kustomization_or_a_release_edited_keeps_the_plan(tmp_path, monkeypatch, fixture, target, old, new):
    """A host's (or wadm's) domain edited keeps the plan; the NATS domain a chart renders plans anew."""
    shutil.copytree(ROOT / "fixtures" / fixture, tmp_path / Path(target).parts[0])
    path = tmp_path / target
    text = path.read_text()
    assert old in text
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    engine.check()
    path.write_text(text.replace(old, new))
    result = render_json(engine.check({}, [str(path)]))
    assert engine.last == "edit" and result == _cold({}) and '"NL301"' in result
    if "merge:\n        domain: default" in text:
        path.write_text(text.replace("merge:\n        domain: default", "merge:\n        domain: core"))
        assert render_json(engine.check({}, [str(path)])) == _cold({}) and engine.last == "full"


def test_an_edit_reads_again_only_the_edited_configs_refusals(tmp_path, monkeypatch):
    """What validateOptions refuses is kept by each plain config's document: an edit of one
    config of a fleet reads its refusals again, not its siblings', and a sibling's NL113 stays."""
    import natslint.fleet.startup as startup

    (tmp_path / "a.conf").write_text("server_name: a\nport: 4222\nlame_duck_duration: 10s\n"
                                     "lame_duck_grace_period: 30s\n")
    (tmp_path / "b.conf").write_text("server_name: b\nport: 4223\n")
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    nl113 = [(f.code, f.span.path, f.span.line) for f in engine.check().findings if f.code == "NL113"]
    assert nl113 == [("NL113", "a.conf", 4)]
    read: list[str] = []
    real = startup.refusals
    monkeypatch.setattr(startup, "refusals", lambda s, root: read.append(s.path) or real(s, root))
    edited = {str(tmp_path / "b.conf"): "server_name: b\nport: 4224\n"}
    result = engine.check(edited, [])
    assert engine.last == "edit" and read == ["b.conf"]
    assert [(f.code, f.span.path, f.span.line) for f in result.findings if f.code == "NL113"] == nl113
    assert render_json(result) == _cold(edited)
