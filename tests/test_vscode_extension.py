"""The VS Code extension (editors/vscode): its package builds, its own tests pass, and the server
it starts answers it.

VS Code itself cannot run here (@vscode/test-electron downloads VS Code from Microsoft's update
servers, which this network does not reach), so the extension is tested in three parts:
`npm test` (how it finds natslint, what it shows findings for, its grammar tokenizing a config
with the real vscode-textmate), `vsce package` (the .vsix and what it carries), and a scripted
LSP client that starts the command the extension's resolver chooses, as the extension does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from shared import missing

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "editors" / "vscode"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(f"{name} is not installed (Node.js and npm build the VS Code extension)")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The extension copied out of the tree, its locked dependencies installed (npm ci)."""
    _tool("node")
    npm = _tool("npm")
    where = tmp_path_factory.mktemp("vscode") / "natslint"
    shutil.copytree(EXTENSION, where, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=where, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        missing(f"npm ci failed (the npm registry unreachable?): {done.stderr.strip()[-400:]}")
    return where


def test_the_extensions_own_tests_pass(built):
    done = subprocess.run([shutil.which("npm"), "test"], cwd=built, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 test groups passed" in done.stdout


def test_the_package_builds_with_what_it_needs_and_nothing_else(built):
    done = subprocess.run([shutil.which("npx"), "vsce", "package", "--skip-license", "--out", "natslint.vsix"],
                          cwd=built, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(built / "natslint.vsix") as vsix:
        names = {n if "/node_modules/" in n else n.lower() for n in vsix.namelist()}
        manifest = json.loads(vsix.read("extension/package.json"))
    for needed in ("extension/extension.js", "extension/syntaxes/nats.tmlanguage.json",
                   "extension/language-configuration.json", "extension/readme.md",
                   "extension/node_modules/vscode-languageclient/package.json", "extension.vsixmanifest"):
        assert needed in names, needed
    assert not any(n.startswith(("extension/test/", "extension/node_modules/@vscode/vsce/")) or n.endswith(".gitignore")
                   for n in names)
    assert manifest["main"] == "./extension.js" and manifest["publisher"] == "natslint"


def _resolved(root: Path) -> dict:
    """The command the extension chooses for a workspace, from extension.js itself."""
    node = _tool("node")
    script = ("const {resolveServer} = require(process.argv[1]);"
              "console.log(JSON.stringify(resolveServer({}, [process.argv[2]], undefined)));")
    done = subprocess.run([node, "-e", script, str(EXTENSION / "extension.js"), str(root)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read(stream) -> dict:
    length = 0
    while (line := stream.readline().strip()) != b"":
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def test_the_server_the_extension_starts_answers_it(tmp_path):
    """A workspace with its own .venv/bin/natslint: the extension picks it, and that server
    answers `initialize` and publishes NL202 for the leaf config opened as language `nats`."""
    shutil.copytree(ROOT / "fixtures" / "compose-leaf-reuses-domain", tmp_path / "ws")
    ws = tmp_path / "ws"
    launcher = ws / ".venv" / "bin" / "natslint"
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m natslint \"$@\"\n")
    launcher.chmod(0o755)
    server = _resolved(ws)
    assert server == {"command": str(launcher), "args": ["server"], "why": "the workspace's .venv"}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([server["command"], *server["args"]], cwd=ws, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": ws.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": ws.as_uri(), "name": "ws"}]}}))
        proc.stdin.flush()
        answer = _read(proc.stdout)
        caps = answer["result"]["capabilities"]
        assert caps["textDocumentSync"] and caps["hoverProvider"] and caps["codeActionProvider"]
        leaf = ws / "nats" / "leaf-b.conf"
        for message in ({"jsonrpc": "2.0", "method": "initialized", "params": {}},
                        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                            "uri": leaf.as_uri(), "languageId": "nats", "version": 1, "text": leaf.read_text()}}}):
            proc.stdin.write(_frame(message))
        proc.stdin.flush()
        codes = None
        for _ in range(50):
            message = _read(proc.stdout)
            if message.get("method") == "textDocument/publishDiagnostics" and \
                    message["params"]["uri"] == leaf.as_uri():
                codes = [(d["code"], d["range"]["start"]["line"] + 1) for d in message["params"]["diagnostics"]]
                break
        assert codes == [("NL202", 6)]
    finally:
        proc.kill()
        proc.wait()
