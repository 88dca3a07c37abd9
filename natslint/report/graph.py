"""`natslint graph`: the topology, with findings marked on the nodes they concern.

Clusters with their members and domains, leaf links with their accounts, hosts and wadm with
the JetStream each reaches.  Mermaid (renders on GitHub), Graphviz dot, or a text tree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from natslint.findings import Severity
from natslint.fleet.model import Fleet, Host, Server, serves_leaf
from natslint.fleet.reach import Reach, short_labels
from natslint.redact import mask_urls


@dataclass(slots=True)
class Topology:
    fleet: Fleet
    reach: Reach
    prefix: str  # of its node ids: unique across the fleets of one graph
    servers: dict[str, str]  # server id -> node id
    hosts: list[tuple[str, Host]]
    flagged: set[str]  # node ids with an error or warning


def _name(s: Server) -> str:
    name = s.server_name.value
    return str(name) if isinstance(name, str) and name and not s.unnamed_release else (s.display or s.id)


def _link_target(t, r) -> str:
    """Where a leaf link goes: its server, or the hub's cluster when its URLs reach several of its
    servers (the leaf dials them in turn: the link is to the cluster)."""
    if r.hub is None:
        return f"{r.urls[0][0] if r.urls else '?'} (external)"
    cluster = t.fleet.cluster_of.get(r.hub.id)
    reached = {x[2].id for x in r.targets}
    if cluster is not None and len(cluster.servers) > 1 and len(reached) > 1 and \
            reached <= {m.id for m in cluster.servers}:
        return f"cluster {cluster.name} (via {', '.join(_name(x[2]) for x in r.targets)})"
    return _name(r.hub)


def _account(s: Server | None, account: str) -> str:
    """An account as a drawing names it: in operator mode, its JWT's name and short key."""
    name = s.account_names.get(account) if s is not None else None
    return f"{name} ({account[:8]}…)" if name else account


def _services(servers: list[Server]) -> str:
    """The Services in front of a release's pods, by their short names."""
    pods = {str(s.server_name.value) for s in servers}
    names = {n for s in servers for n in s.names if "." not in n and n not in pods}
    return ", ".join(sorted(names)) or "(names unknown)"


def _domain(s: Server) -> str:
    if not s.js_enabled.value:
        return "no JetStream"
    return f"domain {s.domain.value}" if s.domain.value else "JetStream, no domain"


def topologies(result) -> list[tuple[str, Topology]]:
    """Each fleet of the result with its title ("" when the tree holds one fleet); node ids
    are unique across fleets."""
    many = len(result.fleets) > 1
    return [(f"fleet {fc.plan.name} ({fc.plan.kind})" if many else "",
             topology(fc.fleet, fc.reach, result.findings, f"F{i}" if many else ""))
            for i, fc in enumerate(result.fleets)]


def _masked(render: Callable[..., str]) -> Callable[..., str]:
    """A drawing shows URLs as written, but never their userinfo's password or token."""
    @functools.wraps(render)
    def masked(result) -> str:
        return mask_urls(render(result))
    return masked


def topology(fleet: Fleet, reach: Reach, findings: list, prefix: str = "") -> Topology:
    servers = {s.id: f"{prefix}S{i}" for i, s in enumerate(fleet.servers)}
    hosts = [(f"{prefix}H{i}", h) for i, h in enumerate(fleet.hosts)]
    flagged: set[str] = set()
    bad = [f for f in findings if f.severity >= Severity.WARNING]
    # a consequence folded into its cause (NL302 inside the NL202) still marks its own node
    spans = [f.span for f in bad] + [r.span for f in bad for r in f.related if " follows from it: " in r.message]
    at = {(sp.path, sp.line) for sp in spans}
    for s in fleet.servers:
        if (any(sp.path == s.path for sp in spans) or _places(s) & at) and not s.synthetic:
            flagged.add(servers[s.id])
    for node, h in hosts:
        if any(sp.path == h.path and sp.line == (h.domain.span or h.span).line for sp in spans):
            flagged.add(node)
    return Topology(fleet, reach, prefix, servers, hosts, flagged)


def _places(s: Server) -> set[tuple[str, int]]:
    """Where a server's settings are written, for a config that is no file of its own (a
    ConfigMap's key, a chart's rendering): a finding there concerns it."""
    if "#" not in s.path:
        return set()
    spans = [s.domain.span, s.js_enabled.span, s.server_name.span, s.cluster_name.span,
             *(li.span for li in s.listeners), *(r.span for r in s.remotes)]
    return {(sp.path, sp.line) for sp in spans if sp is not None}


def _mq(text: str) -> str:
    return text.replace('"', "#quot;").replace("`", "")


@_masked
def render_mermaid(result) -> str:
    out = ["flowchart LR"]
    flagged: list[str] = []
    for title, t in topologies(result):
        body = _mermaid(t)
        out += [f'  subgraph {t.prefix}["{_mq(title)}"]', *("  " + line for line in body), "  end"] if title else body
        flagged += t.flagged
    if flagged:
        out.append("  classDef finding fill:#fdd,stroke:#c00,stroke-width:2px")
        out.append(f"  class {','.join(sorted(flagged))} finding")
    return "\n".join(out) + "\n"


def _mermaid(t: Topology) -> list[str]:
    out: list[str] = []
    for c in t.fleet.clusters:
        if len(c.servers) > 1:
            out.append(f'  subgraph {t.prefix}C{c.id}["cluster {_mq(c.name or "?")}"]')
            out += [f'    {t.servers[s.id]}["{_mq(_name(s))}<br/>{_mq(_domain(s))}"]' for s in c.servers]
            out.append("  end")
        else:
            s = c.servers[0]
            out.append(f'  {t.servers[s.id]}["{_mq(_name(s))}<br/>{_mq(_domain(s))}"]')
    for s in t.fleet.servers:
        for r in s.remotes:
            if r.hub is not None:
                hub_account = _account(r.hub, r.hub_account)
                label = r.account if hub_account == r.account else f"{r.account} to {hub_account}"
                style = "-->" if r.resolved_url is not None and serves_leaf(r.resolved_url[0], r.resolved_listener, r.hub) else "-.-x"
                out.append(f'  {t.servers[s.id]} {style}|"leaf {_mq(label)}"| {t.servers[r.hub.id]}')
    for node, h in t.hosts:
        lattice = f" · lattice {h.lattice.value}" if isinstance(h.lattice.value, str) else ""
        out.append(f'  {node}(["{_mq(h.label)}{_mq(lattice)}"])')
        if h.server is not None:
            what = short_labels(t.reach.host_jetstreams(h), "no JetStream")
            domain = h.domain.value if isinstance(h.domain.value, str) and h.domain.value else "(none)"
            out.append(f'  {node} -.->|"JS {_mq(domain)}: {_mq(what)}"| {t.servers[h.server.id]}')
    return out


def _dq(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@_masked
def render_dot(result) -> str:
    out = ["digraph natslint {", "  rankdir=LR;", "  node [shape=box];"]
    for title, t in topologies(result):
        body = _dot(t)
        out += [f"  subgraph cluster_{t.prefix} {{", f'    label="{_dq(title)}";', *("  " + line for line in body),
                "  }"] if title else body
    out.append("}")
    return "\n".join(out) + "\n"


def _dot(t: Topology) -> list[str]:
    out: list[str] = []
    for c in t.fleet.clusters:
        members = [f'    {t.servers[s.id]} [label="{_dq(_name(s))}\\n{_dq(_domain(s))}"'
                   + (', color=red, penwidth=2' if t.servers[s.id] in t.flagged else "") + "];" for s in c.servers]
        if len(c.servers) > 1:
            out += [f"  subgraph cluster_{t.prefix}{c.id} {{", f'    label="cluster {_dq(c.name or "?")}";', *members,
                    "  }"]
        else:
            out += [m[2:] for m in members]
    for s in t.fleet.servers:
        for r in s.remotes:
            if r.hub is not None:
                out.append(f'  {t.servers[s.id]} -> {t.servers[r.hub.id]} [label="leaf {_dq(r.account)}"];')
    for node, h in t.hosts:
        out.append(f'  {node} [shape=ellipse, label="{_dq(h.label)}"'
                   + (', color=red, penwidth=2' if node in t.flagged else "") + "];")
        if h.server is not None:
            what = short_labels(t.reach.host_jetstreams(h), "no JetStream")
            out.append(f'  {node} -> {t.servers[h.server.id]} [style=dashed, label="JS: {_dq(what)}"];')
    return out


@_masked
def render_tree(result) -> str:
    parts = []
    for title, t in topologies(result):
        parts.append("\n".join(([title] if title else []) + _tree(t)) + "\n")
    return "\n".join(parts)


def _tree(t: Topology) -> list[str]:
    lines = []
    mark = {True: " ⚠", False: ""}
    for c in t.fleet.clusters:
        if len(c.servers) > 1:
            lines.append(f"cluster {c.name}")
            if c.servers[0].release:
                lines.append(f"  release {c.servers[0].release}, Services: {_services(c.servers)}")
            for i, s in enumerate(c.servers):
                branch = "└─" if i == len(c.servers) - 1 else "├─"
                lines.append(f"  {branch} {_name(s)} ({_domain(s)}){mark[t.servers[s.id] in t.flagged]}")
        else:
            s = c.servers[0]
            lines.append(f"{_name(s)} ({_domain(s)}){mark[t.servers[s.id] in t.flagged]}")
        for s in c.servers:
            for r in s.remotes:
                target = _link_target(t, r)
                into = f" [{_account(r.hub, r.hub_account)}]" if r.hub is not None and r.hub.operator_mode else ""
                lines.append(f"  ↳ leaf link from {_name(s)} [{r.account}] to {target}{into}")
    for node, h in t.hosts:
        server = _name(h.server) if h.server is not None else "(unresolved)"
        got = t.reach.host_jetstreams(h) if h.server is not None else []
        what = short_labels(got, "no JetStream")
        domain = h.domain.value if isinstance(h.domain.value, str) else "(none)"
        lines.append(f"{h.label} → {server}, domain {domain} ⇒ {what}{mark[node in t.flagged]}")
    return lines
