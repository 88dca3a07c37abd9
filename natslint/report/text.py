"""The default, ruff-like text output: location, code, severity, message, a code frame."""

from __future__ import annotations

from collections import Counter

from natslint.check import Result
from natslint.codes import doc_url
from natslint.findings import Finding, Severity
from natslint.redact import mask_line
from natslint.words import count, verb

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in text).replace("\t", " ")


def whole_file(f: Finding) -> bool:
    """A finding about the file itself (unreadable, skipped, too large): no line to frame."""
    return f.span.line == 1 and f.span.col == 1 and (f.code == "NL005" or f.span.start == f.span.end == 0)


def code_frame(lines: list[str], f: Finding, color: bool, span=None, secrets=None) -> list[str]:
    """``secrets``: line -> the columns of the secrets the readers located on it."""
    s = span or f.span
    if not 1 <= s.line <= len(lines):
        return []
    raw = lines[s.line - 1].rstrip("\r\n")
    masked, column = mask_line(raw, (secrets or {}).get(s.line, []))  # carets are placed on the masked line
    source = _printable(masked)
    width = len(str(s.line))
    start = column(max(s.col - 1, 0))
    end = column(s.end_col - 1) if s.end_line == s.line else len(source)
    carets = "^" * max(1, min(end, len(source)) - start)
    gutter = " " * width
    return [
        f" {gutter} |",
        f" {s.line} | {source}",
        f" {gutter} | {' ' * start}{_paint(carets, _COLORS[f.severity], color)}",
    ]


def wrap(line: str, width: int | None) -> list[str]:
    """A note, related, fix or summary line folded to ``width``, continued under its text.
    Words are never split: a URL or a path longer than the width stays whole on its line."""
    if width is None or len(line) <= width:
        return [line]
    import textwrap

    head = len(line) - len(line.lstrip(" "))
    if line.lstrip().startswith("= "):
        head += line.lstrip().index(":") + 2  # under the text after `= note: `
    else:
        head += 2
    return textwrap.wrap(line, width=max(width, head + 20), subsequent_indent=" " * head,
                         break_long_words=False, break_on_hyphens=False) or [line]


def render_text(result: Result, *, color: bool = False, quiet: bool = False, statistics: bool = False,
                width: int | None = None) -> str:
    """Each finding with its frame, then the summary; ``quiet``: the findings alone;
    ``statistics``: one line a code, with its count (as ruff); ``width``: fold explanations and
    the summary to it (the location line, code frames and the docs URL are never folded)."""
    lines = _render(result, color, quiet, statistics)
    if width is None:
        return lines
    out = []
    for line in lines.split("\n"):
        foldable = line.startswith(("   = note:", "   = related:", "   = fix:", "Found ", "No ", "All checks",
                                    "Coverage:"))
        out.extend(wrap(line, width) if foldable else [line])
    return "\n".join(out)


def _render(result: Result, color: bool, quiet: bool, statistics: bool) -> str:
    if statistics:
        by_code = Counter((f.code, f.name) for f in result.findings)
        return "".join(f"{n:>5}  {code}  {name}\n" for (code, name), n in sorted(by_code.items(), key=lambda x: (-x[1], x[0])))
    out: list[str] = []
    for f in result.findings:
        s = f.span
        sev = _paint(str(f.severity), _COLORS[f.severity], color)
        mark = " [*]" if f.autofix is not None and f.autofix.safe else ""
        out.append(f"{_paint(f'{s.path}:{s.line}:{s.col}:', '1', color)} "
                   f"{_paint(f.code, '1', color)}{mark} [{sev}] {f.message}")
        if not whole_file(f):
            out.extend(code_frame(result.lines(s.path), f, color, secrets=result.secrets.get(s.path)))
        out.extend(f"   = note: {note}" for note in f.notes)
        for r in f.related:
            out.append(f"   = related: {r.span.path}:{r.span.line}:{r.span.col}: {r.message}")
            out.extend("   " + line for line in code_frame(result.lines(r.span.path), f, color, r.span,
                                                            result.secrets.get(r.span.path)))
        if f.fix:
            out.append(f"   = fix: {f.fix}")
        if f.autofix is not None and not f.autofix.safe and f.autofix.why_unsafe:
            out.append(f"   = unsafe fix ({f.autofix.title}): {f.autofix.why_unsafe}")
        out.append(f"   = docs: {doc_url(f.code, f.name)}")
        out.append("")
    if quiet:
        return "\n".join(out) + ("\n" if out else "")
    n_files = result.files_read
    counts = Counter(f.severity for f in result.findings)
    if result.findings:
        by_code = Counter(f"{f.code} {f.name}" for f in result.findings)
        out.append(f"Found {count(len(result.findings), 'finding')} in {count(n_files, 'file')}: "
                   f"{count(counts[Severity.ERROR], 'error')}, {count(counts[Severity.WARNING], 'warning')}, "
                   f"{counts[Severity.INFO]} info.")
        for code, n in sorted(by_code.items()):
            out.append(f"  {n:>4}  {code}")
        out += fixable_lines(result)
    else:
        missing = result.coverage["needed_missing"]
        if not n_files:  # nothing was checked: not a pass
            out.append("No NATS config or deployment file found" + (
                f" ({count(len(result.skipped), 'file')} skipped: see --show-files)." if result.skipped else "."))
        else:
            out.append(f"No findings in {count(n_files, 'file')}; {count(missing, 'link')} the domain rules need could "
                       "not be resolved, so domain checks are incomplete (see NL406 and the coverage below)." if missing
                       else f"No new findings in {count(n_files, 'file')}." if result.baseline is not None
                       else f"All checks passed: {count(n_files, 'file')}, no findings.")
    out += fleet_lines(result)
    out += coverage_lines(result)
    out += baseline_lines(result)
    out += change_lines(result)
    return "\n".join(out) + "\n"


def render_concise(result: Result, *, quiet: bool = False) -> str:
    """One line a finding, as ruff's and shellcheck's concise output (`path:line:col: CODE
    [severity] message`), then one summary line unless ``quiet``."""
    out = [f"{f.span.path}:{f.span.line}:{f.span.col}: {f.code}{' [*]' if f.autofix is not None and f.autofix.safe else ''} "
           f"[{f.severity}] {f.message}" for f in result.findings]
    if not quiet:
        n = len(result.findings)
        out.append(f"Found {count(n, 'finding')}." if n else
                   f"All checks passed: {count(result.files_read, 'file')}, no findings." if result.files_read
                   else "No NATS config or deployment file found.")
    return "\n".join(out) + ("\n" if out else "")


def fixable_lines(result: Result) -> list[str]:
    """As ruff: how many findings `--fix` would fix ([*]), and how many more `--unsafe-fixes`."""
    safe = sum(1 for f in result.findings if f.autofix is not None and f.autofix.safe)
    unsafe = sum(1 for f in result.findings if f.autofix is not None and not f.autofix.safe)
    if not safe and not unsafe:
        return []
    if not safe:
        return [f"No safe fixes ({unsafe} available with `--fix --unsafe-fixes`)."]
    return [f"[*] {safe} fixable with `--fix`" + (f" ({unsafe} more with `--fix --unsafe-fixes`)." if unsafe else ".")]


def baseline_lines(result: Result) -> list[str]:
    """What --baseline hid, and the baseline's findings that are gone (never findings)."""
    b = result.baseline
    if b is None:
        return []
    lines = [f"Baseline {b.file}: {b.matched} known (not shown), {b.new} new, {len(b.fixed)} fixed"
             + (" since it was written (remove them with --prune-baseline):" if b.fixed else ".")]
    lines += [f"  fixed  {e.code}  {e.path}  {e.message}" for e in b.fixed]
    return lines


def change_lines(result: Result) -> list[str]:
    """`--since REF`: which servers of REF were paired with which now, and which came or went."""
    cs = result.changes
    if cs is None:
        return []
    p = cs.pairing
    unknown = sorted({c.shown_option for c in cs.changes if c.cls is None})
    lines = [f"Compared with {cs.ref} ({cs.commit[:10]}): {count(len(p.pairs), 'server')} paired, "
             f"{len(p.added)} added, {len(p.removed)} removed; {count(len(cs.changes), 'option')} changed"
             + (f" ({len(unknown)} of them not in the reload table, so whether a reload applies "
                f"{'it' if len(unknown) == 1 else 'them'} is not known: {', '.join(unknown)})." if unknown else ".")]
    lines += [f"  added    {s.label}" for s in p.added]
    lines += [f"  removed  {s.label}" for s in p.removed]
    renamed = [(b, a, how) for b, a, how in p.pairs if b.label != a.label]
    lines += [f"  paired   {b.label} -> {a.label} (same {how.replace('_', ' ')})" for b, a, how in renamed]
    return lines


NAMES = {"leaf_links": "leaf links", "routes": "routes", "gateways": "gateways", "hosts": "host connections",
         "wadm": "wadm connections"}


def coverage_lines(result: Result) -> list[str]:
    """What the links resolved to: only kinds the tree has, and only when something is missing."""
    cov = result.coverage
    parts = []
    for kind, name in NAMES.items():
        c = cov[kind]
        if c["total"] and c["resolved"] < c["total"]:
            misses = ", ".join(f"{c[k]} {k}" for k in ("external", "ambiguous", "unresolved", "unknown_config",
                                                       "wrong_port") if c[k]) \
                .replace("unknown_config", "to a server whose config is unknown").replace("wrong_port", "to a wrong port")
            parts.append(f"{c['resolved']} of {c['total']} {name} resolved ({misses})")
    if cov["servers_unknown_config"]:
        n = cov['servers_unknown_config']
        parts.append(f"{count(n, 'server')} {verb(n, 'runs', 'run')} a config natslint could not read "
                     "(no rule judged them)")
    return ["Coverage: " + "; ".join(parts) + "."] if parts else []


def _hosts_and_wadm(hosts) -> str:
    """`2 hosts, 1 wadm`: wadm is counted apart from the wasmCloud hosts."""
    wadm = sum(1 for h in hosts if h.kind == "wadm")
    return count(len(hosts) - wadm, "host") + (f", {wadm} wadm" if wadm else "")


def fleet_lines(result: Result) -> list[str]:
    """The fleets the tree was split into: each was checked on its own."""
    if not result.fleets:
        return []
    lines = [f"Checked {count(len(result.fleets), 'fleet')}, each on its own:"]
    for fc in result.fleets:
        guessed = sum(1 for s in fc.fleet.servers if not s.count_known)
        servers = count(len(fc.fleet.servers), "server")
        if fc.fleet.unseen:  # a server whose config natslint could not read is not among the modelled ones
            servers = (f"{servers} and {len(fc.fleet.unseen)} more" if fc.fleet.servers
                       else count(len(fc.fleet.unseen), "server")) + " with an unknown config"
        lines.append(f"  {fc.plan.kind:<9} {fc.plan.name}  ({servers}, "
                     f"{_hosts_and_wadm(fc.fleet.hosts)})"
                     + (f"; {guessed} of them stand for a replica count the files do not give (modelled "
                        "as two; cluster sizes not judged)" if guessed else ""))
    return lines
