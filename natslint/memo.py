"""What a long-running engine keeps between checks (natslint.engine), keyed by path and content.

Parsed documents are reused when a file and everything it includes read as before (the
parser's DocumentMemo). A fleet's model, reachability and rule findings are reused when the
fleet plans the same files, every config of it is the very document reused from the run that
built it, every other file it reads has the same bytes, and its settings are the same. What a run
does not use is dropped after it: no entry outlives the file it describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from natslint.syntax.parser import DocumentMemo


@dataclass(slots=True)
class FleetParts:
    """A fleet checked by an earlier run, kept with the documents it was built from."""

    documents: tuple  # the documents it was built from, compared by identity
    fleet: object
    reach: object
    findings: list  # its rules' findings
    crashed: list  # NL000 findings its rules raised


@dataclass(slots=True)
class RunMemo:
    """What a long-running process keeps between checks: documents, fleets, models."""

    documents: DocumentMemo = field(default_factory=DocumentMemo)
    fleets: dict[tuple, FleetParts] = field(default_factory=dict)
    models: dict[int, tuple] = field(default_factory=dict)  # the partition's model of each document
    used: set[tuple] = field(default_factory=set)
    # how the last run went: fleets reused and built (for tests and the benchmark)
    reused: int = 0
    built: int = 0

    def fleet(self, plan, documents: dict, sources, settings, on_machine: dict, scoped: dict) -> tuple:
        """(signature, the documents it was built from, the fleet's parts kept from an earlier
        run or None): the parts are kept only for the very same document objects."""
        key, docs = _signature(plan, documents, sources, settings, on_machine, scoped)
        self.used.add(key)
        hit = self.fleets.get(key)
        if hit is not None and len(hit.documents) == len(docs) and all(a is b for a, b in zip(hit.documents, docs)):
            self.reused += 1
            return key, docs, hit
        self.built += 1
        return key, docs, None

    def documents_of(self, plan, documents: dict) -> tuple:
        """The documents of a fleet that is built again under the signature it had (an edit
        changed only documents: the plan, the other files and the settings are the same)."""
        self.built += 1
        return tuple(documents[p] for p in sorted(plan.files) if p in documents)

    def keep(self, key: tuple, docs: tuple, fleet, reach, findings: list, crashed: list) -> None:
        self.fleets[key] = FleetParts(docs, fleet, reach, findings, crashed)
        self.used.add(key)

    def prune(self, documents: dict | None = None) -> None:
        self.documents.prune()
        live = {id(d) for d in (documents or {}).values()}
        self.models = {k: v for k, v in self.models.items() if k in live and v[0] is (documents or {}).get(v[1])}
        self.fleets = {k: v for k, v in self.fleets.items() if k in self.used}
        self.used = set()

    def start(self) -> None:
        self.reused = self.built = 0


def _settings_key(s) -> tuple:
    return (tuple(sorted(s.env.items())), s.env_visible, s.nats_version, tuple(sorted(s.aliases.items())),
            s.expect_domain, s.require_resolved, s.debug, s.max_bytes,
            tuple(repr(getattr(r.check, "__self__", r.code)) for r in s.custom_rules))  # a declared rule's definition


def _signature(plan, documents: dict, sources, settings, on_machine: dict, scoped: dict) -> tuple[tuple, tuple]:
    others = []
    for p in sorted(plan.files):
        if p in documents:
            continue
        try:
            others.append((p, _sha1(sources.read_bytes(p.split("#", 1)[0]))))
        except Exception:  # unreadable now: never the same as a read
            others.append((p, None))
    key = (plan.name, plan.kind, plan.root, tuple(sorted(plan.configs)), tuple(sorted(plan.files)), tuple(others),
           _settings_key(settings), tuple(sorted((p, m) for p, m in on_machine.items() if p in plan.files)),
           repr(sorted(scoped.items())))
    return key, tuple(documents[p] for p in sorted(plan.files) if p in documents)


def _sha1(data: bytes) -> str:
    import hashlib  # only a long-running engine fingerprints files: the command line never loads it

    return hashlib.sha1(data).hexdigest()
