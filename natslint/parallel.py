"""Work in a second process while this one goes on: fork, compute, send the result back.

CPython runs one thread of Python at a time, so the second core helps only through a second
process.  A pool would start a fresh interpreter and import natslint again (longer than the
work); a forked child starts with everything loaded.  What the child sends back must be
cheap to pickle: plain tuples and strings, not the parsed model (pickling 1,000 parsed
documents takes longer than parsing them).

The answer never depends on this: when fork is not available, not wanted
(``NATSLINT_JOBS=1``) or the child fails in any way, the work is done here instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable


def available() -> bool:
    """Fork only where it is safe and useful: Linux (elsewhere fork without exec is
    fragile), more than one CPU, no other threads, and not switched off."""
    if os.environ.get("NATSLINT_JOBS") == "1":
        return False
    threading = sys.modules.get("threading")  # not imported: no thread was started through it
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and _cpus() > 1
            and (threading is None or threading.active_count() == 1))


def _cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Pending:
    """A call running in a child process; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., Any], args: tuple, codec: str = "pickle") -> None:
        self.fn, self.args, self.codec = fn, args, codec
        self.pid = 0
        self.fd = -1
        if not available():
            return
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            return
        _widen(write_fd)
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # the child: compute, send, leave without running this process's exit code
            code = 0
            try:
                os.close(read_fd)
                data = _codec(codec).dumps(fn(*args))
                view = memoryview(len(data).to_bytes(8, "little") + data)
                while view:
                    view = view[os.write(write_fd, view):]
                # close before exiting: the kernel frees a large address space before it
                # closes files, and the parent is waiting for this end-of-file
                os.close(write_fd)
            except BaseException:
                code = 1  # the parent sees a short answer and does the work itself
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd

    def close(self) -> None:
        """Reap the child; stop it first if its answer was never read.  No process outlives
        the run."""
        if self.pid:
            if self.fd >= 0:
                import signal

                os.close(self.fd)
                self.fd = -1
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.waitpid(self.pid, 0)
            self.pid = 0

    def result(self) -> Any:
        """The call's value: the child's answer (framed by its length, so a child that died
        midway is told apart), or computed here.  The child is reaped by :meth:`close`,
        later: it may still be exiting."""
        if self.fd >= 0:
            chunks = []
            try:
                while chunk := os.read(self.fd, 1 << 20):
                    chunks.append(chunk)
            finally:
                os.close(self.fd)
                self.fd = -1
            data = b"".join(chunks)
            if len(data) >= 8 and int.from_bytes(data[:8], "little") == len(data) - 8:
                try:
                    return _codec(self.codec).loads(data[8:])
                except Exception:
                    pass  # a garbled answer: fall through and compute it here
        return self.fn(*self.args)


def start(fn: Callable[..., Any], *args: Any, codec: str = "pickle") -> Pending:
    """Run ``fn(*args)`` in a forked child (or later, here, if that cannot be done).
    ``codec="marshal"`` sends plain values (tuples, lists, strings, numbers) faster."""
    return Pending(fn, args, codec)


def _widen(fd: int) -> None:
    """A pipe as large as the OS allows (1 MB by default on Linux): the child writes its whole
    answer at once and is done, instead of waiting for the parent to drain 64 KB at a time."""
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as fh:
            size = int(fh.read())
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, OSError, ValueError):
        pass  # a smaller pipe only means more round trips


def _codec(name: str):
    if name == "marshal":
        import marshal

        return marshal
    import pickle

    return pickle
