"""When the servers of a proof are ready to be probed, decided by what they report: each
answers /varz, each lists the leaf links the model expects (both sides of each link), and a
JetStream the model says never elects a leader shows none."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

from natslint.prove.render import LOOPBACK, Plan


def http_json(port: int, path: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{path}", timeout=1) as resp:
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


def wait_listening(running: list[Plan], procs: list[subprocess.Popen], deadline: float) -> None:
    pending = list(zip(running, procs))
    while pending and time.monotonic() < deadline:
        pending = [(p, proc) for p, proc in pending
                   if proc.poll() is None and http_json(p.ports["monitor"], "/varz") is None]
        if pending:
            time.sleep(0.1)


def wait_ready(running: list[Plan], procs: list[subprocess.Popen], deadline: float, cluster_of: dict) -> None:
    """Until each server answers /varz and its /leafz lists the leaf links the model expects,
    on both sides: the ones it solicits and the ones its leaves solicit (links the model knows
    are refused are not waited for; a link that never comes up costs 10 s)."""
    pending = {p.server.id: (p, proc) for p, proc in zip(running, procs)}
    leaf_deadline = min(deadline, time.monotonic() + 10)
    while pending and time.monotonic() < deadline:
        for sid, (p, proc) in list(pending.items()):
            if proc.poll() is not None:
                del pending[sid]
                continue
            varz = http_json(p.ports["monitor"], "/varz")
            if varz is None:
                continue
            if time.monotonic() > leaf_deadline:
                del pending[sid]
                continue
            s = p.server
            want = sum(1 for r in s.remotes if s.link_comes_up(r))
            leafz = http_json(p.ports["monitor"], "/leafz") or {}
            if len(leafz.get("leafs") or []) >= want:
                del pending[sid]
        time.sleep(0.2)
    _wait_accepted(running, procs, leaf_deadline, cluster_of)


def _wait_accepted(running: list[Plan], procs: list[subprocess.Popen], deadline: float, cluster_of: dict) -> None:
    """The hub side of each leaf link: a remote dials one server of its hub's cluster (any URL it
    lists), so each cluster's members together must list the links its leaves solicit, besides
    their own."""
    by_cluster: dict[int, list[Plan]] = {}
    want: dict[int, int] = {}
    started = {p.server.id: p for p, proc in zip(running, procs) if proc.poll() is None}
    for p in started.values():
        by_cluster.setdefault(id(cluster_of[p.server.id]), []).append(p)
        for r in p.server.remotes:
            if p.server.link_comes_up(r):
                own = id(cluster_of[p.server.id])
                want[own] = want.get(own, 0) + 1
                if r.hub is not None and r.hub.id in started:
                    key = id(cluster_of[r.hub.id])
                    want[key] = want.get(key, 0) + 1
    pending = {k for k in want if k in by_cluster}
    while pending and time.monotonic() < deadline:
        for key in list(pending):
            listed = sum(len((http_json(p.ports["monitor"], "/leafz") or {}).get("leafs") or [])
                         for p in by_cluster[key])
            if listed >= want[key]:
                pending.discard(key)
        time.sleep(0.2)
