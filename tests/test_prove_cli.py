"""`natslint prove` as users run it: the table, the exit code, and no process left behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[1]


def leftovers() -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "natslint-prove-" in line and "nats-server" in line]


def test_prove_prints_the_table_and_cleans_up(nats_server):
    proc = subprocess.run([sys.executable, "-m", "natslint", "prove", "fixtures/compose-leaf-reuses-domain"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["who", "domain", "predicted", "observed"]
    row = next(line for line in lines if line.startswith("host `host-b`"))
    assert row.split()[3] == "hub" and "server `leaf-b`" in row and row.endswith("✔")
    assert "0 mismatch(es), 5 server(s) started and stopped" in lines[-1]
    assert leftovers() == []


def test_ctrl_c_stops_every_server(nats_server):
    proc = subprocess.Popen([sys.executable, "-m", "natslint", "prove", "fixtures/compose-lattice"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 20
    while not leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(), "no server was started"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert leftovers() == []
