"""Words a user reads: a finding's message is a one-sentence headline; the why goes into its
notes, which each output carries as its consumer expects (text, JSON, SARIF, annotations)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from natslint import ruledocs
from natslint.check import Settings, check_paths
from natslint.findings import Finding
from natslint.report.github import annotation, escape_data
from natslint.report.json_format import render_json
from natslint.report.sarif import render_sarif
from natslint.report.text import render_text
from natslint.resources import rule_docs

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p.parent for p in (ROOT / "fixtures").glob("*/expected.txt"))
HEADLINE_MAX = 170  # a long server label aside, a headline fits one terminal line or two


def _findings_everywhere(tmp_path: Path) -> list[Finding]:
    found = []
    for fleet in FIXTURES:
        found += check_paths(["."], Settings(env={}, env_visible=True), root=str(fleet)).findings
    for code, path in sorted(rule_docs().items()):
        doc = ruledocs.load(path)
        where = tmp_path / code
        ruledocs.write_fleet(doc.bad, where)
        found += check_paths(["."], Settings(env={}, env_visible=True), root=str(where)).findings
    return found


def _outside_code(text: str) -> str:
    return re.sub(r"`[^`]*`", "`…`", text)


def test_every_message_is_one_short_sentence_and_its_why_is_in_notes(tmp_path):
    found = _findings_everywhere(tmp_path)
    assert len(found) > 80
    for f in found:
        plain = _outside_code(f.message)
        assert len(f.message) <= HEADLINE_MAX, (f.code, f.message)
        if f.code != "NL001":  # nats-server's own words, quoted as it prints them
            assert not f.message.endswith("."), (f.code, f.message)
        assert ". " not in plain and "; " not in plain, (f.code, f.message)
        for note in f.notes:
            assert note and note != f.message and not note.endswith("."), (f.code, note)
    # the rules that explain a consequence say it in a note, not in the headline
    with_notes = {f.code for f in found if f.notes}
    assert {"NL101", "NL107", "NL201", "NL202", "NL203", "NL204", "NL205", "NL301", "NL302", "NL303",
            "NL304", "NL401", "NL402", "NL403", "NL404"} <= with_notes


def _one_finding(tmp_path: Path):
    (tmp_path / "hub.conf").write_text("server_name: hub\nleafnodes { port: 7422 }\n"
                                       "jetstream { domain: core }\n", encoding="utf-8")
    (tmp_path / "leaf.conf").write_text("server_name: leaf\njetstream { domain: core }\n"
                                        "leafnodes { remotes: [ { url: \"nats://127.0.0.1:7422\" } ] }\n",
                                        encoding="utf-8")
    result = check_paths(["."], Settings(env={}, env_visible=True), root=str(tmp_path))
    (f,) = [f for f in result.findings if f.code == "NL202"]
    return result, f


def test_each_output_carries_the_notes_as_its_consumer_expects(tmp_path):
    result, f = _one_finding(tmp_path)
    assert f.message == "leaf server `leaf` reuses domain `core` of the JetStream it connects to"
    assert f.notes == ("it connects to the JetStream of server `hub`",
                       "the leaf's own JetStream answers its clients' `$JS.core.API` requests, so they "
                       "never reach the hub")
    # JSON: the headline, and the notes as a list (an addition to the contract)
    (j,) = [x for x in json.loads(render_json(result))["findings"] if x["code"] == "NL202"]
    assert (j["message"], j["notes"]) == (f.message, list(f.notes))
    # SARIF: one text, the headline and its notes as sentences; the fix is a property
    (s,) = [x for x in json.loads(render_sarif(result))["runs"][0]["results"] if x["ruleId"] == "NL202"]
    assert s["message"]["text"] == (f"{f.message}. {f.notes[0]}. {f.notes[1]}.")
    assert s["properties"]["fix"] == f.fix
    # annotations: the headline and the fix, no notes (GitHub shows them in a narrow box)
    assert annotation(f).endswith("::" + escape_data(f"leaf.conf:2:21: NL202 {f.message}\nFix: {f.fix}"))
    # text: each note on its own line under the code frame, before the related locations
    text = render_text(result)
    block = text[text.index("NL202"):]
    assert block.index("   = note: it connects to") < block.index("   = related:") < block.index("   = fix:")
