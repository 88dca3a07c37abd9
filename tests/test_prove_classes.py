"""Each class of fleet where the model once disagreed with nats-server, proven live three times in
a row: exit 0 and no mismatch every time.  The expectations are what the real servers did when
these fleets were first run (nats-server 2.15.1), written down as the probes' reply classes and
the startup lines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

ROUTES = '"nats-route://127.0.0.1:{a}", "nats-route://127.0.0.1:{b}", "nats-route://127.0.0.1:{c}"'


def member(name: str, port: int, cluster_port: int, jetstream: str, cluster: str = "name: hub, ") -> str:
    routes = ROUTES.format(a=cluster_port - cluster_port % 10 + 1, b=cluster_port - cluster_port % 10 + 2,
                           c=cluster_port - cluster_port % 10 + 3)
    return (f"server_name: {name}\nport: {port}\njetstream {{ {jetstream} store_dir: \"./data/{port}\" }}\n"
            f"cluster {{ {cluster}port: {cluster_port}, routes: [ {routes} ] }}\n")


def three(domains: list[str], names: tuple[str, str, str] = ("n1", "n2", "n3"), cluster: str = "name: hub, ") -> dict:
    return {f"n{i + 1}.conf": member(names[i], 4231 + i, 6231 + i, d, cluster) for i, d in enumerate(domains)}


SYSTEM_LINK_HUB = """server_name: hub
port: 4271
jetstream { %s store_dir: "./data/hub" }
accounts {
  SYS: { users: [ { user: sys, password: s } ] }
  APP: { jetstream: enabled, users: [ { user: app, password: a } ] }
}
system_account: SYS
leafnodes {
  port: 7471
  authorization { users: [ { user: leafsys, password: l, account: SYS }, { user: leafapp, password: l, account: APP } ] }
}
"""
SYSTEM_LINK_LEAF = """server_name: leaf
port: 4272
jetstream { %s store_dir: "./data/leaf" }
accounts {
  SYS: { users: [ { user: sys, password: s } ] }
  APP: { jetstream: enabled, users: [ { user: app, password: a } ] }
}
system_account: SYS
leafnodes {
  remotes: [
    { url: "nats-leaf://leafsys:l@127.0.0.1:7471", account: SYS }
    { url: "nats-leaf://leafapp:l@127.0.0.1:7471", account: APP }
  ]
}
"""
NO_JS_ACCOUNT_HUB = """server_name: hub
port: 4281
jetstream { domain: core, store_dir: "./data/hub" }
accounts {
  SYS: { users: [ { user: sys, password: s } ] }
  LATTICE: { jetstream: enabled, users: [ { user: lat, password: a } ] }
  APP: { users: [ { user: app, password: a } ] }
}
system_account: SYS
leafnodes { port: 7481, authorization { users: [ { user: leaf, password: l, account: LATTICE } ] } }
"""
NO_JS_ACCOUNT_EDGE = """server_name: edge
port: 4282
jetstream { domain: edge-1, store_dir: "./data/edge" }
accounts {
  SYS: { users: [ { user: sys, password: s } ] }
  LATTICE: { jetstream: enabled, users: [ { user: lat, password: a } ] }
}
system_account: SYS
leafnodes { remotes: [ { url: "nats-leaf://leaf:l@127.0.0.1:7481", account: LATTICE } ] }
"""
SYSTEM_ACCOUNT_JS = """server_name: a
jetstream { domain: core, store_dir: "./data/a" }
accounts {
  SYS: { jetstream: enabled, users: [ { user: sys, password: s } ] }
  APP: { jetstream: enabled, users: [ { user: app, password: a } ] }
}
system_account: SYS
"""

HUB = "cluster `hub` (n1, n2, n3)"
MIRRORED = "one reply, with the streams of server `hub` + server `leaf`"
# the same, answered by both servers: "replies are sometimes doubled" (decision table row 6)
DOUBLED = {"2 replies: server `hub`, server `leaf`": MIRRORED}

# class -> (files, {(who, account, domain or "", predicted class, observed class): count},
#           {server: the line it exits with at startup}, what `check` finds: (code, file, line))
CLASSES = {
    # 1. one member says `core`, the others `other` (or nothing): one meta group all the same;
    # each server maps only its own domain, and the others' domain gets no responders
    "members-disagree": (three(["domain: core,", "domain: other,", "domain: other,"]), {
        ("server `n1`", "$G", "", HUB, HUB): 1, ("server `n1`", "$G", "core", HUB, HUB): 1,
        ("server `n1`", "$G", "other", "no responders", "no responders"): 1,
        ("server `n2`", "$G", "", HUB, HUB): 1, ("server `n2`", "$G", "other", HUB, HUB): 1,
        ("server `n2`", "$G", "core", "no responders", "no responders"): 1,
        ("server `n3`", "$G", "", HUB, HUB): 1, ("server `n3`", "$G", "other", HUB, HUB): 1,
        ("server `n3`", "$G", "core", "no responders", "no responders"): 1,
    }, {}, [("NL203", "n1.conf", 3)]),
    "members-disagree-unset": (three(["domain: core,", "", ""]), {
        ("server `n1`", "$G", "", HUB, HUB): 1, ("server `n1`", "$G", "core", HUB, HUB): 1,
        ("server `n2`", "$G", "", HUB, HUB): 1, ("server `n2`", "$G", "core", "no responders", "no responders"): 1,
        ("server `n3`", "$G", "", HUB, HUB): 1, ("server `n3`", "$G", "core", "no responders", "no responders"): 1,
    }, {}, [("NL203", "n1.conf", 3)]),
    # 2. a domain with a dot: the server exits at startup, `-t` says valid
    "domain-with-a-dot": ({"a.conf": 'server_name: a\njetstream { domain: "core.east", store_dir: "./data/a" }\n'},
                          {}, {"server `a`": "invalid domain name: may not contain ., * or >"},
                          [("NL103", "a.conf", 2)]),
    "domain-with-a-space": ({"a.conf": 'server_name: a\njetstream { domain: "core east", store_dir: "./data/a" }\n'},
                            {}, {"server `a`": 'invalid domain name: derived "$JS.core east.API.>" is not a valid '
                                               "subject"}, [("NL103", "a.conf", 2)]),
    # 3. a JetStream cluster without a name: every member exits at startup
    "cluster-without-name": (three(["domain: core,"] * 3, cluster=""), {},
                             {f"server `n{i}`": "jetstream cluster requires `cluster.name` to be set" for i in (1, 2, 3)},
                             [("NL104", f"n{i}.conf", 4) for i in (1, 2, 3)]),
    # 4. standalone hub and leaf linked through both system accounts, one domain or none: the
    # server treats the link as an extension, so each runs every API request of the other
    "system-link-same-domain": ({"hub.conf": SYSTEM_LINK_HUB % "domain: core,", "leaf.conf": SYSTEM_LINK_LEAF % "domain: core,"}, {
        ("server `hub`", "APP", "", "server `hub` + server `leaf` (mirrored)", MIRRORED): 1,
        ("server `hub`", "APP", "core", "server `hub` + server `leaf` (mirrored)", MIRRORED): 1,
        ("server `leaf`", "APP", "", "server `leaf` + server `hub` (mirrored)", MIRRORED): 1,
        ("server `leaf`", "APP", "core", "server `leaf` + server `hub` (mirrored)", MIRRORED): 1,
    }, {}, [("NL202", "leaf.conf", 3)]),
    "system-link-no-domain": ({"hub.conf": SYSTEM_LINK_HUB % "", "leaf.conf": SYSTEM_LINK_LEAF % ""}, {
        ("server `hub`", "APP", "", "server `hub` + server `leaf` (mirrored)", MIRRORED): 1,
        ("server `leaf`", "APP", "", "server `leaf` + server `hub` (mirrored)", MIRRORED): 1,
    }, {}, [("NL204", "leaf.conf", 3)]),
    # 5. two members named alike: the meta group's peers are named by server name, and it never
    # elects a leader; every request gets 503 10008 from the server asked
    "duplicate-names": (three(["domain: core,"] * 3, names=("n1", "n2", "n2")), {
        (f"server `{n}`", "$G", d, "error 10008 from the JetStream of cluster `hub` (n1, n2, n2)", "error 10008"): k
        for n, k in (("n1", 1), ("n2", 2)) for d in ("", "core")
    }, {}, [("NL404", "n3.conf", 1)]),
    # 6. an account without JetStream asks another domain across the leaf link its account has
    # no part in: no responders (its own server's domain: error 10039)
    "no-jetstream-account-asks-across": ({"hub.conf": NO_JS_ACCOUNT_HUB, "edge.conf": NO_JS_ACCOUNT_EDGE}, {
        ("server `edge`", "LATTICE", "", "server `edge`", "server `edge`"): 1,
        ("server `edge`", "LATTICE", "core", "server `hub`", "server `hub`"): 1,
        ("server `edge`", "LATTICE", "edge-1", "server `edge`", "server `edge`"): 1,
        ("server `hub`", "LATTICE", "", "server `hub`", "server `hub`"): 1,
        ("server `hub`", "LATTICE", "core", "server `hub`", "server `hub`"): 1,
        ("server `hub`", "LATTICE", "edge-1", "server `edge`", "server `edge`"): 1,
        ("server `hub`", "APP", "", "error 10039 from server `hub`", "error 10039"): 1,
        ("server `hub`", "APP", "core", "error 10039 from server `hub`", "error 10039"): 1,
        ("server `hub`", "APP", "edge-1", "no responders", "no responders"): 1,
    }, {}, []),
    # JetStream in the system account: the server exits as JetStream starts
    "jetstream-in-system-account": ({"a.conf": SYSTEM_ACCOUNT_JS}, {},
                                    {"server `a`": "Not allowed to enable JetStream on the system account"},
                                    [("NL106", "a.conf", 4)]),
}


def _say(reply: dict) -> str:
    from natslint.prove.output import _say as say

    return say(reply)


def _prove(where: Path) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "natslint", "prove", "-f", "json", "--timeout", "60", "."],
                          capture_output=True, text=True, cwd=where, timeout=300)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    (fleet,) = json.loads(proc.stdout)["fleets"]
    return proc.returncode, fleet


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_the_class_is_proven_three_times_in_a_row(tmp_path, name, nats_server):
    files, probes, exits, found = CLASSES[name]
    for path, text in files.items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "."], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert sorted((f["code"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"]) == sorted(found)
    for run in range(3):
        code, fleet = _prove(tmp_path)
        got = Counter((p["who"], p["account"], p["domain"] or "", _say(p["predicted"]),
                       DOUBLED.get(_say(p["observed"]), _say(p["observed"])))
                      for p in fleet["probes"] if p["observed"] is not None)
        disagreeing = [p for p in fleet["probes"] if p.get("verdict") != "agrees"]
        assert (code, fleet["mismatches"], fleet["incomplete"], fleet["startup_mismatches"]) == (0, 0, [], []), \
            (run, disagreeing, fleet["incomplete"], fleet["startup_mismatches"])
        assert got == Counter(probes), run
        assert {s["name"]: s["log"] for s in fleet["servers"] if "log" in s} == exits, run
        assert all(s.get("predicted_exit") == s.get("log") for s in fleet["servers"]), run


def test_a_twin_no_route_leads_to_is_proven_either_way(nats_server):
    """A fourth service copied from the third: no route leads to it, so which of the two `n3`
    the others keep depends on whom they met first.  The clients of either get the cluster's
    JetStream or nothing, from one run to the next; the model says both, and the other members
    keep their leader (three runs)."""
    where = Path(__file__).resolve().parents[1] / "fixtures" / "compose-duplicate-member"
    for run in range(3):
        code, fleet = _prove(where)
        assert (code, fleet["mismatches"], fleet["incomplete"]) == (0, 0, []), (run, fleet)
        hub = "cluster `core` (n1, n2, n3, n3)"
        twin = [p for p in fleet["probes"] if p["predicted"].get("or_timeout")]
        assert len(twin) == 4 and all(_say(p["observed"]) in (hub, "timeout") for p in twin), run
        assert all(_say(p["observed"]) == hub for p in fleet["probes"] if p not in twin), run


HUB_MEMBER = """server_name: hub{i}
port: 429{i}
jetstream {{ domain: core, store_dir: "./data/hub{i}" }}
accounts {{
  SYS: {{ users: [ {{ user: sys, password: s }} ] }}
  APP: {{ jetstream: enabled, users: [ {{ user: app, password: a }} ] }}
}}
system_account: SYS
cluster {{ name: hub, port: 629{i}, routes: [ "nats-route://127.0.0.1:6291", "nats-route://127.0.0.1:6292", "nats-route://127.0.0.1:6293" ] }}
leafnodes {{
  port: 749{i}
  authorization {{ users: [ {{ user: leafsys, password: l, account: SYS }}, {{ user: leafapp, password: l, account: APP }} ] }}
}}
"""


def test_a_standalone_leaf_on_a_clustered_hub_is_partly_mirrored(tmp_path, nats_server):
    """A clustered hub and a standalone leaf of one domain, their system accounts linked, no
    `will_extend` (row 5 of the decision table): each side runs some of the other's requests,
    and which varies from run to run (live: one reply with both sides' streams, two replies, or
    the hub's alone).  The model predicts the group loosely; three runs, every probe agrees."""
    for i in (1, 2, 3):
        (tmp_path / f"hub{i}.conf").write_text(HUB_MEMBER.format(i=i), encoding="utf-8")
    (tmp_path / "leaf.conf").write_text((SYSTEM_LINK_LEAF % "domain: core,").replace("7471", "7491")
                                        .replace("port: 4272", "port: 4299"), encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "natslint", "check", "-f", "json", "."], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert [(f["code"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"]] == [("NL202", "leaf.conf", 3)]
    hub = "cluster `hub` (hub1, hub2, hub3)"
    for run in range(3):
        code, fleet = _prove(tmp_path)
        disagreeing = [(p["who"], _say(p["predicted"]), _say(p["observed"]) if p["observed"] else None)
                       for p in fleet["probes"] if p.get("verdict") != "agrees"]
        assert (code, fleet["mismatches"], fleet["incomplete"]) == (0, 0, []), (run, disagreeing)
        predicted = Counter(_say(p["predicted"]) for p in fleet["probes"])
        assert predicted == Counter({f"{hub} + server `leaf` (partly mirrored)": 6,
                                     f"server `leaf` + {hub} (partly mirrored)": 2}), run
