"""The main job: discover -> parse -> (model -> rules) -> findings, for whole directories."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from natslint.discover import Discovery, discover, display_path
from natslint.findings import UNREADABLE_FILE, Finding, Related, Severity
from natslint.paths import read_text, reading_once, real
from natslint.redact import Secrets, redact_text, secrets_in
from natslint.selection import Policy, apply
from natslint.span import Span
from natslint import parallel
from natslint.syntax.parser import DEFAULT_MAX_BYTES, DEFAULT_NATS_VERSION, Document, Loader, lex_files, prelexed

# Below this many configs a second process costs more than it saves.
PARALLEL_MIN_CONFIGS = 300
# The part of the files this process lexes itself: it also builds every document, so the
# other process (which only reads and lexes) takes the larger part.
OWN_SHARE = 0.42


@dataclass(slots=True)
class Settings:
    env: dict[str, str] = field(default_factory=dict)
    env_visible: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    fail_on: Severity = Severity.WARNING
    nats_version: str = DEFAULT_NATS_VERSION
    aliases: dict[str, str] = field(default_factory=dict)
    policy: "Policy" = field(default_factory=lambda: Policy())
    expect_domain: str | None = None


@dataclass(slots=True)
class Result:
    findings: list[Finding]
    documents: dict[str, Document]  # every file read, includes too, by display path
    discovery: Discovery
    roots: list[str]  # configs that no other config includes: one server each
    fleet: object = None  # natslint.fleet.model.Fleet

    @property
    def files_read(self) -> int:
        d = self.discovery
        return len(self.documents) + len(d.compose) + len(d.yaml) + len(d.envfiles) + len(d.systemd)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, threshold: Severity) -> bool:
        return any(f.severity >= threshold for f in self.findings)


def check_paths(paths: list[str], settings: Settings | None = None, progress=None) -> Result:
    with reading_once():
        return _check(paths, settings or Settings(), progress)


def _check(paths: list[str], settings: Settings, progress) -> Result:
    found = discover(paths)
    loader = Loader(env=settings.env, env_visible=settings.env_visible,
                    max_bytes=settings.max_bytes, nats_version=settings.nats_version,
                    strict_text=True)
    vanished: list[Finding] = []
    # With many files, a second process reads and lexes the later part while this one
    # parses the earlier part; the files are still loaded here in the same order, so the
    # output is the same byte for byte.
    split, pending = len(found.nats), None
    if len(found.nats) >= PARALLEL_MIN_CONFIGS and parallel.available():
        split = int(len(found.nats) * OWN_SHARE)
        pending = parallel.start(lex_files, found.nats[split:], settings.max_bytes, settings.nats_version,
                                 codec="marshal")
    try:
        for n, path in enumerate(found.nats, 1):
            if n == split + 1 and pending is not None:
                loader.prelexed = prelexed(pending.result())
            if progress is not None:
                progress(n, len(found.nats))
            if loader.load(path).missing:
                vanished.append(UNREADABLE_FILE.at(Span(path, 0, 0, 1, 1, 1, 1),
                                                   f"skipped {path}: it vanished during the run"))
    finally:
        if pending is not None:
            pending.close()
    loader.prelexed.clear()
    documents: dict[str, Document] = {}
    included: set[str] = set()
    for doc in loader.cache.values():
        if doc.path.startswith("$") or doc.missing:
            continue  # environment values parsed as config values; files that are not there
        documents[display_path(doc.path)] = doc
        for _, target in doc.includes:
            included.add(real(target))
    roots = [p for p in found.nats if real(p) not in included]
    from natslint.fleet.assemble import assemble

    fleet, fleet_findings = assemble(found, documents, roots, settings.env, settings.aliases,
                                     settings.expect_domain)
    raw = [*vanished, *(f for d in documents.values() for f in d.findings), *fleet_findings]
    texts = {path: doc.text for path, doc in documents.items()}
    for path in (*found.compose, *found.yaml, *found.envfiles, *found.systemd):
        try:
            texts[path] = read_text(path, errors="replace")
        except OSError:
            pass
    secrets = Secrets(secrets_in(texts, settings.env))
    shown = [_redacted(f, secrets) for f in apply(raw, texts, settings.policy)]
    return Result(shown, documents, found, roots, fleet)


def _redacted(f: Finding, secrets: Secrets) -> Finding:
    """A finding whose words cannot carry a password, token or seed."""
    return replace(f, message=redact_text(f.message, secrets), fix=redact_text(f.fix, secrets),
                   related=tuple(Related(r.span, redact_text(r.message, secrets)) for r in f.related))


def env_from(pairs: list[str], files: list[str], use_process_env: bool) -> dict[str, str]:
    """The lint-time environment: process env (if asked), then env files, then --env pairs."""
    env: dict[str, str] = dict(os.environ) if use_process_env else {}
    if files:
        from dotenv import dotenv_values

        for f in files:
            if not os.path.isfile(f):
                raise UsageError(f"--env-file {f}: no such file")
            env.update({k: v or "" for k, v in dotenv_values(f).items()})
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--env {pair!r}: expected KEY=VALUE")
        k, v = pair.split("=", 1)
        env[k] = v
    return env


class UsageError(Exception):
    """Bad command-line input: exit code 2 with this message."""
