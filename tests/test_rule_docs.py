"""Every rule has a doc in rules/, and each doc's example fleets behave as the doc says."""

from __future__ import annotations

import pytest

from natslint import ruledocs
from natslint.check import Settings, check_paths
from natslint.codes import CODES as ALL_CODES
from natslint.resources import rule_docs
from natslint.workspace import check_change
from gitrepo import git

DOCS = {code: ruledocs.load(path) for code, path in rule_docs().items()}
NO_EXAMPLES = {"NL000"}  # internal errors have no input that triggers them on purpose
CODES = {c.code: c for c in ALL_CODES}


def test_every_code_has_exactly_one_doc():
    assert set(DOCS) == set(CODES)
    for code, doc in DOCS.items():
        assert doc.name == CODES[code].name
        assert doc.text.startswith(f"# {code} {doc.name}\n")
        for heading in ("What it does", "Why is this bad?", "Bad fleet", "Good fleet"):
            assert heading in doc.sections, f"{code}: missing '## {heading}'"
        if code not in NO_EXAMPLES:
            assert any(f.expect for f in doc.bad), f"{code}: the bad fleet names no expected finding"


def _run(files, tmp_path, monkeypatch):
    """A fleet's findings; a change rule's example is committed as it was (`side=before`) and
    checked as it is, with `--since HEAD`."""
    if not ruledocs.is_change(files):
        ruledocs.write_fleet(files, tmp_path)
        return check_paths(["."], Settings(env={}, env_visible=True), root=str(tmp_path)).findings
    ruledocs.write_fleet(files, tmp_path, "before")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "before")
    for f in files:
        if f.side == "before":
            (tmp_path / f.path).unlink()
    ruledocs.write_fleet(files, tmp_path, "after")
    return check_change(["."], Settings(env={}, env_visible=True), str(tmp_path), "HEAD").findings


@pytest.mark.parametrize("code", sorted(DOCS))
def test_bad_fleet_fires_exactly_where_the_doc_says(code, tmp_path, monkeypatch):
    doc = DOCS[code]
    findings = _run(doc.bad, tmp_path, monkeypatch)
    expected = sorted((c, f.path, line) for f in doc.bad for c, line in f.expect)
    got = sorted((f.code, f.span.path, f.span.line) for f in findings if f.code == code)
    assert got == expected, [str(f.span) + " " + f.message for f in findings]


@pytest.mark.parametrize("code", sorted(DOCS))
def test_good_fleet_is_clean(code, tmp_path, monkeypatch):
    findings = _run(DOCS[code].good, tmp_path, monkeypatch)
    assert findings == [], [f"{f.code} {f.span} {f.message}" for f in findings]
