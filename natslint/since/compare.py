"""`check --since REF`: the tree at REF beside the tree now, as change findings (NL5xx).

Both sides are checked by the same pipeline with the same settings; the REF side's own
findings are not reported (they are REF's, not the change's).  Its servers are paired with
today's (natslint.since.pairing), the options of each pair compared (natslint.since.changes),
and the change rules run over the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from natslint.crash import Crashes
from natslint.findings import Finding
from natslint.fleet.flat import SECRET
from natslint.fleet.model import Fleet, Server
from natslint.since.changes import Change, changes_of, document_of, version_of
from natslint.since.context import ChangeContext
from natslint.since.pairing import Pairing, pair
from natslint.syntax.document import Document


@dataclass(slots=True)
class ChangeSet:
    ref: str
    commit: str
    pairing: Pairing = field(default_factory=Pairing)
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict:
        """The `changes` of JSON output: what changed on which server, and what a reload does."""
        def server(s: Server) -> str:
            return s.label.removeprefix("server ").strip("`")

        return {
            "since": {"ref": self.ref, "commit": self.commit,
                      "paired": [{"before": server(b), "after": server(a), "by": how}
                                 for b, a, how in self.pairing.pairs],
                      "added": [server(s) for s in self.pairing.added],
                      "removed": [server(s) for s in self.pairing.removed]},
            "changes": [{"server": server(c.after), "option": c.shown_option,
                         "kind": {"+": "added", "-": "removed"}.get(c.option[-1], "changed"),
                         "from": _shown(c.old, c.option), "to": _shown(c.new, c.option),
                         "reloadable": c.verdict.reloads if c.verdict is not None and c.verdict.reloads is not None
                         else (c.verdict.everywhere if c.verdict is not None else None),
                         "version": c.verdict.version if c.verdict is not None else None,
                         "rule": c.rule,
                         "file": c.span.path, "line": c.span.line} for c in self.changes],
        }


def _shown(value: object, option: str) -> object:
    """Values as JSON holds them.  Blocks and lists are not copied out (accounts hold passwords,
    routes may carry them); a leaf remote shows its URLs without their user info."""
    if value is not None and SECRET.search(option.rsplit(".", 1)[-1]):
        return "(a secret: not shown)"
    if isinstance(value, dict):
        urls = value.get("urls", value.get("url"))
        if urls is None:
            return "(a block: not shown)"
        return [re.sub(r"//[^/@]*@", "//", str(u)) for u in (urls if isinstance(urls, list) else [urls])]
    if isinstance(value, list):
        return "(a list: not shown)" if value else []
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def compare(ref: str, commit: str, before: list[Fleet], before_docs: dict[str, Document], after: list[Fleet],
            after_docs: dict[str, Document], given_version: str | None, crashes: Crashes) -> ChangeSet:
    from natslint.rules.change_registry import CHANGE_RULES

    out = ChangeSet(ref, commit)
    out.pairing = pair([s for f in before for s in f.servers], [s for f in after for s in f.servers])
    for b, a, _ in out.pairing.pairs:
        out.changes += changes_of(b, a, document_of(b, before_docs), document_of(a, after_docs),
                                  version_of(a, given_version))
    ctx = ChangeContext(ref, out.pairing, out.changes, before, after)
    for rule in CHANGE_RULES:
        got = crashes.guard(".", f"rule {rule.code.code} {rule.code.name} failed",
                            "please report it; the other rules ran", lambda r=rule: list(r.check(ctx)))
        out.findings += got or []
    return out


def changes_since(ref: str, ask, stages) -> ChangeSet:
    """The change from git REF to the tree ``stages`` checked: REF read from git's objects,
    checked by the same pipeline with the same settings, its servers paired with today's."""
    import dataclasses

    from natslint.check import run_stages
    from natslint.since.gitref import read_ref
    from natslint.sources import SourceCache

    tree = read_ref(ref, ask.root)
    try:
        before = run_stages(dataclasses.replace(ask, root=tree.root, progress=None),
                            SourceCache(tree.root, None, ask.settings.max_bytes))
    finally:
        tree.remove()
    crashes = Crashes(ask.settings.debug)
    given = ask.settings.nats_version if ask.settings.nats_version_given else None
    out = compare(ref, tree.commit, [fc.fleet for fc in before.fleets], before.documents,
                  [fc.fleet for fc in stages.fleets], stages.documents, given, crashes)
    out.findings += crashes.findings
    return out
