"""The findings of one run gathered for showing: one finding per problem and place, the
policy and inline suppressions applied, secrets masked, sorted."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from natslint.discover import Discovery
from natslint.findings import Finding, Related
from natslint.redact import mask_urls
from natslint.selection import (
    Policy,
    Suppression,
    apply,
    fold_consequences,
    suppressions_in,
    suppressions_in_comments,
)
from natslint.sources import SourceCache
from natslint.syntax.document import Document


def by_line(spans: list) -> dict[str, dict[int, list[tuple[int, int]]]]:
    """Secret values the readers located: path -> line -> 0-based column ranges."""
    out: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for span in spans:
        out.setdefault(span.path, {}).setdefault(span.line, []).append((span.col - 1, span.end_col - 1))
    return out


def per_location(findings: list[Finding]) -> list[Finding]:
    """NL004 of the instances: one finding a place, naming every instance that lacks it."""
    by_place: dict[tuple, list[Finding]] = {}
    for f in findings:
        base, _, who = f.message.rpartition(" (in ")
        by_place.setdefault((f.span.path, f.span.start, f.severity, base), []).append(f)
    out = []
    for (_, _, _, base), group in by_place.items():
        names = sorted({f.message.rpartition(" (in ")[2].rstrip(")") for f in group})
        out.append(replace(group[0], message=f"{base} (in {', '.join(names)})"))
    return out


def once(findings: list[Finding], instances: list[str]) -> list[Finding]:
    """One finding per problem and location: a file that several fleets share, or a config
    that several instances run (replicas, services sharing it), is reported once; the other
    instances' words join it as related notes at the same place.  ``instances``: the labels
    of instance servers and hosts, which alone tell such findings apart."""
    labels = sorted(set(instances), key=len, reverse=True)

    def problem(message: str) -> str:
        for label in labels:
            if label in message:
                message = message.replace(label, "\x00")
        return message

    first: dict[tuple, int] = {}
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.span.path, f.span.start, f.span.line, f.span.col, problem(f.message))
        at = first.get(key)
        if at is None:
            first[key] = len(out)
            out.append(f)
        elif f.message != out[at].message and len(out[at].related) < 8 and \
                all(r.message != f.message for r in out[at].related):
            out[at] = replace(out[at], related=(*out[at].related, Related(f.span, f"also: {f.message}")))
    return out


def select(raw: list[Finding], documents: dict[str, Document], found: Discovery, sources: SourceCache,
           settings, resolve, known: dict[str, list[Suppression]]) -> list[Finding]:
    """The findings to show: policy and inline suppressions applied, secrets masked.
    ``known``: each file's suppressions, as far as read already (filled in here)."""
    suppressions: dict[str, list[Suppression]] = {}  # the files that have any
    if settings.policy.use_suppressions:
        for path, doc in documents.items():
            if sources.file_of(path) == path:  # an embedded config's comments are its manifest's
                hit = known.get(path)
                if hit is None:
                    hit = known[path] = suppressions_in_comments(path, doc.text, doc.comments, doc.root is not None)
                if hit:
                    suppressions[path] = hit
        for path in (*found.compose, *found.yaml, *found.envfiles, *found.systemd):
            if sources.seen(path):
                hit = known.get(path)
                if hit is None:
                    hit = known[path] = suppressions_in(path, "\n".join(sources.lines(path)))
                if hit:
                    suppressions[path] = hit
    for sups in suppressions.values():  # kept from an earlier run: used or not is this run's
        for s in sups:
            s.used = False
    # each file's findings and suppressions under the policy of its own project config
    by_folder: dict[str, Policy] = {}

    def policy_of(path: str) -> Policy:
        folder = posixpath.dirname(path) or "."
        hit = by_folder.get(folder)
        if hit is None:
            hit = by_folder[folder] = resolve(folder).policy
        return hit

    groups: dict[int, tuple[Policy, list[Finding], dict[str, list[Suppression]]]] = {}
    for f in raw:
        pol = policy_of(f.span.path)
        groups.setdefault(id(pol), (pol, [], {}))[1].append(f)
    for path, sups in suppressions.items():
        pol = policy_of(path)
        groups.setdefault(id(pol), (pol, [], {}))[2][path] = sups
    shown = [f for pol, found_here, sups in groups.values() for f in apply(found_here, sups, pol)]
    return sorted((_redacted(f) for f in fold_consequences(shown, settings.policy)), key=Finding.sort_key)


def _redacted(f: Finding) -> Finding:
    """A finding's words quote no secret (rules never interpolate one); a URL's userinfo in
    them is masked.  Fix texts are help: never masked."""
    return replace(f, message=mask_urls(f.message), notes=tuple(map(mask_urls, f.notes)),
                   related=tuple(Related(r.span, mask_urls(r.message)) for r in f.related))
