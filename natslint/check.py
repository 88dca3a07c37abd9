"""The main job, as one pipeline over a whole tree:

    discover -> parse -> read deployments -> assemble -> reach -> rules -> select and suppress

:func:`check_paths` returns a typed :class:`Result` and never renders: reporters, ``graph``,
the job summary and ``prove`` all read the Result (its fleet, its reachability, its source
cache) and never rebuild or re-read anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

from natslint import parallel
from natslint.codes import UNREADABLE_FILE
from natslint.crash import Crashes, file_start
from natslint.defaults import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION
from natslint.deploy.read import read_deployments
from natslint.discover import Discovery, Skipped, accept_configs, discover
from natslint.findings import Finding, Related, Severity
from natslint.fleet.assemble import assemble
from natslint.fleet.model import Fleet
from natslint.fleet.reach import Reach
from natslint.redact import Secrets, redact_text, secrets_in
from natslint.rules.context import Context
from natslint.rules.runner import run_rules
from natslint.selection import (
    Policy,
    Suppression,
    apply,
    suppressions_in,
    suppressions_in_comments,
)
from natslint.sources import SourceCache
from natslint.syntax.document import Document
from natslint.syntax.parser import Loader, lex_files, prelexed

# Below this many configs a second process costs more than it saves.
PARALLEL_MIN_CONFIGS = 300
# The part of the files this process lexes itself: it also builds every document, so the
# other process (which only lexes) takes the larger part.
OWN_SHARE = 0.42

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Settings:
    env: dict[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    fail_on: Severity = Severity.WARNING
    nats_version: str = DEFAULT_NATS_VERSION
    aliases: dict[str, str] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    expect_domain: str | None = None
    debug: bool = False  # a crashing reader or rule raises instead of becoming NL000


@dataclass(slots=True)
class Result:
    findings: list[Finding]
    documents: dict[str, Document]  # every config read, includes too, by display path
    discovery: Discovery
    roots: list[str]  # configs that no other config includes: one server each
    fleet: Fleet
    reach: Reach
    sources: SourceCache
    skipped: list[Skipped]  # every file passed over, with the reason
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def deployment_files(self) -> list[str]:
        d = self.discovery
        return [*d.compose, *d.yaml, *d.envfiles, *d.systemd]

    @property
    def files_read(self) -> int:
        return len(self.documents) + len(self.deployment_files)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, threshold: Severity) -> bool:
        return any(f.severity >= threshold for f in self.findings)

    def lines(self, path: str) -> list[str]:
        """A file's lines for a code frame: a NATS config as parsed, any other as read."""
        hit = self._lines.get(path)
        if hit is None:
            doc = self.documents.get(path)
            hit = self._lines[path] = doc.text.split("\n") if doc is not None else self.sources.lines(path)
        return hit


def check_paths(paths: list[str], settings: Settings | None = None, *, root: str,
                progress: Progress | None = None, overlays: Mapping[str, str] | None = None) -> Result:
    """Check the files and folders ``paths`` (relative to ``root``); findings show paths
    relative to ``root``.  ``overlays`` replace files' contents (an editor's buffers)."""
    settings = settings or Settings()
    sources = SourceCache(root, overlays, settings.max_bytes)
    crashes = Crashes(settings.debug)
    found = discover(paths, root)
    configs, not_nats = accept_configs(found, sources)
    documents, roots, vanished = _parse(configs, sources, settings, progress)
    deployed = read_deployments(found, sources, settings.env, crashes)
    fleet = assemble(documents, roots, deployed.workloads, sources, settings.aliases)
    reach = Reach(fleet)
    rule_findings = run_rules(Context(fleet, reach, documents, settings.expect_domain), crashes)
    raw = [*vanished, *(f for d in documents.values() for f in d.findings), *deployed.findings,
           *crashes.findings, *rule_findings]
    shown = _select(raw, documents, found, sources, settings)
    return Result(shown, documents, found, roots, fleet, reach, sources,
                  [*found.skipped, *not_nats, *deployed.skipped])


def _parse(configs: list[str], sources: SourceCache, settings: Settings,
           progress: Progress | None) -> tuple[dict[str, Document], list[str], list[Finding]]:
    """Every config parsed once (includes shared); the roots are the configs no other
    config includes."""
    loader = Loader(env=settings.env, env_visible=settings.env_visible, nats_version=settings.nats_version,
                    strict_text=True, sources=sources)
    vanished: list[Finding] = []
    # With many files, a second process lexes the later part while this one parses the
    # earlier part; the files are still loaded here in the same order, so the output is the
    # same byte for byte.  The child inherits the source cache: no file is read twice.
    split, pending = len(configs), None
    if len(configs) >= PARALLEL_MIN_CONFIGS and parallel.available():
        split = int(len(configs) * OWN_SHARE)
        pending = parallel.start(lex_files, configs[split:], loader, codec="marshal")
    try:
        for n, path in enumerate(configs, 1):
            if n == split + 1 and pending is not None:
                loader.prelexed = prelexed(pending.result())
            if progress is not None:
                progress(n, len(configs))
            if loader.load(path).missing:
                vanished.append(UNREADABLE_FILE.at(file_start(path), f"skipped {path}: it vanished during the run"))
    finally:
        if pending is not None:
            pending.close()
    loader.prelexed.clear()
    documents: dict[str, Document] = {}
    included: set[str] = set()
    for doc in loader.cache.values():
        if doc.path.startswith("$") or doc.missing:
            continue  # environment values parsed as config values; files that are not there
        documents[sources.display(doc.path)] = doc
        included.update(loader.key(target) for _, target in doc.includes)
    roots = [p for p in configs if loader.key(p) not in included]
    return documents, roots, vanished


def _select(raw: list[Finding], documents: dict[str, Document], found: Discovery, sources: SourceCache,
            settings: Settings) -> list[Finding]:
    """The findings to show: policy and inline suppressions applied, secrets masked."""
    suppressions: dict[str, list[Suppression]] = {}
    texts: dict[str, str] = {path: doc.text for path, doc in documents.items()}
    if settings.policy.use_suppressions:
        for path, doc in documents.items():
            suppressions[path] = suppressions_in_comments(path, doc.text, doc.comments, doc.root is not None)
    for path in (*found.compose, *found.yaml, *found.envfiles, *found.systemd):
        if sources.seen(path):
            text = "\n".join(sources.lines(path))
            texts[path] = text
            if settings.policy.use_suppressions:
                suppressions[path] = suppressions_in(path, text)
    secrets = Secrets(secrets_in(texts, settings.env))
    return [_redacted(f, secrets) for f in apply(raw, suppressions, settings.policy)]


def _redacted(f: Finding, secrets: Secrets) -> Finding:
    """A finding whose words cannot carry a password, token or seed."""
    return replace(f, message=redact_text(f.message, secrets), fix=redact_text(f.fix, secrets),
                   related=tuple(Related(r.span, redact_text(r.message, secrets)) for r in f.related))
