"""GitHub Actions workflow-command annotations, and the job summary.

Escaping follows the runner: in messages `%`, CR and LF; in properties also `:` and `,`.
Columns only on single-line spans (the runner drops them otherwise).  GitHub shows at most 10
annotations of each level per step, so errors go first and one notice says what was left out;
the job summary (GITHUB_STEP_SUMMARY) gets the full table.
"""

from __future__ import annotations

from collections import Counter

from natslint.findings import Severity
from natslint.words import count, verb

CAP = 10
COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    s = f.span
    props = [f"file={escape_property(s.path)}", f"line={s.line}", f"endLine={s.end_line}"]
    if s.end_line == s.line:
        props += [f"col={s.col}", f"endColumn={max(s.end_col, s.col + 1)}"]
    props.append(f"title={escape_property(f'natslint ({f.code} {f.name})')}")
    message = f"{s.path}:{s.line}:{s.col}: {f.code} {f.message}" + (f"\nFix: {f.fix}" if f.fix else "")
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(message)}"


def render_github(result) -> str:
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.sort_key()))
    shown: Counter = Counter()
    out = []
    left = 0
    for f in ordered:
        if shown[f.severity] >= CAP:
            left += 1
            continue
        shown[f.severity] += 1
        out.append(annotation(f))
    if left:
        out.append(f"::notice title=natslint::{left} more {'finding' if left == 1 else 'findings'} {verb(left, 'is', 'are')} not annotated (GitHub shows "
                   f"{CAP} per level and step): see the job summary")
    return "\n".join(out) + ("\n" if out else "")


def summary_markdown(result, graph: str | None = None) -> str:
    counts = Counter(f.severity for f in result.findings)
    lines = ["## natslint", "",
             f"{count(len(result.findings), 'finding')} in {count(result.files_read, 'file')}: "
             f"{count(counts[Severity.ERROR], 'error')}, {count(counts[Severity.WARNING], 'warning')}, "
             f"{counts[Severity.INFO]} info.", ""]
    if result.findings:
        lines += ["| severity | code | location | message |", "|---|---|---|---|"]
        for f in result.findings:
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {f.severity} | {f.code} {f.name} | `{f.span.path}:{f.span.line}:{f.span.col}` | {msg} |")
    from natslint.report.text import coverage_lines, fleet_lines

    lines += ["", *fleet_lines(result), *coverage_lines(result)]
    if result.coverage["needed_missing"]:
        lines.append(f"**{count(result.coverage['needed_missing'], 'link')} the domain rules need could not be resolved: "
                     "domain checks are incomplete.**")
    if graph:
        lines += ["", "### Topology", "", "```mermaid", graph.rstrip(), "```"]
    return "\n".join(lines) + "\n"
