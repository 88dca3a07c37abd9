"""`natslint prove` as users run it: the table, the exit code, and no process left behind.

The servers' PIDs come from prove itself (`--pid-file`), never from scanning every process:
two test runs side by side must not see each other's servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[1]


def pids_in(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for every purpose but the process table
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def test_prove_prints_the_table_and_cleans_up(nats_server, tmp_path):
    pid_file = tmp_path / "pids"
    proc = subprocess.run([sys.executable, "-m", "natslint", "prove", "fixtures/compose-leaf-reuses-domain",
                           "--pid-file", str(pid_file)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["who", "domain", "predicted", "observed"]
    row = next(line for line in lines if line.startswith("host `host-b`"))
    assert row.split()[3] == "hub" and "server `leaf-b`" in row and row.endswith("✔")
    assert "0 mismatches, 5 servers started and stopped" in lines[-2]
    assert lines[-1] == "exit 0: every probe agrees with the model, and the proof covers it all"
    pids = pids_in(pid_file)
    assert len(pids) == 5
    assert [p for p in pids if alive(p)] == []


def test_ctrl_c_stops_every_server(nats_server, tmp_path):
    pid_file = tmp_path / "pids"
    proc = subprocess.Popen([sys.executable, "-m", "natslint", "prove", "fixtures/compose-lattice",
                             "--pid-file", str(pid_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 20
    while not pids_in(pid_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = pids_in(pid_file)
    assert started, "no server was started"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    # whenever the signal lands (starting, probing, cleaning up), the run ends and no server
    # it started is left
    assert proc.returncode is not None and "started and stopped" in out + err or \
        "KeyboardInterrupt" in err or "Aborted" in err, (out, err)
    assert [p for p in pids_in(pid_file) if alive(p)] == []
