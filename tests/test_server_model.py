"""One config -> one Server: options read as nats-server reads them (aliases, case, last wins)."""

from __future__ import annotations

import pytest

from natslint.fleet.servers import server_from_document
from natslint.fleet.values import opt
from natslint.syntax.parser import parse_text


def server(text: str):
    return server_from_document(parse_text(text, "s.conf"), "s.conf")


@pytest.mark.parametrize("text, store, leaf_port", [
    ("jetstream { store_dir: /y\n store: /x\n storedir: /z\n}\nleafnodes { port: 1 }\nleaf { port: 2 }\n", "/z", 2),
    ("jetstream { storedir: /z\n store_dir: /y\n}\nleaf { port: 2 }\nleafnodes { port: 1 }\n", "/y", 1),
    ("JetStream { Store_Dir: /q }\nLeafNodes { PORT: 7 }\n", "/q", 7),
])
def test_aliases_both_set_the_one_written_last_wins(text, store, leaf_port):
    s = server(text)
    assert s.store_dir.value == store
    assert [li.port for li in s.listeners if li.kind == "leafnode"] == [leaf_port]


def test_opt_matches_case_insensitively_and_skips_non_maps():
    root = parse_text("Server_Name: a\nserver_name: b\n").root
    assert opt(root, "server_name").value.value == "b"
    assert opt(None, "server_name") is None
    assert opt(root, "missing", "also_missing") is None


def test_a_fresh_copy_reads_its_own_startup_refusals():
    from natslint.fleet.startup import refusals_of

    doc = parse_text("port: 4222\nmax_payload: 2MB\nmax_pending: 1MB\n", "s.conf")
    server = server_from_document(doc, doc.path)
    found = refusals_of(server, doc.root)
    assert [r.message for r in found] == ["max_payload (2097152) cannot be higher than max_pending (1048576)"]
    assert refusals_of(server, doc.root) is found  # read once
    copy = server.fresh()
    assert copy.refusals is None
    assert [r.message for r in refusals_of(copy, doc.root)] == [r.message for r in found]
