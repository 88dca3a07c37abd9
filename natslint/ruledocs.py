"""Rule docs (rules/NLxxx-name.md): their sections and their example fleets.

An example fleet is a run of fenced blocks under "## Bad fleet" or "## Good fleet", each
with its path in the info string: ```` ```nats path=hub/n1.conf expect=NL202:3 ````.
``expect`` lists the findings the bad fleet must produce (code:line, comma-separated);
``encoding`` writes the block in another encoding (to show unreadable files).

A change rule's (NL5xx) fleet is a change: ``side=before`` blocks are the files at the
revision the change starts from (committed to a git repository by the test), ``side=after``
blocks the files after it, and blocks without a side are in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_SECTION = re.compile(r"^## (?P<title>.+)$", re.MULTILINE)


@dataclass(slots=True)
class ExampleFile:
    path: str
    text: str
    encoding: str = "utf-8"
    expect: list[tuple[str, int]] = field(default_factory=list)
    side: str = ""  # "before" | "after" | "" (both): a change rule's example


@dataclass(slots=True)
class RuleDoc:
    code: str
    name: str
    path: Path
    text: str
    sections: dict[str, str]
    bad: list[ExampleFile]
    good: list[ExampleFile]


def _attrs(info: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in info.split()[1:] if "=" in part)


def _fleet(section: str) -> list[ExampleFile]:
    files = []
    for m in _FENCE.finditer(section):
        attrs = _attrs(m.group("info"))
        if "path" not in attrs:
            continue
        expect = []
        for item in filter(None, attrs.get("expect", "").split(",")):
            code, line = item.split(":")
            expect.append((code, int(line)))
        files.append(ExampleFile(attrs["path"], m.group("body"), attrs.get("encoding", "utf-8"), expect,
                                 attrs.get("side", "")))
    return files


def load(path: Path) -> RuleDoc:
    text = path.read_text(encoding="utf-8")
    heads = list(_SECTION.finditer(text))
    sections = {}
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        sections[h.group("title").strip()] = text[h.end():end]
    code, name = path.stem.split("-", 1)
    return RuleDoc(code, name, path, text, sections,
                   _fleet(sections.get("Bad fleet", "")), _fleet(sections.get("Good fleet", "")))


def is_change(files: list[ExampleFile]) -> bool:
    return any(f.side for f in files)


def write_fleet(files: list[ExampleFile], root: Path, side: str = "after") -> None:
    """The files of one side of the example (a plain fleet has one side: every file)."""
    for f in files:
        if f.side and f.side != side:
            continue
        target = root / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.text.encode(f.encoding))
