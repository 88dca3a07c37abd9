"""Applying the fixes findings carry: `--fix`, `--unsafe-fixes`, `--diff`.

Edits are made on the file as written: offsets are mapped across CRLF, every byte outside an
edit stays. After editing, each file is read again and must differ only where the fixes said:
a NATS config's resolved settings (as `natslint dump` prints them) only at the fix's keys, in
every server that reads it; a YAML, `.env` or unit file only in the one value that changed.
Otherwise its fixes are refused, with the reason. Two fixes that touch one place are dropped.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
from dataclasses import dataclass, field
from typing import Callable

from natslint.check import Result, Settings
from natslint.findings import Edit, Finding, Fix

_WORD = re.compile(r"[A-Za-z0-9_.-]")
_ANCHOR = re.compile(r"(^|[\s\[{,:-])&[^\s\[\]{},]+")


class Refused(Exception):
    """A fix that cannot be made as certain as it claims: the reason."""


@dataclass(slots=True)
class Outcome:
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (as written, fixed)
    applied: list[Finding] = field(default_factory=list)
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    conflicts: list[tuple[Finding, Finding]] = field(default_factory=list)


def _file(path: str) -> str:
    return path.split("#", 1)[0]


def settle(result: Result) -> Result:
    """A fix is safe only when the files it edits feed nothing but that finding's workload."""
    edited = {_file(e.path) for f in result.findings if f.autofix is not None and f.autofix.safe
              for e in f.autofix.edits}
    if not edited:
        return result
    from natslint.fleet.partition import includers_of, with_includers

    includers = includers_of(result.documents)
    shared: dict[str, set[str]] = {}
    for path in edited:
        configs = with_includers({path}, includers)  # the file and every config that includes it
        who = {name for fc in result.fleets for c in configs for name in fc.readers_of(c, result.documents)}
        if len(who) > 1:
            shared[path] = who
    if not shared:
        return result

    def why(f: Finding) -> str:
        path = next(_file(e.path) for e in f.autofix.edits if _file(e.path) in shared)
        who = sorted(shared[path])
        return f"{path} feeds {len(who)} servers: " + ", ".join(who[:4]) + (", …" if len(who) > 4 else "")

    findings = [dataclasses.replace(f, autofix=dataclasses.replace(f.autofix, safe=False, why_unsafe=why(f)))
                if f.autofix is not None and f.autofix.safe and any(_file(e.path) in shared for e in f.autofix.edits)
                else f for f in result.findings]
    return dataclasses.replace(result, findings=findings)


def resolve(edit: Edit, text: str) -> tuple[int, int, str]:
    """The edit's exact range in ``text`` (the parsed text): with ``old``, the one place it is
    written in the edit's range, as a whole token."""
    if not edit.old:
        return edit.start, edit.end, edit.text
    start, end = edit.start, edit.end
    if edit.line:
        starts = [0, *(m.end() for m in re.finditer("\n", text))]
        if edit.line > len(starts):
            raise Refused(f"line {edit.line} is past the end of the file")
        start = starts[edit.line - 1]
        end = starts[edit.line] - 1 if edit.line < len(starts) else len(text)
    segment = text[start:end]
    places = [m.start() for m in re.finditer(re.escape(edit.old), segment)
              if (m.start() == 0 or not _WORD.match(segment[m.start() - 1]))
              and (m.end() == len(segment) or not _WORD.match(segment[m.end()]))]
    if len(places) != 1:
        raise Refused(f"`{edit.old}` is not written once where the value is set")
    at = start + places[0]
    return at, at + len(edit.old), edit.text


def parsed_text(result: Result, path: str) -> str:
    """The text a file's spans count in: a NATS config as nats-server reads it (CRLF kept), any
    other file with universal newlines."""
    doc = result.documents.get(path)
    return doc.text if doc is not None else result.sources.text(path)


def _raw_offsets(raw: str) -> Callable[[int], int]:
    """Universal-newline offset -> offset in the file as written (each CRLF is one character)."""
    crlf = [m.start() for m in re.finditer("\r\n", raw)]
    parsed = [r - k for k, r in enumerate(crlf)]

    def to_raw(n: int) -> int:
        import bisect

        return n + bisect.bisect_left(parsed, n)

    return to_raw


def _anchored(text: str, offset: int) -> bool:
    """Inside a YAML anchor's node: the line, or a line it is nested under, defines `&name`."""
    lines = text[:offset].split("\n")
    here = lines[-1] + text[offset:].split("\n", 1)[0]
    if _ANCHOR.search(here):
        return True
    indent = len(here) - len(here.lstrip(" -"))
    for line in reversed(lines[:-1]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        own = len(line) - len(line.lstrip(" -"))
        if own < indent:
            if _ANCHOR.search(line):
                return True
            indent = own
    return False


def plan(result: Result, unsafe: bool, settings_for: Callable[[str], Settings]) -> Outcome:
    """The fixes to make (safe ones, and the others with ``unsafe``), made on copies of the files."""
    out = Outcome()
    chosen: list[tuple[Finding, Fix, list[tuple[str, int, int, str]]]] = []
    for f in result.findings:
        fix = f.autofix
        if fix is None or not (fix.safe or unsafe):
            continue
        try:
            edits = [(_file(e.path), *resolve(e, parsed_text(result, _file(e.path)))) for e in fix.edits]
        except (Refused, OSError, UnicodeDecodeError, ValueError) as exc:
            out.refused.append((f, str(exc)))
            continue
        same = next((c for c in chosen if c[2] == edits), None)
        if same is not None:  # one edit found by several findings (replicas of one config)
            out.applied.append(f)
            continue
        chosen.append((f, fix, edits))
    dropped: set[int] = set()
    for i, j in _conflicts(chosen):
        dropped |= {i, j}
        out.conflicts.append((chosen[i][0], chosen[j][0]))
    chosen = [c for i, c in enumerate(chosen) if i not in dropped]
    by_file: dict[str, list[tuple[Finding, Fix, list]]] = {}
    for c in chosen:
        for path in {e[0] for e in c[2]}:
            by_file.setdefault(path, []).append(c)
    refused_files = _edit_files(result, by_file, out, settings_for)
    for f, fix, edits in chosen:
        if any(e[0] in refused_files for e in edits):
            out.refused.append((f, refused_files[next(e[0] for e in edits if e[0] in refused_files)]))
        else:
            out.applied.append(f)
    for path in refused_files:
        out.files.pop(path, None)
    return out


def _conflicts(chosen: list) -> list[tuple[int, int]]:
    """Pairs of fixes whose edits touch one place: a sweep over the edits in file order, each
    compared with the one before it that reaches furthest (so 26,000 fixes are not compared
    pairwise)."""
    edits = sorted((e[0], e[1], e[2], e[3], i) for i, (_, _, es) in enumerate(chosen) for e in es)
    pairs: list[tuple[int, int]] = []
    reach = None
    for cur in edits:
        if reach is not None and reach[0] == cur[0] and reach[4] != cur[4] and _overlap(reach[:4], cur[:4]):
            pair = (min(reach[4], cur[4]), max(reach[4], cur[4]))
            if pair not in pairs:
                pairs.append(pair)
        if reach is None or reach[0] != cur[0] or cur[2] >= reach[2]:
            reach = cur
    return pairs


def _overlap(x: tuple[str, int, int, str], y: tuple[str, int, int, str]) -> bool:
    if x[0] != y[0]:
        return False
    if x[1] == x[2] or y[1] == y[2]:  # an insertion: at the same point, or inside the other
        return x[1] == y[1] or (y[1] < x[1] < y[2]) or (x[1] < y[1] < x[2])
    return x[1] < y[2] and y[1] < x[2]


def _edit_files(result: Result, by_file: dict, out: Outcome, settings_for) -> dict[str, str]:
    """Make each file's edits and check the result; the files refused, with the reason."""
    refused: dict[str, str] = {}
    for path, fixes in by_file.items():
        full = os.path.join(result.sources.root, path)
        try:
            with open(full, encoding="utf-8", newline="") as fh:
                raw = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            refused[path] = f"cannot read {path}: {exc}"
            continue
        to_raw = (lambda n: n) if path in result.documents else _raw_offsets(raw)
        newline = "\r\n" if "\r\n" in raw else "\n"
        edits = sorted({e for _, _, es in fixes for e in es if e[0] == path}, key=lambda e: (e[1], e[2]), reverse=True)
        fixed = raw
        for _, start, end, text in edits:
            if path.endswith((".yaml", ".yml")) and _anchored(result.sources.text(path), start):
                refused[path] = "the value is inside a YAML anchor, which other nodes share"
                break
            fixed = fixed[:to_raw(start)] + text.replace("\n", newline) + fixed[to_raw(end):]
        if path in refused:
            continue
        out.files[path] = (raw, fixed)
    for path, (raw, fixed) in list(out.files.items()):
        fixes = [fx for _, fx, _ in by_file[path]]
        try:
            _verify(result, path, raw, fixed, fixes, out.files, settings_for)
        except Refused as exc:
            refused[path] = str(exc)
    return refused


def _verify(result: Result, path: str, raw: str, fixed: str, fixes: list[Fix], files, settings_for) -> None:
    if path in result.documents:
        keys = {k.lower() for fx in fixes for k in fx.keys}
        for root, before, after in _resolved(result, path, files, settings_for):
            bad = [p for p in _differences(before, after) if not any(isinstance(c, str) and c in keys for c in p)]
            if bad:
                raise Refused(f"the fix would change {'.'.join(map(str, bad[0]))} in {root}, not only "
                              + ", ".join(sorted(keys)))
        return
    values = {fx.value for fx in fixes if fx.value is not None}
    if not values:
        raise Refused("nothing says what the edit may change in this file")
    before, after = _data(path, raw), _data(path, fixed)
    changed = _differences(before, after)
    if not changed or any(not _one_value(_at(before, p), _at(after, p), values) for p in changed):
        raise Refused("the edit changes more than the one value: " + ", ".join(".".join(map(str, p)) for p in changed[:3]))


def _resolved(result: Result, path: str, files, settings_for):
    """(root, settings before, settings after) of every server config that reads ``path``."""
    from natslint.fleet.partition import with_includes
    from natslint.sources import SourceCache
    from natslint.syntax.model import plain
    from natslint.syntax.parser import Loader

    overlays = {os.path.join(result.sources.root, p): new for p, (_, new) in files.items()}
    for root in sorted(r for r in result.roots if path in with_includes(r, result.documents)):
        s = settings_for(os.path.dirname(root) or ".")
        got = []
        for over in ({}, overlays):
            loader = Loader(env=s.env, env_visible=s.env_visible, nats_version=s.nats_version,
                            sources=SourceCache(result.sources.root, over))
            doc = loader.load(root)
            if over and (doc.server_error is not None or doc.root is None):
                raise Refused(f"{root} would not load after the fix: {doc.server_error}")
            got.append(plain(doc.root) if doc.root is not None else None)
        yield root, got[0], got[1]


def _data(path: str, text: str) -> object:
    name = os.path.basename(path)
    if name.endswith((".yaml", ".yml")):
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            return list(YAML(typ="safe").load_all(text))
        except YAMLError as exc:
            raise Refused(f"{path} would not parse as YAML: {exc}") from None
    if name.startswith(".env") or name.endswith(".env"):
        from dotenv import dotenv_values

        return dict(dotenv_values(stream=io.StringIO(text)))
    return {m.group(1): m.group(2).strip('"') for m in re.finditer(r"([A-Za-z_]\w*)=(\"[^\"]*\"|[^\s\"]+)", text)}


def _one_value(before: object, after: object, values: set[tuple[str, str]]) -> bool:
    """The value went from old to new: alone, or as the VALUE of a `KEY=VALUE` item."""
    for old, new in values:
        if (before, after) == (old, new):
            return True
        if isinstance(before, str) and isinstance(after, str) and before.endswith("=" + old) \
                and after == before[:-len(old)] + new:
            return True
    return False


def _flat(value: object, prefix: tuple = ()) -> dict[tuple, object]:
    if isinstance(value, dict):
        items = {(str(k).lower() if isinstance(k, str) else k): v for k, v in value.items()}
        return {p: v for k, sub in items.items() for p, v in _flat(sub, (*prefix, k)).items()} or {prefix: {}}
    if isinstance(value, list):
        return {p: v for i, sub in enumerate(value) for p, v in _flat(sub, (*prefix, i)).items()} or {prefix: []}
    return {prefix: value}


def _differences(before: object, after: object) -> list[tuple]:
    a, b = _flat(before), _flat(after)
    return sorted((p for p in a.keys() | b.keys() if a.get(p, _MISSING) != b.get(p, _MISSING)), key=str)


def _at(data: object, path: tuple) -> object:
    return _flat(data).get(path, _MISSING)


_MISSING = object()


def write(outcome: Outcome, root: str) -> None:
    for path, (_, fixed) in outcome.files.items():
        with open(os.path.join(root, path), "w", encoding="utf-8", newline="") as fh:
            fh.write(fixed)


def unified_diff(outcome: Outcome) -> str:
    import difflib

    out = []
    for path, (raw, fixed) in sorted(outcome.files.items()):
        out += difflib.unified_diff(raw.splitlines(keepends=True), fixed.splitlines(keepends=True),
                                    f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)
