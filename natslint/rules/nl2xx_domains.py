"""NL2xx: JetStream domains across clusters and leaf links."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from natslint.codes import (
    CLUSTER_DOMAIN_MISMATCH,
    DUPLICATE_DOMAIN_CLAIM,
    HUB_JETSTREAM_WITHOUT_DOMAIN,
    LEAF_JETSTREAM_WITHOUT_DOMAIN,
    LEAF_REUSES_DOMAIN,
)
from natslint.findings import Finding, Fix, Related, Severity
from natslint.fleet.groups import Groups
from natslint.fleet.model import Server, short_name
from natslint.rules.base import Rule
from natslint.rules.context import Context, as_leaf, domain_span, js_span, show_domain
from natslint.rules.fixes import domain_name, insert_entry, set_value
from natslint.syntax.model import Map
from natslint.words import count, verb


def check_duplicate_claims(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    domains = {d for js in reach.js_by_root.values() for d in js.domains if d}
    for domain in sorted(domains):
        claimers = reach.claims(domain)
        if len(claimers) < 2:
            continue
        if domain == ctx.expect_domain and not ctx.copies(domain) & {js.id for js in claimers}:
            # the lattice's own domain: one JetStream may carry it, wherever clients sit
            first, *others = sorted(claimers, key=lambda js: js.servers[0].path)
            anchor = next(x for x in others[0].servers if x.domain.value == domain)
            yield DUPLICATE_DOMAIN_CLAIM.at(
                domain_span(anchor),
                f"{len(claimers)} separate JetStreams claim the lattice's domain `{domain}`",
                "they are " + "; ".join(js.label for js in [first, *others]),
                "the lattice's domain (expect-domain) must be carried by one JetStream",
                related=tuple(Related(domain_span(x), f"also claims `{domain}`: {x.label}")
                              for x in first.servers[:1]),
                fix=f"keep `{domain}` on the lattice's JetStream only")
            continue
        if len(_independent(ctx, claimers, domain)) < 2:
            continue  # the extra claims are leaves copying their hub's domain: NL202's case
        witness = None
        for s in ctx.fleet.servers:
            for account in ctx.accounts_of(s):
                got = reach.answers(s, account, domain)
                if len(got) >= 2:
                    witness = (s, account, got)
                    break
            if witness:
                break
        if witness is None:
            continue
        s, account, got = witness
        first, *others = sorted(got, key=lambda js: js.servers[0].path)
        anchor = next(x for x in others[0].servers if x.domain.value == domain)
        related = [Related(domain_span(x), f"also claims domain `{domain}`: {x.label}")
                   for js in [first, *others[1:]] for x in js.servers if x.domain.value == domain][:5]
        related.append(Related(s.span, f"a client in account {account} on {s.label} gets "
                                       f"{len(got)} replies to `$JS.{domain}.API`"))
        users = [h for h in ctx.fleet.hosts if h.domain.value == domain]
        if not users and domain != ctx.expect_domain:
            # nobody uses it (the operator's per-host sidecars all carry one leafNodeDomain): a
            # trap for later, not a split lattice
            yield DUPLICATE_DOMAIN_CLAIM.at(
                domain_span(anchor), f"{len(got)} separate JetStreams share domain `{domain}`",
                "they are " + "; ".join(js.label for js in [first, *others]),
                f"no host or wadm uses it yet; any client that does gets {len(got)} replies",
                severity=Severity.INFO, related=tuple(related),
                fix=f"give each JetStream a domain of its own before a host or wadm uses `{domain}`")
            continue
        yield DUPLICATE_DOMAIN_CLAIM.at(
            domain_span(anchor),
            f"{len(got)} separate JetStreams carry domain `{domain}`, and clients reach all of them",
            "they are " + "; ".join(js.label for js in [first, *others]),
            f"a client in account {account} on {s.label} gets a reply from each to every "
            f"`$JS.{domain}.API` request, so streams and buckets are created twice and diverge",
            related=tuple(related),
            fix=f"keep domain `{domain}` on one JetStream and give the others their own domains")


# what standalone servers joined by a system-account link with one domain (or none) do
MIRRORED = ("the system-account link is treated as an extension, but neither server is clustered: each runs "
            "every JetStream API request of the other, so streams are created on both and diverge, and a client "
            "gets one reply or two")


# a clustered hub, a standalone leaf without `will_extend`, their system accounts linked
PARTLY_MIRRORED = ("the system-account link is treated as an extension, but the leaf is standalone without "
                   "`extension_hint: will_extend`: each side runs some of the other's JetStream API requests, "
                   "which ones varies from run to run, so a stream lands on one side or both and clients get "
                   "replies from either")


def _independent(ctx: Context, claimers, domain: str) -> list:
    """The claimers that do not get the domain by copying their hub's: a request stops at the
    first server that maps the domain, so a copy never answers beside its hub."""
    copies = ctx.copies(domain)
    return [js for js in claimers if js.id not in copies]


def check_leaf_reuses_domain(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    for leaf in ctx.fleet.servers:
        domain = leaf.domain.value
        if not leaf.js_enabled.value or not domain:
            continue
        for remote in leaf.remotes:
            hub = remote.hub
            hub_js = reach.jetstream_of(hub) if hub is not None else None
            if hub_js is None or domain not in hub_js.domains:
                continue
            if reach.jetstream_of(leaf) is hub_js:
                continue  # a valid extension over the system account: one JetStream
            anchor = next(s for s in hub_js.servers if s.domain.value == domain)
            ext = next((e for e in reach.extensions if e.leaf is leaf and e.hub is hub), None)
            why = f"the system-account link does not make it one JetStream: {ext.why}" if ext is not None else ""
            leaf_js = reach.jetstream_of(leaf)
            effect = (PARTLY_MIRRORED if reach.loosely_mirrored(hub_js) else MIRRORED) \
                if leaf_js in reach.mirrors(hub_js) else \
                f"the leaf's own JetStream answers its clients' `$JS.{domain}.API` requests, so they never reach the hub"
            yield LEAF_REUSES_DOMAIN.at(
                domain_span(leaf),
                f"{as_leaf(leaf)} reuses domain `{domain}` of the JetStream it connects to",
                f"it connects to {hub_js.label}",
                effect,
                why,
                related=(Related(domain_span(anchor), f"the hub's domain `{domain}`: {anchor.label}"),
                         Related(remote.span, "the leaf link")),
                fix=f"give {leaf.label} a domain of its own (not `{domain}`), or turn its JetStream off",
                autofix=_own_domain(reach, leaf, domain))
            break


def _own_domain(reach, leaf: Server, domain: str) -> Fix | None:
    """A domain of the leaf's own, made from its name: unsafe, its clients' `$JS.<domain>` move."""
    taken = {d for js in reach.js_by_root.values() for d in js.domains if isinstance(d, str)}
    cluster = leaf.cluster_name.value if isinstance(leaf.cluster_name.value, str) else None
    name = cluster or (leaf.server_name.value if isinstance(leaf.server_name.value, str) else
                       short_name(leaf.instance_of).rsplit("/", 1)[-1] if leaf.instance_of else None)
    new = domain_name(name, taken)
    if new is None or leaf.domain.span is None:
        return None
    return Fix(f"set the leaf's domain to `{new}`", (set_value(leaf.domain.span, domain, new),), safe=False,
               keys=("domain",), value=(domain, new),
               why_unsafe="a new domain moves the leaf's JetStream: clients that use the old name lose it")


def _add_domain(ctx: Context, servers: list[Server], domain: str | None) -> Fix | None:
    """`domain: <expect-domain>` in every `jetstream { }` map of a JetStream without one."""
    if not domain:
        return None
    edits = []
    for s in servers:
        doc = ctx.documents.get(s.path)
        js = doc.root.get_ci("jetstream") if doc is not None and doc.root is not None else None
        where = ctx.documents.get(js.value.span.path) if js is not None else None
        if where is None or not isinstance(js.value, Map):
            return None
        edits.append(insert_entry(where.text, js.value, f"domain: {domain}"))
    return Fix(f"add `domain: {domain}` (expect-domain)", tuple(edits), safe=False, keys=("domain",),
               why_unsafe="clients that use this JetStream without a domain must then name it") if edits else None


def _gateway_groups(ctx: Context) -> list[list[Server]]:
    """Clusters joined by gateways form one super-cluster: one JetStream meta group."""
    fleet = ctx.fleet
    joined = Groups(c.id for c in fleet.clusters)
    for s in fleet.servers:
        for target in s.gateway_targets:
            joined.join(fleet.cluster_of[s.id].id, fleet.cluster_of[target.id].id)
    groups: dict[int, list[Server]] = {}
    for c in fleet.clusters:
        groups.setdefault(joined.find(c.id), []).extend(c.servers)
    return list(groups.values())


def _group_name(ctx: Context, s: Server, keeper: Server) -> str:
    mine, theirs = ctx.fleet.cluster_of[s.id], ctx.fleet.cluster_of[keeper.id]
    if mine is theirs:
        return f"cluster `{mine.name}`"
    return f"super-cluster (gateway from `{mine.name}` to `{theirs.name}`)"


def check_cluster_domain_mismatch(ctx: Context) -> Iterator[Finding]:
    for members in _gateway_groups(ctx):
        relevant = [s for s in members if (s.js_enabled.value or s.domain.value is not None) and not s.domain_unknown]
        if len(relevant) < 2:
            continue
        counts = Counter(s.domain.value for s in relevant)
        if len(counts) < 2:
            continue
        ordered = sorted(relevant, key=lambda s: s.path)
        majority = max(counts, key=lambda d: (counts[d], -next(i for i, s in enumerate(ordered)
                                                                 if s.domain.value == d)))
        keeper = next(s for s in ordered if s.domain.value == majority)
        for s in ordered:
            if s.domain.value == majority:
                continue
            yield CLUSTER_DOMAIN_MISMATCH.at(
                domain_span(s),
                f"{s.label} has JetStream domain {show_domain(s.domain.value)}, but its "
                f"{_group_name(ctx, s, keeper)} uses {show_domain(majority)}",
                f"{keeper.label} has {show_domain(majority)}",
                "peers of another domain are filtered out, so placement fails and this server's domain "
                "is unreachable",
                related=(Related(domain_span(keeper), f"domain {show_domain(majority)}: {keeper.label}"),),
                fix=f"use the same domain on every server of the cluster ({show_domain(majority)})")


def check_leaf_js_without_domain(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    for leaf in ctx.fleet.servers:
        if not leaf.js_enabled.value or leaf.domain.value is not None or leaf.domain_unknown:
            continue  # unknown is not missing
        for remote in leaf.remotes:
            hub_js = reach.jetstream_of(remote.hub) if remote.hub is not None else None
            if hub_js is None or hub_js is reach.jetstream_of(leaf):
                continue
            mirrored = reach.jetstream_of(leaf) in reach.mirrors(hub_js)
            yield LEAF_JETSTREAM_WITHOUT_DOMAIN.at(
                js_span(leaf),
                f"{as_leaf(leaf)} runs JetStream without a domain, and so does the hub it connects to",
                f"it connects to {remote.hub.label}",
                MIRRORED if mirrored else "nothing outside the leaf can address the leaf's JetStream",
                severity=Severity.ERROR if mirrored else None,
                related=(Related(remote.span, "the leaf link"),),
                fix="give the leaf's JetStream its own domain: jetstream { domain: <name> }")
            break


def check_hub_js_without_domain(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    for js in reach.js_by_root.values():
        if None not in js.domains or any(s.domain_unknown for s in js.servers):
            continue  # a domain from a variable natslint cannot see is unknown, not missing
        attached = [(leaf, r) for leaf in ctx.fleet.servers for r in leaf.remotes
                    if r.hub is not None and reach.jetstream_of(r.hub) is js
                    and reach.jetstream_of(leaf) is not js and reach.jetstream_of(leaf) not in reach.mirrors(js)]
        if not attached:
            continue
        needy = [h for h in ctx.fleet.hosts if h.server is not None
                 and any(h.server is leaf for leaf, _ in attached) and not reach.host_jetstreams(h)
                 and not any(r.hub is None for r in h.server.remotes)]
        hub = next(s for s in js.servers if s.domain.value is None)
        severity = Severity.ERROR if needy else Severity.WARNING
        related = [Related(r.span, f"leaf link from {leaf.label}") for leaf, r in attached[:3]]
        related += [Related(h.span, f"{h.label} gets no JetStream") for h in needy[:3]]
        yield HUB_JETSTREAM_WITHOUT_DOMAIN.at(
            js_span(hub),
            f"{js.label} has no domain, but {count(len(attached), 'leaf server')} "
            f"{verb(len(attached), 'attaches', 'attach')} to it",
            "only `$JS.<domain>.API` crosses a leaf link, so the leaves' clients cannot reach it",
            f"{count(len(needy), 'host')} behind them {verb(len(needy), 'has', 'have')} no JetStream at all" if needy else "",
            severity=severity, related=tuple(related),
            fix="give the hub's JetStream a domain and point leaf-side clients at it "
                "(WASMCLOUD_JS_DOMAIN, WADM_JETSTREAM_DOMAIN)",
            autofix=_add_domain(ctx, [s for s in js.servers if s.domain.value is None], ctx.expect_domain))


RULES = (
    Rule(DUPLICATE_DOMAIN_CLAIM, check_duplicate_claims),
    Rule(LEAF_REUSES_DOMAIN, check_leaf_reuses_domain),
    Rule(CLUSTER_DOMAIN_MISMATCH, check_cluster_domain_mismatch),
    Rule(LEAF_JETSTREAM_WITHOUT_DOMAIN, check_leaf_js_without_domain),
    Rule(HUB_JETSTREAM_WITHOUT_DOMAIN, check_hub_js_without_domain),
)
