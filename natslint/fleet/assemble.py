"""Documents and workloads -> the Fleet: servers, hosts, and every link resolved."""

from __future__ import annotations

from natslint.deploy.workload import Workload
from natslint.fleet.build import hosts_from_workloads, link, servers_from_workloads
from natslint.fleet.model import Fleet, Server
from natslint.fleet.servers import server_from_document
from natslint.sources import SourceCache
from natslint.syntax.document import Document


def unlinked(documents: dict[str, Document], roots: list[str], workloads: list[Workload],
             sources: SourceCache) -> Fleet:
    """One server per root config (a config no other config includes), the servers and hosts
    the deployments describe; no link resolved yet."""
    fleet = Fleet()
    by_path: dict[str, Server] = {}
    for path in roots:
        doc = documents.get(path)
        if doc is None:
            continue
        s = server_from_document(doc, path)
        fleet.servers.append(s)
        by_path[sources.realpath(path)] = s
    servers_from_workloads(fleet, workloads, by_path, sources)
    hosts_from_workloads(fleet, workloads)
    return fleet


def assemble(documents: dict[str, Document], roots: list[str], workloads: list[Workload],
             sources: SourceCache, aliases: dict[str, str] | None = None) -> Fleet:
    """The fleet, with every leaf link, route, gateway and host connection resolved."""
    fleet = unlinked(documents, roots, workloads, sources)
    link(fleet, sources, aliases)
    return fleet
