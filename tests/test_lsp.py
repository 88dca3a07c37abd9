"""`natslint server` end to end, with a real LSP client (pytest-lsp) on a fixture fleet:
diagnostics, one file's edit changing another's, code actions, hover, completion, shutdown, and
after every edit of a random sequence the same findings as a cold `natslint check`."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed (pip install '.[test]')")

from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import client_capabilities, make_test_lsp_client  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class Session:
    def __init__(self, root: Path, *, file_events: bool = True) -> None:
        self.root = root
        self.client = make_test_lsp_client()
        self.versions: dict[str, int] = {}
        self.file_events = file_events  # False: a client that sends no file events (Neovim on Linux)

    async def __aenter__(self) -> "Session":
        await self.client.start_io(sys.executable, "-m", "natslint", "server",
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        caps = client_capabilities("visual-studio-code")
        if not self.file_events:
            caps.workspace.did_change_watched_files = None
        await self.client.initialize_session(lsp.InitializeParams(
            capabilities=caps, root_uri=self.root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=self.root.as_uri(), name="fleet")]))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.shutdown_session()

    def uri(self, path: str) -> str:
        return (self.root / path).as_uri()

    def diagnostics(self) -> dict[str, list[tuple[int, int, str]]]:
        return {os.path.relpath(uri[len("file://"):], self.root): sorted(
            (d.range.start.line + 1, d.range.start.character + 1, str(d.code)) for d in ds)
            for uri, ds in self.client.diagnostics.items() if ds}

    async def settle(self, condition, timeout: float = 30.0) -> dict:
        """Wait until the published diagnostics meet ``condition``."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            got = self.diagnostics()
            if condition(got):
                return got
            await asyncio.sleep(0.05)
        raise AssertionError(f"diagnostics never settled: {self.diagnostics()}")

    def open(self, path: str) -> None:
        self.versions[path] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=self.uri(path), language_id="nats", version=1, text=(self.root / path).read_text())))

    def change(self, path: str, text: str) -> None:
        self.versions[path] = self.versions.get(path, 1) + 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri(path), version=self.versions[path]),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))


@pytest.fixture()
def fleet(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "fixtures" / "compose-lattice", tmp_path / "fleet")
    return tmp_path / "fleet"


@pytest.mark.asyncio
async def test_diagnostics_follow_an_edit_into_other_files_and_a_fix_applies(fleet):
    async with Session(fleet) as s:
        await s.settle(lambda got: True)
        await asyncio.sleep(0.5)
        assert s.diagnostics() == {}  # a correct fleet
        hub = "nats/hub-1.conf"
        s.open(hub)
        text = (fleet / hub).read_text()
        s.change(hub, text.replace("port: 7422", "port: 7423"))  # unsaved: the buffer counts
        # each file's diagnostics come in a notification of their own: wait for both leaves
        got = await s.settle(lambda g: {"nats/leaf-a.conf", "nats/leaf-b.conf"} <= set(g))
        # the leaves' first URL is dead now (they connect through hub-2): in their files, not the hub's
        assert got == {"nats/leaf-a.conf": [(12, 15, "NL402")], "nats/leaf-b.conf": [(12, 15, "NL402")]}
        (diag,) = s.client.diagnostics[s.uri("nats/leaf-a.conf")]
        assert diag.severity == lsp.DiagnosticSeverity.Warning and diag.source == "natslint"
        assert "the leaf connects through nats-leaf://hub-2:7422 instead" in diag.message
        assert diag.code_description.href.endswith("/rules/NL402-leaf-remote-no-listener.md")
        assert diag.related_information and diag.related_information[0].location.uri == s.uri(hub)
        s.change(hub, text)  # undone: every file is clean again
        await s.settle(lambda g: g == {})
        # a typo with a fix: the code action's edit, applied, clears it
        s.change(hub, text.replace("  domain: hub", "  domian: hub"))
        got = await s.settle(lambda g: hub in g)
        assert (7, 3, "NL101") in got[hub]
        line = next(ln for ln, _, c in got[hub] if c == "NL101") - 1
        acts = await s.client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri(hub)),
            range=lsp.Range(start=lsp.Position(line=line, character=0), end=lsp.Position(line=line, character=0)),
            context=lsp.CodeActionContext(diagnostics=[])))
        titles = [a.title for a in acts]
        assert titles == ["rename `domian` to `domain` (NL101)", "Suppress NL101 on this line"]
        (edit,) = acts[0].edit.changes[s.uri(hub)]
        lines = text.replace("  domain: hub", "  domian: hub").split("\n")
        row = lines[edit.range.start.line]
        lines[edit.range.start.line] = row[:edit.range.start.character] + edit.new_text + row[edit.range.end.character:]
        assert "\n".join(lines) == text
        (suppress,) = acts[1].edit.changes[s.uri(hub)]
        assert suppress.new_text == "  # natslint: ignore[NL101]"
        s.change(hub, "\n".join(lines))
        await s.settle(lambda g: g == {})


@pytest.mark.asyncio
async def test_a_clean_file_opened_gets_an_empty_list(fleet):
    async with Session(fleet) as s:
        await s.settle(lambda got: True)
        s.open("nats/hub-2.conf")
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while s.uri("nats/hub-2.conf") not in s.client.diagnostics and loop.time() < end:
            await asyncio.sleep(0.05)
        published = s.client.diagnostics.get(s.uri("nats/hub-2.conf"))
        assert published is not None and list(published) == []  # checked, and clean


@pytest.mark.asyncio
async def test_a_client_without_file_events_still_sees_edits_made_on_disk(fleet):
    async with Session(fleet, file_events=False) as s:
        await s.settle(lambda got: True)
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while not any("watching the workspace" in m.message for m in s.client.log_messages):
            assert loop.time() < end, "the server never said its own watcher runs"
            await asyncio.sleep(0.05)
        leaf = fleet / "nats" / "leaf-a.conf"
        text = leaf.read_text()
        leaf.write_text(text.replace("server_name:", "sever_name_typo: x\nserver_name:", 1))  # outside the editor
        got = await s.settle(lambda g: "nats/leaf-a.conf" in g)
        assert [c for _, _, c in got["nats/leaf-a.conf"]] == ["NL101"]
        leaf.write_text(text)
        await s.settle(lambda g: g == {})


@pytest.mark.asyncio
async def test_hover_and_completion_answer(fleet):
    async with Session(fleet) as s:
        path = "nats/leaf-a.conf"
        s.open(path)
        await s.settle(lambda g: True)
        lines = (fleet / path).read_text().split("\n")
        row = next(i for i, ln in enumerate(lines) if ln.strip().startswith("domain:"))
        col = lines[row].index("domain")
        await asyncio.sleep(0.3)
        hover = await s.client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri(path)), position=lsp.Position(line=row, character=col + 1)))
        assert hover is not None and hover.contents.value.startswith("**`domain`** in jetstream")
        assert "docs.nats.io" in hover.contents.value and "type: string" in hover.contents.value
        completion = await s.client.text_document_completion_async(lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri(path)), position=lsp.Position(line=row, character=col)))
        names = {i.label for i in completion.items}
        assert {"domain", "store_dir", "max_memory_store"} <= names and "leafnodes" not in names  # jetstream's block
        # a key being typed on a new line inside `jetstream { }`: the buffer does not parse, and the
        # block's options are offered, not the top level's
        typing = "nats/typing.conf"
        (fleet / typing).write_text("server_name: t\njetstream {\n  store_dir: /data\n}\n")
        s.open(typing)
        s.change(typing, "server_name: t\njetstream {\n  store_dir: /data\n  ma\n}\n")
        await asyncio.sleep(0.3)
        completion = await s.client.text_document_completion_async(lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri(typing)), position=lsp.Position(line=3, character=4)))
        names = {i.label for i in completion.items}
        assert {"domain", "max_memory_store"} <= names and "leafnodes" not in names
        # a $VAR: where its value comes from
        var = "nats/vars.conf"
        (fleet / var).write_text("ROOT_DIR: /data\nserver_name: v\njetstream { store_dir: $ROOT_DIR, domain: $DOM }\n")
        s.open(var)
        await asyncio.sleep(0.5)
        for col, said in ((27, "`$ROOT_DIR` is defined in the config, at line 1"),
                          (43, "`$DOM` is defined nowhere natslint can see")):
            hover = await s.client.text_document_hover_async(lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=s.uri(var)), position=lsp.Position(line=2, character=col)))
            assert hover is not None and hover.contents.value.startswith(said), (col, hover)


def _cold(root: Path) -> dict[str, list[tuple[int, int, str]]]:
    proc = subprocess.run([sys.executable, "-m", "natslint", "check", ".", "--format", "json"], cwd=root,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    out: dict[str, list] = {}
    for f in json.loads(proc.stdout)["findings"]:
        out.setdefault(f["path"], []).append((f["line"], f["column"], f["code"]))
    return {k: sorted(v) for k, v in out.items()}


EDITS = [("nats/hub-1.conf", "port: 7422", "port: 7423"), ("nats/leaf-b.conf", "domain: leaf-b", "domain: hub"),
         ("nats/hub-2.conf", "domain: hub", "domian: hub"), ("docker-compose.yml", "WASMCLOUD_JS_DOMAIN=hub",
                                                               "WASMCLOUD_JS_DOMAIN=hubb"),
         ("nats/leaf-a.conf", "leafnodes {", "leafnodes {{")]


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_after_every_edit_the_server_equals_a_cold_check(fleet, seed):
    rng = random.Random(seed)
    originals = {p: (fleet / p).read_text() for p, _, _ in EDITS}
    async with Session(fleet) as s:
        for p in originals:
            s.open(p)
        for _ in range(6):
            path, old, new = rng.choice(EDITS)
            current = (fleet / path).read_text()
            text = current.replace(old, new) if old in current else originals[path]
            (fleet / path).write_text(text)  # saved: a cold check reads the same files
            s.change(path, text)
            expected = _cold(fleet)
            await s.settle(lambda g: g == expected)


def test_watch_checks_again_when_a_file_changes(fleet):
    _watch_session(fleet, [])


def test_watch_keeps_the_baseline_on_every_check(fleet):
    hub = fleet / "nats" / "hub-2.conf"
    hub.write_text(hub.read_text().replace("  domain: hub", "  domian: hub"))
    subprocess.run([sys.executable, "-m", "natslint", "check", ".", "--write-baseline", "base.json"], cwd=fleet,
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _watch_session(fleet, ["--baseline", "base.json"])


def _watch_session(fleet, extra: list[str]):
    import queue
    import threading
    import time

    proc = subprocess.Popen([sys.executable, "-m", "natslint", "check", ".", "--watch", *extra], cwd=fleet,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def read_until(marker: str, timeout: float = 60.0) -> str:
        seen, end = "", time.monotonic() + timeout
        while marker not in seen and time.monotonic() < end:
            try:
                seen += lines.get(timeout=0.5)
            except queue.Empty:
                pass
        assert marker in seen, seen
        return seen

    try:
        first = read_until("Watching for file changes.")
        assert ("No new findings" if extra else "All checks passed") in first and "] 0 findings. Watching" in first, first
        time.sleep(0.5)
        hub = fleet / "nats" / "hub-1.conf"
        hub.write_text(hub.read_text().replace("  domain: hub", "  domian: hub"))
        second = read_until("Watching for file changes.")
        assert "nats/hub-1.conf:7:3: NL101 [*] [error] unknown field \"domian\" in jetstream" in second
        if extra:  # the baseline's known typo in hub-2 stays hidden on the new check too
            assert "nats/hub-2.conf:7:3: NL101" not in second and "Baseline base.json: 1 known (not shown)" in second
        else:
            assert "] 6 findings. Watching for file changes." in second
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("client", ["visual-studio-code", "neovim", "emacs", "neovim@v0.6.1"])
def test_the_early_answer_to_initialize_is_what_pygls_announces(client):
    # natslint.lsp.handshake answers `initialize` before pygls loads: with pygls' own capabilities
    from lsprotocol.converters import get_converter
    from pygls.capabilities import ServerCapabilitiesBuilder

    from natslint.lsp.handshake import capabilities
    from natslint.lsp.server import server

    caps, fm = client_capabilities(client), server.protocol.fm
    built = ServerCapabilitiesBuilder(
        caps, set({**fm.features, **fm.builtin_features}), fm.feature_options, list(fm.commands),
        server._text_document_sync_kind, server._notebook_document_sync,
        ServerCapabilitiesBuilder.choose_position_encoding(caps)).build()
    converter = get_converter()
    assert capabilities(converter.unstructure(caps)) == converter.unstructure(built)


def test_replayed_stdin_and_the_dropped_answer():
    import io

    from natslint.lsp.handshake import DropAnswer, Replay, read_message

    body = b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}'
    first = b"Content-Length: %d\r\n\r\n" % len(body) + body
    rest = b'Content-Length: 2\r\n\r\n{}'
    stdin = io.BytesIO(first + rest)
    raw, message = read_message(stdin)
    assert raw == first and message["method"] == "initialize"
    again = Replay(raw, stdin)  # pygls reads the same bytes, then the rest of the stream
    assert again.readline() == b"Content-Length: %d\r\n" % len(body) and again.readline() == b"\r\n"
    assert again.read(len(body)) == body and again.readline() == b"Content-Length: 2\r\n"
    out = io.BytesIO()
    drop = DropAnswer(out, 1)
    drop.write(b'Content-Length: 30\r\n\r\n{"jsonrpc": "2.0", "id": 1, "result": {}}')  # answered already
    drop.write(b'Content-Length: 30\r\n\r\n{"jsonrpc": "2.0", "id": 2, "result": {}}')
    assert out.getvalue() == b'Content-Length: 30\r\n\r\n{"jsonrpc": "2.0", "id": 2, "result": {}}'
