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


# GitHub refuses a step's job summary over 1 MiB
SUMMARY_LIMIT = 1024 * 1024


def summary_markdown(result, graph: str | None = None) -> str:
    """The counts, a table of the findings (most severe first), the fleets and the topology,
    all under GitHub's 1 MiB limit: rows that do not fit are counted, never cut mid-row."""
    from natslint.report.text import coverage_lines, fleet_lines

    counts = Counter(f.severity for f in result.findings)
    head = ["## natslint", "",
            f"{count(len(result.findings), 'finding')} in {count(result.files_read, 'file')}: "
            f"{count(counts[Severity.ERROR], 'error')}, {count(counts[Severity.WARNING], 'warning')}, "
            f"{counts[Severity.INFO]} info.", ""]
    tail = [*change_table(result), "", *fleet_lines(result), *coverage_lines(result)]
    if result.coverage["needed_missing"]:
        tail.append(f"**{count(result.coverage['needed_missing'], 'link')} the domain rules need could not be resolved: "
                    "domain checks are incomplete.**")
    tail = _within(tail, SUMMARY_LIMIT // 4)
    budget = SUMMARY_LIMIT - _size(head) - _size(tail) - 1024  # room for the overflow notice
    rows: list[str] = []
    left = 0
    if result.findings:
        rows = ["| severity | code | location | message |", "|---|---|---|---|"]
        budget -= _size(rows)
        for f in sorted(result.findings, key=lambda f: (-f.severity, f.sort_key())):
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            row = f"| {f.severity} | {f.code} {f.name} | `{f.span.path}:{f.span.line}:{f.span.col}` | {msg} |"
            budget -= len(row.encode()) + 1
            if budget < 0:
                left += 1
            else:
                rows.append(row)
    if left:
        rows += ["", f"**{left} more {'finding is' if left == 1 else 'findings are'} not listed: GitHub caps a job "
                     "summary at 1 MiB. `natslint check` and its JSON output list them all.**"]
    text = "\n".join([*head, *rows, *tail]) + "\n"
    if graph:
        topology = "\n".join(["", "### Topology", "", "```mermaid", graph.rstrip(), "```"]) + "\n"
        if len(text.encode()) + len(topology.encode()) <= SUMMARY_LIMIT:
            text += topology
        else:
            text += "\nThe topology graph is left out: it would take the summary over 1 MiB (see `natslint graph`).\n"
    return text


def change_table(result) -> list[str]:
    """`--since REF`: per cluster (or standalone server), what the change needs: a restart for
    the options its version does not reload, and what a reload applies."""
    cs = result.changes
    if cs is None:
        return []
    p = cs.pairing
    out = ["", "### What this change does to running servers", "",
           f"Compared with `{cs.ref}` ({cs.commit[:10]}): {count(len(p.pairs), 'server')} paired, "
           f"{len(p.added)} added, {len(p.removed)} removed."]
    groups: dict[int, dict] = {}
    for c in cs.changes:
        cluster = next((cl for fc in result.fleets if (cl := fc.fleet.cluster_of.get(c.after.id)) is not None
                        and any(s is c.after for s in cl.servers)), None)
        key = id(cluster) if cluster is not None and len(cluster.servers) > 1 else id(c.after)
        g = groups.setdefault(key, {"label": cluster.label if cluster is not None and len(cluster.servers) > 1
                                    else c.after.label, "servers": set(), "restart": set(), "reload": set(),
                                    "unknown": set(), "rules": set()})
        g["servers"].add(id(c.after))
        v = c.verdict
        reloads = None if v is None else v.reloads if v.reloads is not None else v.everywhere
        g["reload" if reloads else "restart" if reloads is False or (v is not None and v.hangs) else "unknown"].add(
            c.shown_option)
        if c.rule:
            g["rules"].add(c.rule)
    if not groups:
        return [*out, "", "No server's options change."]
    out += ["", "| servers | changed | needs a restart for | a reload applies | not known | findings |",
            "|---|---|---|---|---|---|"]
    for g in groups.values():
        def cell(key: str) -> str:
            return ", ".join(f"`{o}`" for o in sorted(g[key])) or "—"
        out.append(f"| {g['label']} | {len(g['servers'])} | {cell('restart')} | {cell('reload')} | {cell('unknown')} "
                   f"| {', '.join(sorted(g['rules'])) or '—'} |")
    return out


def _size(lines: list[str]) -> int:
    return sum(len(x.encode()) + 1 for x in lines)


def _within(lines: list[str], limit: int) -> list[str]:
    """The first lines that fit in ``limit`` bytes, and a line counting the rest."""
    used = 0
    for i, line in enumerate(lines):
        used += len(line.encode()) + 1
        if used > limit:
            return [*lines[:i], f"… and {len(lines) - i} more lines."]
    return lines
