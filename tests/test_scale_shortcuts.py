"""The shortcuts that keep large fleets fast must never change an answer: each is checked
against the slow path it skips."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from natslint.check import Settings, check_paths
from natslint.paths import RealPaths
from natslint.syntax import lalr as P
from natslint.syntax import lexer as lx
from natslint.syntax.parser import parse_text
from tests.shared import shared_json, shared_path

FRAGMENTS = ["a", "b", " ", "\n", "=", ":", "{", "}", "[", "]", ",", ";", "# c\n", '"s"', "1", "1k",
             "$a", "true", "include x.conf\n", "(\nx\n)\n", "m { a }", "k: 1\n"]


@settings(max_examples=int(os.environ.get("NATSLINT_FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=20).map("".join))
def test_the_dangling_key_shortcut_agrees_with_the_automaton(text):
    tokens = lx.lex(text).tokens
    if P._may_dangle(tokens):
        return
    states, state0, end = P._table()
    # the automaton itself, run without the shortcut: it must find nothing either
    original = P._may_dangle
    try:
        P._may_dangle = lambda _tokens: True
        try:
            assert P.dangling_keys(tokens) == set()
        except P.GrammarMismatch:
            pass  # the caller treats a mismatch as "no dangling key" too
    finally:
        P._may_dangle = original


ENTRY_FRAGMENTS = FRAGMENTS + ["key", "k1", "include", "INCLUDE", " = ", ": ", "\t", '"a b"', '"a\\tb"', "'",
                               "$v", "on", "Off", "x'y", "w\\x41", "a.b", "-", "_", '"\n"', "\r\n", "\x00",
                               "é", "\v", "}", "//c\n", "a{b", "1m30s"]


def _lexed(text: str, fast: bool) -> tuple:
    r = lx.lex(text, fast=fast)
    tokens = [(t.kind, t.value, t.start, t.end, t.emit_pos, t.style, t.escaped) for t in r.tokens]
    error = None if r.error is None else (r.error.message, r.error.offset, r.error.go_line)
    return tokens, [(c.start, c.end, c.text) for c in r.comments], error, r.eof_go_pos


@settings(max_examples=int(os.environ.get("NATSLINT_FUZZ_EXAMPLES", "300")) * 3, deadline=None)
@given(st.lists(st.sampled_from(ENTRY_FRAGMENTS), min_size=1, max_size=24).map("".join))
def test_the_one_match_entry_lexes_as_the_states_do(text):
    assert _lexed(text, fast=True) == _lexed(text, fast=False)


def test_the_one_match_entry_agrees_on_every_reference_text(monkeypatch):
    taken: list[bool] = []
    original = lx.Lexer.fast_entry
    monkeypatch.setattr(lx.Lexer, "fast_entry", lambda self: taken.append(original(self)) or taken[-1])
    corpus = shared_path("corpus", "nats-server")
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(corpus.rglob("*"))
             if p.is_file()]
    texts += [case["input"] for case in shared_json("corpus", "nats-conf-edge-cases.json")["cases"]]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    texts += [p.read_text(encoding="utf-8") for p in sorted(fixtures.rglob("*.conf"))]
    assert len(texts) > 150
    for text in texts:
        assert _lexed(text, fast=True) == _lexed(text, fast=False), text[:200]
    assert taken.count(True) > 1000  # the texts do take the one-match path


def test_a_dangling_key_is_still_found():
    doc = parse_text("m { a }\n")
    assert [(f.code, f.span.line, f.span.col) for f in doc.findings] == [("NL006", 1, 5)]


def test_realpath_per_folder_agrees_with_os_realpath(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_text("")
    (tmp_path / "lnk").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "up").symlink_to("a/b/../..")
    (tmp_path / "a" / "b" / "fl").symlink_to("f")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    for rel in ["a/b/f", "lnk/f", "lnk/../x", "up/a", "a/b/fl", "missing/x/../y", "a//b/./f", "loop1/x",
                "a/b/f/x", "lnk/", "a/b/fl/..", ""]:
        path = os.path.join(str(tmp_path), rel)
        assert RealPaths()(path) == os.path.realpath(path), rel


def write(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body)


HUB = "server_name: {n}\njetstream {{ domain: {d}, store_dir: /d/{n} }}\nleafnodes {{ port: 7422 }}\n"
LEAF = ("server_name: {n}\njetstream {{ domain: {n}, store_dir: /d/{n} }}\n"
        "leafnodes {{ remotes: [ {{ url: \"nats-leaf://{hub}:7422\" }} ] }}\n")


def test_a_typo_is_matched_to_a_domain_the_host_is_linked_to(tmp_path, monkeypatch):
    # `regoin-2` is closer to the typo `regoin-1` than `region-1`, but only `region-1` is linked
    write(tmp_path, {
        "hub1.conf": HUB.format(n="hub1", d="region-1"),
        "hub2.conf": HUB.format(n="hub2", d="regoin-2"),
        "edge.conf": LEAF.format(n="edge", hub="hub1"),
        "edge.env": "WASMCLOUD_LATTICE=default\nWASMCLOUD_NATS_HOST=edge\nWASMCLOUD_JS_DOMAIN=regoin-1\n",
    })
    found = [f for f in check_paths(["."], Settings(), root=str(tmp_path)).findings if f.code == "NL301"]
    assert [(f.span.path, f.span.line) for f in found] == [("edge.env", 3)]
    assert "did you mean `region-1`?" in found[0].notes
    assert found[0].fix == "set WASMCLOUD_JS_DOMAIN=region-1"


def test_an_include_shared_by_many_servers_is_reported_once(tmp_path, monkeypatch):
    write(tmp_path, {"shared.inc": "accounts { A { users: [ { user: a, passwd: x } ] } }\nbogus_option: 1\n"})
    for i in range(5):
        write(tmp_path, {f"s{i}.conf": f"server_name: s{i}\ninclude shared.inc\n"})
    got = sorted((f.code, f.span.path, f.span.line) for f in check_paths(["."], Settings(), root=str(tmp_path)).findings)
    assert got == [("NL101", "shared.inc", 1), ("NL101", "shared.inc", 2)]


def star(root: Path, leaves: int, host_domain: str) -> None:
    routes = "cluster { name: hub, port: 6222, routes: [nats://hub1:6222, nats://hub2:6222, nats://hub3:6222] }\n"
    write(root, {f"hub{i}.conf": HUB.format(n=f"hub{i}", d="hub") + routes for i in (1, 2, 3)})
    for i in range(leaves):
        write(root, {f"edge/e{i}.conf": LEAF.format(n=f"e{i}", hub=f"hub{i % 3 + 1}"),
                     f"hosts/e{i}.env": f"WASMCLOUD_NATS_HOST=e{i}\nWASMCLOUD_JS_DOMAIN={host_domain}\n"})


def test_a_domain_nobody_near_carries_is_answered_without_walking_the_region(tmp_path, monkeypatch):
    from natslint.fleet.reach import Reach

    star(tmp_path, 30, "nope")
    walked = []
    original = Reach._maps
    monkeypatch.setattr(Reach, "_maps", lambda self, s, acc, d: walked.append(d) or original(self, s, acc, d))
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert sorted((f.code, f.span.path, f.span.line) for f in result.findings) == \
        sorted(("NL301", f"hosts/e{i}.env", 2) for i in range(30))
    assert "nope" not in walked


def test_every_leaf_of_a_star_reaches_the_hub(tmp_path, monkeypatch):
    from natslint.fleet.reach import Reach

    star(tmp_path, 30, "hub")
    result = check_paths(["."], Settings(), root=str(tmp_path))
    assert [f.code for f in result.findings] == []
    reach = Reach(result.fleet)
    got = {h.label: [js.label for js in reach.host_jetstreams(h)] for h in result.fleet.hosts}
    assert len(got) == 30
    assert set(map(tuple, got.values())) == {("the JetStream of cluster `hub` (hub1, hub2, hub3)",)}
