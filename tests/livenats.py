"""Real nats-servers on loopback for the wiring tests: start configs, wait for their links,
count the messages a subscriber gets.  Every server is started here and stopped by its PID."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running(binary: str, folder: Path, configs: dict[str, tuple[str, int]]) -> Iterator[dict[str, int]]:
    """Start each config (name -> (text, client port)) and wait until every client port answers;
    yield name -> PID; stop them all by PID on the way out."""
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, (text, _) in configs.items():
            path = folder / f"{name}.conf"
            path.write_text(text, encoding="utf-8")
            log = (folder / f"{name}.log").open("w")
            procs[name] = subprocess.Popen([binary, "-c", str(path)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not all(_listening(port) for _, port in configs.values()):
            dead = [n for n, p in procs.items() if p.poll() is not None]
            assert not dead and time.monotonic() < deadline, \
                {n: (folder / f"{n}.log").read_text() for n in dead or procs}
            time.sleep(0.1)
        yield {n: p.pid for n, p in procs.items()}
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def monitor(port: int, endpoint: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{endpoint}", timeout=2) as reply:  # loopback only
        return json.loads(reply.read())


def wait_for(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


async def _count(sub_port: int, pub_port: int, subject: str, n: int, sub_user: tuple[str, str] | None,
                 pub_user: tuple[str, str] | None) -> int:
    import nats

    def url(port: int, user: tuple[str, str] | None) -> str:
        return f"nats://{user[0]}:{user[1]}@127.0.0.1:{port}" if user else f"nats://127.0.0.1:{port}"

    sub_nc = await nats.connect(url(sub_port, sub_user), allow_reconnect=False)
    pub_nc = await nats.connect(url(pub_port, pub_user), allow_reconnect=False)
    got = 0

    async def on_message(_msg) -> None:
        nonlocal got
        got += 1

    try:
        await sub_nc.subscribe(subject, cb=on_message)
        await sub_nc.flush()
        await asyncio.sleep(1.5)  # the interest crosses routes and leaf links
        for i in range(n):
            await pub_nc.publish(subject, f"m{i}".encode())
        await pub_nc.flush()
        await asyncio.sleep(1.5)
        return got
    finally:
        await pub_nc.close()
        await sub_nc.close()


def delivered(sub_port: int, pub_port: int, subject: str, n: int = 3, *, sub_user: tuple[str, str] | None = None,
              pub_user: tuple[str, str] | None = None) -> int:
    """How many of ``n`` messages published on one server reach a subscriber on another."""
    return asyncio.run(_count(sub_port, pub_port, subject, n, sub_user, pub_user))


def refused(port: int) -> str:
    """The error an anonymous client gets from the server, or "" when it is let in."""
    import nats

    async def attempt() -> str:
        try:
            nc = await nats.connect(f"nats://127.0.0.1:{port}", allow_reconnect=False, max_reconnect_attempts=0,
                                    connect_timeout=2)
        except Exception as exc:  # nats-py raises the server's -ERR as its own exception types
            return str(exc) or type(exc).__name__
        await nc.close()
        return ""

    return asyncio.run(attempt())
