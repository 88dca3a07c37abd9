"""Time the language server and `check --watch` as an editor and a user meet them, through the
real processes: `natslint server` over stdio (JSON-RPC), `natslint check --watch` with its output.

    python bench/bench_live.py [--servers 1000] [--edits 11] [--connected]

Measured on a `gen_fleet.py` workspace (never asserted in tests):
- server start -> first diagnostics (the process started, `initialize` sent, until the first
  `publishDiagnostics`), beside a cold `natslint check` of the same workspace (medians of five,
  taken in turn);
- one leaf config edited in the editor: `didChange` sent -> its `publishDiagnostics` received
  (the edits alternate between adding an unknown option and removing it, so each one changes
  the leaf's diagnostics and the server has something to publish); debounce included; for a
  client that offers file events, and for one that does not (the server then watches itself);
- `--watch`: the leaf saved to disk -> the "Watching for file changes." line after its output;
- the server's peak RSS (VmHWM) after the edits.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gen_fleet import a_leaf, edit_bench_args, generate  # noqa: E402
from run import installed_env, warm  # noqa: E402

NATSLINT = [sys.executable, "-m", "natslint"]
ENV = installed_env()  # natslint and the protocol library loaded from bytecode, as installed
TYPO = "\ndomian: x\n"  # NL101 in the leaf itself


class Client:
    """A minimal LSP client: Content-Length framed JSON-RPC over the server's stdio."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen([*NATSLINT, "server"], cwd=cwd, env=ENV, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = 0
            while (line := out.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:  # a request of the server's (registering watchers)
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.inbox.put((time.perf_counter(), msg))

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def request(self, method: str, params) -> None:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_publish(self, uri: str | None = None, timeout: float = 120) -> float:
        """When the next publishDiagnostics (for ``uri``, if given) arrived."""
        end = time.perf_counter() + timeout
        while True:
            at, msg = self.inbox.get(timeout=max(end - time.perf_counter(), 0.01))
            if msg.get("method") == "textDocument/publishDiagnostics" and (uri is None or msg["params"]["uri"] == uri):
                return at

    def drain(self, quiet: float = 0.5) -> None:
        while True:
            try:
                self.inbox.get(timeout=quiet)
            except queue.Empty:
                return

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start(work: Path, watching: bool = True) -> tuple[Client, float]:
    """A server started on ``work``: the time from its start to its first diagnostics."""
    begin = time.perf_counter()
    client = Client(work)
    caps = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}} if watching else {}
    client.request("initialize", {"processId": os.getpid(), "rootUri": work.resolve().as_uri(), "capabilities": caps})
    client.notify("initialized", {})
    return client, client.wait_publish() - begin


def lsp(work: Path, leaf: Path, edits: int, watching: bool = True) -> tuple[list[float], float]:
    """``watching``: the client offers file events; without, the server watches for itself."""
    uri = leaf.resolve().as_uri()
    client, _ = start(work, watching)
    client.drain(3.0)  # the server's engine makes its own first check after publishing the first diagnostics
    text = leaf.read_text()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "nats", "version": 0,
                                                            "text": text}})
    client.drain()
    times = []
    for i in range(1, edits + 1):
        body = text + TYPO if i % 2 else text
        sent = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": i},
                                                 "contentChanges": [{"text": body}]})
        times.append(client.wait_publish(uri) - sent)
        client.drain(0.2)
    rss = client.peak_rss_mb()
    client.close()
    return times, rss


def starts(work: Path, n: int = 5) -> tuple[list[float], list[float]]:
    """Server starts and cold checks, taken in turn (this machine's speed drifts)."""
    first, cold = [], []
    for _ in range(n):
        client, took = start(work)
        first.append(took)
        client.proc.kill()
        client.proc.wait()
        cold.append(cold_check(work))
    return first, cold


def watch(work: Path, leaf: Path, edits: int) -> list[float]:
    proc = subprocess.Popen([*NATSLINT, "check", "--watch", "--exit-zero", "."], cwd=work, env=ENV,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.perf_counter(), ln)) for ln in proc.stdout], daemon=True).start()

    def watching(timeout: float = 120) -> float:
        while True:
            at, ln = lines.get(timeout=timeout)
            if "Watching for file changes." in ln:
                return at

    watching()
    time.sleep(0.5)  # the watcher is listening
    text = leaf.read_text()
    times = []
    for i in range(1, edits + 1):
        saved = time.perf_counter()
        leaf.write_text(text + TYPO if i % 2 else text)
        times.append(watching() - saved)
        time.sleep(0.3)
    proc.terminate()
    proc.wait(timeout=10)
    return times


def cold_check(work: Path) -> float:
    t = time.perf_counter()
    subprocess.run([*NATSLINT, "check", "--exit-zero", "-q", "."], cwd=work, env=ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    args = edit_bench_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(args.servers, work, connected=args.connected)
        leaf = a_leaf(work)
        warm(work)
        subprocess.run([sys.executable, "-c", "import natslint.lsp.server, watchfiles"], env=ENV, check=True)
        first, cold = starts(work)
        edits, rss = lsp(work, leaf, args.edits)
        unwatched, _ = lsp(work, leaf, args.edits, watching=False)
        saved = watch(work, leaf, args.edits)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ms"  # noqa: E731
    kind = "one connected fleet" if args.connected else "regions"
    print(f"| {args.servers} servers, {kind} | edit -> diagnostics {ms(edits)} (max {max(edits) * 1000:.0f}); "
          f"client without file events {ms(unwatched)} (max {max(unwatched) * 1000:.0f}) | "
          f"--watch save -> output {ms(saved)} (max {max(saved) * 1000:.0f}) | start -> first diagnostics "
          f"{ms(first)} (cold check {ms(cold)}) | server peak RSS {rss:.0f} MB |")


if __name__ == "__main__":
    main()
