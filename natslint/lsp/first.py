"""The language server's first check, made in a child process while the server loads.

Loading the protocol library (lsprotocol, pygls) takes longer than checking a large workspace
does; a child forked before it checks the working folder meanwhile and hands over the
diagnostics as plain JSON.  The server publishes them when the client's workspace root is that
folder, then builds its own engine (natslint.engine) for the edits to come.  Without fork (not
POSIX) there is no child, and the server checks as it always does.
"""

from __future__ import annotations

import json
import os
import signal

early: "FirstCheck | None" = None  # started by natslint.program.main for `natslint server`
shake = None  # natslint.lsp.handshake.Handshake: what main() read and answered before pygls loaded


class FirstCheck:
    def __init__(self, root: str, pid: int, fd: int) -> None:
        self.root, self.pid, self.fd = root, pid, fd

    def take(self, root: str) -> dict[str, list[dict]] | None:
        """The diagnostics by URI, when the child checked ``root`` and succeeded; else None."""
        try:
            if os.path.abspath(root) != os.path.abspath(self.root):
                os.kill(self.pid, signal.SIGTERM)
                return None
            with os.fdopen(self.fd, "rb") as fh:
                return json.loads(fh.read() or b"null")
        except (OSError, ValueError):
            return None
        finally:
            try:
                os.waitpid(self.pid, 0)
            except OSError:
                pass


def start() -> FirstCheck | None:
    """Fork a child that checks the working folder as `natslint server` would."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return FirstCheck(os.getcwd(), pid, read)
    os.close(read)  # the child: never touches stdin or stdout, which are the client's
    os.environ["NATSLINT_JOBS"] = "1"  # the server loading beside it takes the other core
    code = 0
    try:
        payload = json.dumps(_diagnostics(os.getcwd())).encode()
    except BaseException:  # a config error, anything: the server checks again and says it
        payload, code = b"null", 1
    try:
        with os.fdopen(write, "wb") as fh:
            fh.write(payload)
    finally:
        os._exit(code)


def _diagnostics(root: str) -> dict[str, list[dict]]:
    from natslint.lsp.wire import by_file
    from natslint.workspace import run_check, settings_for

    settings, resolver = settings_for(["."])
    return by_file(run_check(["."], settings, resolver).findings, root)
