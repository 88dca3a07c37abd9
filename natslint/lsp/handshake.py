"""The language server's `initialize`, answered before the protocol library has loaded.

Loading pygls and lsprotocol takes longer than checking a small workspace.  So the program
reads the client's first message itself: when it is `initialize`, it answers with the
capabilities pygls would announce (the same JSON; a test holds them equal), and publishes the
first check's diagnostics (natslint.lsp.first, plain JSON) from a thread as soon as the child
that made them is done, while the main thread goes on loading pygls.  pygls then reads the same
`initialize` again (replayed from memory) to set itself up, and its own answer to it is dropped:
the client gets one.  Nothing here imports pygls or lsprotocol.
"""

from __future__ import annotations

import json
import threading
from typing import BinaryIO

from natslint import __version__

# what pygls 2 announces for the features natslint.lsp.server registers (test_lsp holds it equal)
_CAPABILITIES = {
    "textDocumentSync": {"openClose": True, "change": 2, "willSave": False, "willSaveWaitUntil": False,
                         "save": True},
    "completionProvider": {},
    "hoverProvider": True,
    "codeActionProvider": {"codeActionKinds": ["quickfix"]},
    "executeCommandProvider": {"commands": []},
    "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True},
                  "fileOperations": {}},
}
_ENCODINGS = ("utf-8", "utf-16", "utf-32")  # what pygls supports, as the client may prefer them


def capabilities(client: dict) -> dict:
    """The server capabilities answered to a client with ``client`` capabilities."""
    encoding = "utf-16"
    for wanted in ((client.get("general") or {}).get("positionEncodings") or ()):
        if wanted in _ENCODINGS:
            encoding = wanted
            break
    return {"positionEncoding": encoding, **_CAPABILITIES}


def read_message(stream: BinaryIO) -> tuple[bytes, dict | None]:
    """One JSON-RPC message: its raw bytes (headers too) and its body (None when unreadable)."""
    raw, length = b"", None
    while True:
        line = stream.readline()
        raw += line
        if not line or line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip() or 0)
    if length is None:
        return raw, None
    body = stream.read(length)
    raw += body
    try:
        return raw, json.loads(body)
    except ValueError:
        return raw, None


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Replay:
    """stdin with the bytes already read put back in front (pygls reads lines and blocks)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.prefix, self.stream = prefix, stream

    def readline(self) -> bytes:
        if not self.prefix:
            return self.stream.readline()
        cut = self.prefix.find(b"\n")
        if cut < 0:
            line, self.prefix = self.prefix, b""
            return line + self.stream.readline()
        line, self.prefix = self.prefix[:cut + 1], self.prefix[cut + 1:]
        return line

    def read(self, n: int) -> bytes:
        head, self.prefix = self.prefix[:n], self.prefix[n:]
        return head + (self.stream.read(n - len(head)) if len(head) < n else b"")


class DropAnswer:
    """stdout that drops pygls' answer to the `initialize` already answered here."""

    def __init__(self, stream: BinaryIO, answered: object) -> None:
        self.stream, self.answered = stream, answered

    def write(self, data: bytes) -> None:
        if self.answered is not None and b'"result"' in data:
            body = data.split(b"\r\n\r\n", 1)[-1]
            try:
                message = json.loads(body)
            except ValueError:
                message = None
            if isinstance(message, dict) and message.get("id") == self.answered and "result" in message:
                self.answered = None
                return
        self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()


class Handshake:
    """What was read and answered before pygls loaded, and the first diagnostics published."""

    def __init__(self, prefix: bytes, answered: object = None) -> None:
        self.prefix, self.answered = prefix, answered
        self.published: dict[str, list[dict]] | None = None
        self.root: str | None = None
        self._thread: threading.Thread | None = None

    def wait(self) -> None:
        """Until the first diagnostics are out (before pygls writes anything)."""
        if self._thread is not None:
            self._thread.join()


def _root(params: dict) -> str | None:
    from urllib.parse import unquote, urlparse

    folders = params.get("workspaceFolders") or []
    uri = folders[0].get("uri") if folders and isinstance(folders[0], dict) else params.get("rootUri")
    if uri:
        return unquote(urlparse(uri).path)
    return params.get("rootPath")


def early_initialize(stdin: BinaryIO, stdout: BinaryIO, early) -> Handshake:
    """Read the client's first message; answer it when it is `initialize`, and publish the first
    check (``early``, natslint.lsp.first) from a thread once it is done."""
    raw, message = read_message(stdin)
    if not isinstance(message, dict) or message.get("method") != "initialize" or "id" not in message:
        return Handshake(raw)  # pygls reads it as it is, and answers it
    params = message.get("params") or {}
    shake = Handshake(raw, message["id"])
    stdout.write(_frame({"jsonrpc": "2.0", "id": message["id"], "result": {
        "capabilities": capabilities(params.get("capabilities") or {}),
        "serverInfo": {"name": "natslint", "version": __version__}}}))
    stdout.flush()
    shake.root = _root(params)
    if early is not None and shake.root:
        def publish() -> None:
            got = early.take(shake.root)
            if got is None:
                return
            for uri, diagnostics in sorted(got.items()):
                stdout.write(_frame({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                                     "params": {"uri": uri, "diagnostics": diagnostics}}))
            stdout.flush()
            shake.published = got

        shake._thread = threading.Thread(target=publish, name="natslint-first-diagnostics", daemon=True)
        shake._thread.start()
    return shake
