"""Documents and workloads -> the Fleet: servers, hosts, and every link resolved."""

from __future__ import annotations

from natslint.deploy.workload import Workload
from natslint.fleet.build import link
from natslint.fleet.instances import (
    Reparse,
    hosts_from_workloads,
    servers_from_workloads,
)
from natslint.fleet.model import Fleet, Server, short_name
from natslint.fleet.servers import server_from_document
from natslint.fleet.startup import refusals_of, startup_failure
from natslint.sources import SourceCache
from natslint.syntax.document import Document


def unlinked(documents: dict[str, Document], roots: list[str], workloads: list[Workload],
             sources: SourceCache, reparse: Reparse | None = None, take: bool = False) -> Fleet:
    """One server per root config (a config no other config includes), the servers and hosts
    the deployments describe; no link resolved yet.  ``take``: the documents' kept server
    models are handed over, not copied (a run that keeps nothing for the next)."""
    fleet = Fleet()
    present = [p for p in roots if p in documents]
    run = servers_from_workloads(fleet, workloads, {sources.realpath(p): p for p in present}, documents, sources,
                                 reparse)
    # a config no deployment starts is one server (before the deployments' instances)
    fleet.servers[:0] = [server_from_document(documents[p], p, take=take) for p in present if p not in run]
    hosts_from_workloads(fleet, workloads)
    fleet.published = [(f"service `{short_name(w.id)}`", w.project, w.profiles, p)
                       for w in workloads if w.kind == "compose" for p in w.published]
    return fleet


def assemble(documents: dict[str, Document], roots: list[str], workloads: list[Workload],
             sources: SourceCache, aliases: dict[str, str] | None = None, reparse: Reparse | None = None,
             machines: dict[str, str] | None = None, machine_aliases: dict[str, dict[str, str]] | None = None,
             take: bool = False) -> Fleet:
    """The fleet, with every leaf link, route, gateway and host connection resolved;
    ``machines``: config -> the declared machine it runs on; ``take``: as :func:`unlinked`."""
    fleet = unlinked(documents, roots, workloads, sources, reparse, take)
    for s in fleet.servers:
        doc = s.document if s.document is not None else documents.get(s.path) if not s.synthetic else None
        s.nats_version = s.image_version or getattr(doc, "nats_version", s.nats_version)
        if doc is not None and doc.root is not None and s.document is None and not s.instance_of:
            _kept_refusals(s, doc)
        s.refuses = s.refuses or startup_failure(s, getattr(doc, "root", None))
    fleet.unseen = [s for s in fleet.servers if s.config_unseen]
    fleet.servers = [s for s in fleet.servers if not s.config_unseen]
    link(fleet, sources, aliases, machines, machine_aliases)
    return fleet


def _kept_refusals(s: Server, doc: Document) -> None:
    """A plain config's server is its document's model as read, nothing adjusted: what
    validateOptions refuses depends on the document and the version alone, so the document
    keeps it, and an engine's edit elsewhere in the fleet does not read it again."""
    key = ("refusals", s.path, s.nats_version)
    kept = doc.derived.get(key)
    if kept is None:
        doc.derived[key] = refusals_of(s, doc.root)
    else:
        s.refusals = (doc.root, kept)
