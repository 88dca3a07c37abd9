"""The README's rule table, generated from the code table.

    python -m natslint.report.rule_table          # rewrite README.md's table
    python -m natslint.report.rule_table --check  # exit 1 when README.md's table is stale

The table stands between ``<!-- rules:begin -->`` and ``<!-- rules:end -->``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from natslint.codes import CODES

BEGIN, END = "<!-- rules:begin -->", "<!-- rules:end -->"


def severity_text(code) -> str:
    """Every severity the rule reports, as `rules` and the README show them."""
    return " / ".join(str(s) for s in code.severities)


def table() -> str:
    rows = ["| code | name | severity | what |", "|---|---|---|---|"]
    rows += [f"| {c.code} | {c.name} | {severity_text(c)} | {c.summary} |" for c in sorted(CODES, key=lambda c: c.code)]
    return "\n".join(rows)


def with_table(readme: str) -> str:
    head, sep, rest = readme.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"README has no {BEGIN} ... {END} section")
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    fresh = with_table(text)
    if "--check" in argv:
        if fresh != text:
            print("README.md's rule table is stale: run python -m natslint.report.rule_table", file=sys.stderr)
            return 1
        return 0
    readme.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
