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

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        self.fn, self.args = fn, args
        self.pid = 0
        self.fd = -1
        if not available():
            return
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # the child: compute, send, leave without running this process's exit code
            code = 0
            try:
                import pickle

                os.close(read_fd)
                data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_fd, view):]
            except BaseException:
                code = 1  # the parent sees a short answer and does the work itself
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd

    def cancel(self) -> None:
        """Stop the child (the caller left early): no process outlives the run."""
        if self.pid:
            import signal

            os.close(self.fd)
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0

    def result(self) -> Any:
        if self.pid:
            chunks = []
            try:
                while chunk := os.read(self.fd, 1 << 20):
                    chunks.append(chunk)
            finally:
                os.close(self.fd)
                _, status = os.waitpid(self.pid, 0)
                self.pid = 0
            if os.waitstatus_to_exitcode(status) == 0 and chunks:
                import pickle

                try:
                    return pickle.loads(b"".join(chunks))
                except Exception:
                    pass  # a garbled answer: fall through and compute it here
        return self.fn(*self.args)


def start(fn: Callable[..., Any], *args: Any) -> Pending:
    """Run ``fn(*args)`` in a forked child (or later, here, if that cannot be done)."""
    return Pending(fn, args)
