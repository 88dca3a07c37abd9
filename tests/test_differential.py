"""Differential tests: natslint's syntax verdict equals the real `nats-server -t`'s.

Hypothesis builds documents from the fragments that make the format tricky and mutates
corpus files.  Wherever `-t` fails for a syntax reason, natslint must fail too, with the
same "Parse error on line N: '...'" text; wherever `-t` gets past the parser, natslint
must parse.  NATSLINT_FUZZ_EXAMPLES raises the example count.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from shared import SHARED

from natslint.syntax.parser import parse_file

pytestmark = pytest.mark.differential

# Messages that mean the conf parser (not option processing) rejected the file.
SYNTAX_MARKERS = ("Parse error on line", "config is invalid", "variable reference", "error parsing include file",
                  "is out of the range", "expected integer", "expected float", "expected Zulu", "BUG in")

FRAGMENTS = [
    "a", "b", "port", "x.y", "m", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "=", ":", "{", "}", "[", "]",
    ",", ";", "#", "# c\n", "//", "/", '"', "'", '"s"', "'s'", "1", "22", "-", "-1", "1k", "2GB", "1kbb",
    "1.5", "1.", "127.0.0.1", "0.0.0.0:4222", "5m", "1m30s", "$a", "$", "true", "No", "(", ")", "(\nx\n)\n",
    "\\", "\\t", "\\x41", "include", "include ", "2016-05-04T18:53:41Z", "2016-", "é", "\u00a0", "nats://u:p@h:4222",
    "\x00", "}}", "{{", "[1 ,2 ]", "{a=1}",
]


def server_verdict(binary: str, path: Path) -> tuple[bool, str]:
    """(parsed, message): parsed is False when -t failed for a syntax reason."""
    proc = subprocess.run([binary, "-t", "-c", str(path)], capture_output=True, env={}, timeout=20,
                          cwd=path.parent)
    out = (proc.stdout + proc.stderr).decode("utf-8", "surrogateescape")
    if proc.returncode == 0:
        return True, ""
    first = out.split("\n", 1)[0]  # the message itself may hold a CR
    if first.startswith("nats-server: "):
        first = first[len("nats-server: "):]
    if any(m in first for m in SYNTAX_MARKERS) and "unknown field" not in first:
        return False, first
    return True, first


@functools.lru_cache(maxsize=None)
def binary_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20).stdout
    return out.strip().rsplit(" ", 1)[-1].lstrip("v")


def agree(binary: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.conf"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        parsed, message = server_verdict(binary, path)
        doc = parse_file(str(path), env={}, nats_version=binary_version(binary))
    ours = doc.server_error
    assert (ours is None) == parsed, f"input {text!r}: nats-server says {message!r}, natslint says {ours!r}"
    if not parsed and message.startswith("Parse error on line"):
        assert ours == message.replace(str(path), "p.conf"), f"input {text!r}"
        # NL001 says the server's own words (the NUL it prints for the end of the file made visible)
        said = message.split(": '", 1)[1][:-1].replace("\x00", "\\u0000")
        nl001 = [f.message for f in doc.findings if f.code == "NL001"]
        assert said in nl001, f"input {text!r}: nats-server says {said!r}, NL001 says {nl001!r}"


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=24).map("".join))
@example("a = [1, 2]\n")
@example("{ {a=1}, b=2}\n")
@example("{a=1} ; b=2\n")
@example("a = (\r\nx\r\n)\r\nb = 2\r\n")
@example("m { a }\n")
@example("include \"\x00\n")
@example("include 'a\x00b'\n")
def test_generated_documents_agree(nats_server, text):
    agree(nats_server, text)


def _corpus_files() -> list[Path]:
    base = SHARED / "corpus" / "nats-server"
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.conf") if b"include" not in p.read_bytes())


CORPUS = _corpus_files()


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus/nats-server is absent (it lives beside the repo)")
@given(st.data())
def test_mutated_corpus_files_agree(nats_server, data):
    path = data.draw(st.sampled_from(CORPUS), label="file")
    text = path.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, len(text)), label="at")
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="op")
        frag = data.draw(st.sampled_from(FRAGMENTS), label="fragment")
        if op == "insert":
            text = text[:at] + frag + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + len(frag):]
        else:
            text = text[:at] + frag + text[at + 1:]
    agree(nats_server, text)


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus/nats-server is absent (it lives beside the repo)")
def test_every_corpus_file_verdict_agrees(nats_server):
    for path in CORPUS:
        agree(nats_server, path.read_text(encoding="utf-8"))
