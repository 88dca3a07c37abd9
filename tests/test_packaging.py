"""The grammar and the rule docs ship with the package; the grammar is built once."""

from __future__ import annotations

import importlib.metadata as md

import pytest

from natslint import resources
from natslint.syntax import lalr as parser


def test_grammar_and_rules_are_found():
    assert "%declare KEY" in resources.grammar_text()
    assert {"NL001", "NL006"} <= set(resources.rule_docs())


def test_installed_wheel_carries_grammar_and_rule_docs():
    try:
        files = [str(f) for f in md.files("natslint") or []]
    except md.PackageNotFoundError:
        pytest.skip("natslint is not installed (run: pip install '.[test]')")
    if any(f.endswith(".pth") for f in files) and not any("natslint/syntax/lexer.py" in f for f in files):
        pytest.skip("an editable install: data files are read from the source tree")
    assert "natslint/_data/grammar/nats.lark" in files
    assert "natslint/_data/rules/NL001-syntax-error.md" in files
    assert "natslint/prove/output.schema.json" in files  # prove --format json's contract
    assert "natslint/data/natslint.schema.json" in files  # the settings' schema, for editors
    assert "natslint/data/reload.json" in files  # what each nats-server version reloads


def test_lalr_table_is_built_once_and_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("NATSLINT_CACHE_DIR", str(tmp_path))
    parser._table.cache_clear()
    first = parser._table()
    assert parser._table() is first  # once per process
    cached = list(tmp_path.glob("natslint/lalr-*.json"))
    assert len(cached) == 1
    parser._table.cache_clear()
    assert parser._table() == first  # the next process reads it back
    parser._table.cache_clear()


def test_fast_driver_agrees_with_lark_on_every_edge_case():
    from shared import load_json_if_present

    from natslint.syntax import lexer

    edge = load_json_if_present("corpus", "nats-conf-edge-cases.json")
    texts = [c["input"] for c in edge["cases"]] if edge else []
    texts += ["m { a }\n", "x { m { a } }\n", "a = [ {b} ]\n", "a\n", "}\n"]
    for text in texts:
        lexed = lexer.lex(text)
        if lexed.error:
            continue
        try:
            tree = parser.token_tree(lexed.tokens)
        except Exception:
            with pytest.raises(parser.GrammarMismatch):
                parser.dangling_keys(lexed.tokens)
            continue
        from_tree = {lexed.tokens.index(raw) for what, raw in parser.ordered(tree) if what == "dangling"}
        assert parser.dangling_keys(lexed.tokens) == from_tree, text
