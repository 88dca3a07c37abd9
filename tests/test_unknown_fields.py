"""NL101 agrees with `nats-server -t` on unknown fields, key by key (same line and column)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared import SHARED

from natslint.check import Settings, check_paths

pytestmark = pytest.mark.differential
UNKNOWN = re.compile(r'(?:nats-server: )?(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?:error parsing tls config, )?'
                     r'unknown field "(?P<key>[^"]*)"')
CORPUS = SHARED / "corpus" / "nats-server"
FILES = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.conf")) if CORPUS.is_dir() else []


def server_unknowns(binary: str, path: str, cwd: Path) -> set[tuple[str, int, int, str]]:
    proc = subprocess.run([binary, "-t", "-c", path], capture_output=True, text=True, cwd=cwd, env={}, timeout=20)
    return {(m["path"], int(m["line"]), int(m["col"]), m["key"]) for m in UNKNOWN.finditer(proc.stdout + proc.stderr)}


def our_unknowns(path: str, cwd: Path, monkeypatch) -> set[tuple[str, int, int, str]]:
    result = check_paths([path], Settings(env={}, env_visible=True), root=str(cwd))
    out = set()
    for f in result.findings:
        if f.code == "NL101":
            key = re.match(r'.*?unknown field "([^"]*)"', f.message).group(1)
            go_col = f.span.col - 1 if f.span.line == 1 else f.span.col  # the server's column
            out.add((f.span.path, f.span.line, go_col, key))
    return out


@pytest.mark.skipif(not FILES, reason="../shared/corpus/nats-server is absent (it lives beside the repo)")
@pytest.mark.parametrize("rel", FILES)
def test_corpus_unknown_fields_match_nats_server(rel, nats_server, monkeypatch):
    theirs = server_unknowns(nats_server, rel, CORPUS)
    ours = our_unknowns(rel, CORPUS, monkeypatch)
    # natslint also checks the files a config includes, on their own; -t only follows includes
    ours = {o for o in ours if o[0] == rel or any(t[0] == o[0] for t in theirs)}
    assert ours == theirs


BLOCKS = {
    "": "port: 4222\n{KEY}: 1\n",
    "jetstream": "jetstream {\n  store_dir: /tmp/x\n  {KEY}: 1\n}\n",
    "cluster": "cluster {\n  name: c\n  {KEY}: 1\n}\n",
    "leafnodes": "leafnodes {\n  port: 7422\n  {KEY}: 1\n}\n",
    "remote": "leafnodes {\n  remotes: [\n    { url: \"nats://h:7422\", {KEY}: 1 }\n  ]\n}\n",
    "websocket": "websocket {\n  port: 8080\n  no_tls: true\n  {KEY}: 1\n}\n",
}
KEYS = ["port", "domain", "js_domain", "store_dir", "name", "routes", "listen", "max_mem", "server_name", "urls",
        "Port", "DOMAIN", "account", "hub", "no_advertise", "authorization", "compression", "bogus", "storedir",
        "max_memory", "ping_interval", "leaf", "trace", "max_file_store"]


@given(st.sampled_from(sorted(BLOCKS)), st.sampled_from(KEYS))
def test_misplaced_keys_agree_with_nats_server(nats_server, block, key):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.conf"
        text = BLOCKS[block].replace("{KEY}", key)
        if key.lower() in ("authorization", "compression", "leaf", "routes", "urls"):
            text = text.replace(f"{key}: 1", f"{key}: {{}}" if key.lower() != "routes" and key.lower() != "urls"
                                else f"{key}: []")
        path.write_text(text)
        theirs = server_unknowns(nats_server, "p.conf", Path(tmp))
        result = check_paths(["p.conf"], Settings(env={}, env_visible=True), root=tmp)
        ours = {(f.span.path, f.span.line, f.span.col - 1 if f.span.line == 1 else f.span.col,
                 re.match(r'.*?unknown field "([^"]*)"', f.message).group(1))
                for f in result.findings if f.code == "NL101"}
        assert ours == theirs, text
