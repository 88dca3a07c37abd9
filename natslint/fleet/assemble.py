"""Documents and deployment files -> the Fleet, then every fleet rule over it."""

from __future__ import annotations

import os
from typing import Mapping

from natslint.paths import real
from natslint.discover import Discovery, Skipped
from natslint.findings import INTERNAL_ERROR, Finding
from natslint.span import Span
from natslint.fleet.build import hosts_from_workloads, link, servers_from_workloads
from natslint.fleet.model import Fleet, Server
from natslint.fleet.reach import Reach
from natslint.fleet.servers import server_from_document
from natslint.rules import all_rules
from natslint.rules.context import Context
from natslint.sources import (
    Workload,
    config_maps,
    load_yaml_documents,
    looks_like_compose,
    looks_like_kubernetes,
    looks_like_nats_chart_values,
    read_compose,
    read_envfile_workload,
    read_kubernetes,
    read_nats_chart_values,
    read_systemd,
)
from natslint.syntax.parser import Document


def _guard(findings: list[Finding], path: str, reader, *args):
    """One unreadable deployment file is a finding, never the end of the run."""
    try:
        return reader(*args)
    except Exception as exc:  # a reader met a shape it does not expect: say so, go on
        if os.environ.get("NATSLINT_DEBUG"):
            raise
        findings.append(INTERNAL_ERROR.at(Span(path, 0, 0, 1, 1, 1, 1),
                                          f"natslint could not read {path}: {type(exc).__name__}: {exc}",
                                          fix="please report this file's shape; the rest of the fleet was checked"))
        return None


def _rule_findings(rule, ctx, findings: list[Finding]) -> list[Finding]:
    try:
        return list(rule.check(ctx))
    except Exception as exc:  # one broken rule must not hide the others' findings
        if os.environ.get("NATSLINT_DEBUG"):
            raise
        findings.append(INTERNAL_ERROR.at(Span(".", 0, 0, 1, 1, 1, 1),
                                          f"rule {rule.code.code} {rule.code.name} failed: {type(exc).__name__}: {exc}",
                                          fix="please report it; the other rules ran"))
        return []


def read_workloads(found: Discovery, env: Mapping[str, str],
                   findings: list[Finding] | None = None) -> list[Workload]:
    findings = findings if findings is not None else []
    workloads: list[Workload] = []
    used_env_files: set[str] = set()
    for path in found.compose:
        res = _guard(findings, path, read_compose, path, env)
        if res is None:
            continue
        workloads.extend(res.workloads)
        findings.extend(res.findings)
        used_env_files |= res.env_files_used
    loaded = [(path, *load_yaml_documents(path)) for path in found.yaml]
    maps = {}
    for path, docs, error in loaded:
        if docs and not error:
            maps.update(config_maps(path, docs))
    for path, docs, error in loaded:
        if error:  # not a compose file by name: maybe a template; say so, do not fail
            found.skipped.append(Skipped(path, error))
            continue
        if not docs:
            continue
        if looks_like_compose(docs[0]):
            res = _guard(findings, path, read_compose, path, env)
            if res is not None:
                used_env_files |= res.env_files_used
        elif looks_like_nats_chart_values(docs[0]):
            chart = _guard(findings, path, read_nats_chart_values, path, docs[0])
            if chart is not None:
                workloads.append(chart)
            continue
        elif looks_like_kubernetes(docs):
            res = _guard(findings, path, read_kubernetes, path, docs, maps)
        else:
            continue
        if res is not None:
            workloads.extend(res.workloads)
    units: dict[str, Workload] = {}
    for path in found.systemd:
        w = read_systemd(path)
        if w is None:
            continue
        if w.id in units:  # a drop-in adds to (and overrides) its unit
            base = units[w.id]
            base.env.update(w.env)
            base.command = w.command or base.command
            base.runs_nats = base.runs_nats or w.runs_nats
            base.config_paths += w.config_paths
        else:
            units[w.id] = w
    workloads.extend(units.values())
    for path in found.envfiles:
        if used_env_files and real(path) in used_env_files:
            continue  # compose's own .env: interpolation input, not a host of its own
        w = read_envfile_workload(path)
        if w is not None:
            workloads.append(w)
    return workloads


def assemble(found: Discovery, documents: dict[str, Document], roots: list[str],
             env: Mapping[str, str], aliases: dict[str, str] | None = None,
             expect_domain: str | None = None) -> tuple[Fleet, list[Finding]]:
    fleet = Fleet()
    by_path: dict[str, Server] = {}
    for path in roots:
        doc = documents.get(path)
        if doc is None:
            continue
        s = server_from_document(doc, path)
        fleet.servers.append(s)
        by_path[real(path)] = s
    findings: list[Finding] = []
    workloads = read_workloads(found, env, findings)
    servers_from_workloads(fleet, workloads, by_path)
    hosts_from_workloads(fleet, workloads)
    link(fleet, aliases)
    ctx = Context(fleet, Reach(fleet), documents, expect_domain)
    seen: set[tuple] = set()
    for rule in all_rules():
        for f in _rule_findings(rule, ctx, findings):
            key = (f.code, f.span.path, f.span.start, f.span.line, f.span.col, f.message)
            if key not in seen:  # a file included by several servers is reported once
                seen.add(key)
                findings.append(f)
    return fleet, findings
