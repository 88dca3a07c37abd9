"""Python plugins: packages that declare rules under the `natslint.rules` entry point group.

An entry point names a :class:`natslint.rules.base.Rule`, or a list of them, exactly as the
built-in rules are made: a ``Code`` (``natslint.findings.Code``) and a ``check(ctx)`` that
yields findings made with ``code.at(span, message, ...)``.  A plugin that fails to load or
gives something else is reported (NL000), and the other rules still run.  Plugins are loaded
once per process, and only by a run that checks: the command line starts without them.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from natslint.codes import all_codes, register_custom
from natslint.custom import code_problem
from natslint.findings import Code
from natslint.rules.base import Rule

GROUP = "natslint.rules"


@functools.lru_cache(maxsize=1)
def plugin_rules() -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """The rules every installed plugin declares, and why any could not be used."""
    rules: list[Rule] = []
    problems: list[str] = []
    declared = _declared()
    if declared:  # importlib.metadata (email, zipfile, csv) is loaded only when there is a plugin
        from importlib.metadata import EntryPoint
    for name, value in declared:
        ep = EntryPoint(name, value, GROUP)
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken plugin must not stop the built-in rules
            problems.append(f"plugin `{ep.name}` ({ep.value}) failed to load: {type(exc).__name__}: {exc}")
            continue
        for rule in loaded if isinstance(loaded, (list, tuple)) else [loaded]:
            why = _problem(rule)
            if why is not None:
                problems.append(f"plugin `{ep.name}` ({ep.value}): {why}")
                continue
            if not rule.code.severities:  # a Code made with its default severity alone
                rule = Rule(replace(rule.code, severities=(rule.code.severity,)), rule.check)
            register_custom(rule.code)
            rules.append(rule)
    return tuple(rules), tuple(problems)


def _declared() -> list[tuple[str, str]]:
    """(name, object reference) of every entry point of the group.  Scanning every installed
    distribution takes 40-80 ms, too long for a pre-commit hook's every run: the answer is kept
    in natslint's cache folder, keyed on the import path's folders and their modification times
    (installing or removing a package changes its folder's)."""
    import json
    import os
    import sys
    import zlib  # not hashlib (3 ms to load): the file holds its stamps, so a name collision is harmless

    from natslint.syntax.lalr import cache_dir

    stamps = []
    for folder in sys.path:
        try:
            stamps.append(f"{folder}\0{os.stat(folder or '.').st_mtime_ns}")
        except OSError:
            stamps.append(folder)
    stamp = "\n".join(stamps)
    cached = cache_dir() / f"plugins-{zlib.crc32(stamp.encode()):08x}.json"
    try:
        kept = json.loads(cached.read_text(encoding="utf-8"))
        if kept["stamps"] == stamp:
            return [tuple(pair) for pair in kept["found"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from importlib.metadata import entry_points

    found = sorted({(ep.name, ep.value) for ep in entry_points(group=GROUP)})
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps({"stamps": stamp, "found": found}), encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written: scanned again next time
    return found


def _problem(rule: object) -> str | None:
    code = getattr(rule, "code", None)
    if not isinstance(code, Code) or not callable(getattr(rule, "check", None)):
        return f"{rule!r} is not a Rule (a Code and a check(ctx) function)"
    if any(c.code == code.code for c in all_codes()):
        return f"code `{code.code}` is used twice"
    return code_problem(code.code, code.name)
