"""NL3xx: wasmCloud hosts and wadm, and the JetStream domain each must reach."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from natslint.codes import (
    HOST_DOMAIN_MISSING,
    HOST_DOMAIN_UNKNOWN,
    HOST_DOMAIN_UNREACHABLE,
    HOST_ENV_LEGACY,
    LATTICE_DOMAIN_SPLIT,
    LEAF_REUSES_DOMAIN,
)
from natslint.findings import Finding, Fix, Related, Severity
from natslint.fleet.model import Host
from natslint.fleet.reach import JetStream
from natslint.rules.base import Rule
from natslint.rules.context import Context, domain_span
from natslint.rules.fixes import set_value
from natslint.rules.similar import close_matches
from natslint.span import Span


def _var(h: Host) -> str:
    """The setting that holds its domain, named as in the file the user edits."""
    return h.domain_setting or ("WADM_JETSTREAM_DOMAIN" if h.kind == "wadm" else "WASMCLOUD_JS_DOMAIN")


def _where(h: Host):
    return h.domain.span or h.span


_NOTHING: frozenset[str] = frozenset()


def _set(h: Host, value: str) -> str:
    """How to change the host's domain, in the file the user edits: the `.env` line a compose
    `${VAR}` takes it from, else the setting itself."""
    if h.domain_origin is not None:
        name, span = h.domain_origin
        return f"set {name}={value} in {span.path}:{span.line} (compose puts it in {_var(h)})"
    if h.env_mapped and not h.domain_setting:  # the file's own syntax: a compose `environment:` map
        return f"set `{_var(h)}: {value}`"
    return f"set {_var(h)}={value}"


def _origin(h: Host) -> tuple[Related, ...]:
    if h.domain_origin is None:
        return ()
    name, span = h.domain_origin
    return (Related(span, f"{name} is set here, and compose puts it in {_var(h)}"),)


def _copied(js: JetStream, domain: str) -> tuple[str, Span] | None:
    """The NL202 a host's wrong answer follows from: the leaf that copied the hub's domain."""
    leaf = next((x for x in js.servers if x.domain.value == domain), None)
    return (LEAF_REUSES_DOMAIN.code, domain_span(leaf)) if leaf is not None else None


def check_unknown(ctx: Context) -> Iterator[Finding]:
    claimed = {s.domain.value for s in ctx.fleet.servers if s.domain.value}
    everywhere = sorted(claimed)
    suggested: dict[tuple[str, int], list[str]] = {}
    expect = ctx.expect_domain
    for h in ctx.fleet.hosts:
        d = h.domain.value
        if expect and isinstance(d, str) and d and d != expect:
            yield HOST_DOMAIN_UNKNOWN.at(
                _where(h), f"{h.label} uses JetStream domain `{d}`, not the lattice's domain `{expect}`",
                f"{_var(h)} sets it; the lattice's domain is expect-domain in the project config",
                fix=_set(h, expect), related=_origin(h))
            continue
        if h.server is None:
            continue  # its server is not in the checked tree (NL406 says so): unknown, not absent
        if isinstance(d, str) and d and d not in claimed:
            # Suggest what the host can be linked to first: it is the likelier meaning, and
            # it keeps the search to one region of a large fleet instead of every domain.
            near = ctx.reach.linked_domains(h.server)
            key = (d, id(near))  # the sets live as long as the run: their ids stay theirs
            if key not in suggested:  # a template's typo repeats on every host it made
                suggested[key] = close_matches(d, tuple(sorted(near))) or close_matches(d, tuple(everywhere))
            close = suggested[key]
            if close:
                known = f"did you mean `{close[0]}`?"
            else:
                shown = everywhere[:5]
                known = "domains in the fleet: " + (", ".join(f"`{x}`" for x in shown) or "none") + \
                    (f" and {len(claimed) - 5} more" if len(claimed) > 5 else "")
            external = ctx.reach.external_links(h.server)
            if external:
                url = external[0].urls[0][0] if external[0].urls else "an external server"
                beyond = f"it may live beyond {url}, which is outside the checked tree"
            else:
                beyond = "its bucket requests get no responders"
            yield HOST_DOMAIN_UNKNOWN.at(
                _where(h),
                f"{h.label} uses JetStream domain `{d}` ({_var(h)}), which no server in the fleet has",
                known, beyond, autofix=_typo_fix(ctx, h, d, near),
                # the domain may well be carried beyond a link natslint cannot follow: unknown
                severity=Severity.INFO if external else None, related=_origin(h),
                fix=_set(h, close[0]) if close else
                f"set {_var(h)} to the domain of the servers that hold the lattice's JetStream")


def _typo_fix(ctx: Context, h: Host, d: str, near) -> Fix | None:
    """The one reachable domain a typo is close to, set where the value is written (the `.env`
    line a compose `${VAR}` reads, or the setting). Unsafe when that text feeds other workloads."""
    close = close_matches(d, tuple(sorted(near)), 2)
    if len(close) != 1:
        return None
    span = h.domain_origin[1] if h.domain_origin is not None else h.domain.span
    if span is None:
        return None
    # the workloads that read this very text (a compose reader locates by line and column only):
    # an edit of one service's own `environment` key feeds that service alone
    where = (span.path, span.line, span.col)
    readers = {x.instance_of or x.id for x in ctx.fleet.hosts
               if any(s is not None and (s.path, s.line, s.col) == where
                      for s in (x.domain.span, x.domain_origin[1] if x.domain_origin else None))}
    return Fix(f"set {_var(h)} to `{close[0]}`", (set_value(span, d, close[0]),), safe=len(readers) <= 1,
               value=(d, close[0]), why_unsafe="" if len(readers) <= 1 else
               f"the text feeds {len(readers)} workloads: " + ", ".join(sorted(readers)[:4]))


def check_unreachable(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    for h in ctx.fleet.hosts:
        d = h.domain.value
        if not (isinstance(d, str) and d) or h.server is None:
            continue
        claimers = reach.claims(d)
        if not claimers:
            continue  # NL301
        got = reach.host_jetstreams(h)
        s = h.server
        if not got and reach.external_links(s):
            continue  # the way out leads outside the fleet: not provably unreachable (NL406)
        if not got:
            anchor = claimers[0].servers[0]
            yield HOST_DOMAIN_UNREACHABLE.at(
                _where(h),
                f"{h.label} uses domain `{d}`, which no leaf link leads to from the server it connects to",
                f"it connects to {s.label}; {claimers[0].label} carries `{d}`",
                "its bucket requests get no responders",
                related=(Related(domain_span(anchor), f"domain `{d}`: {anchor.label}"),
                         Related(h.endpoint_host.span or h.span, f"connects to {s.label}")),
                fix=f"connect {s.label} to {anchor.label} with a leaf remote, or connect the host "
                    "to a server that reaches it")
            continue
        reusers = ctx.copies(d)
        if len(got) == 1 and got[0].id in reusers:
            lattice_js = [js for js in claimers if js.id not in reusers]
            target = lattice_js[0] if lattice_js else None
            yield HOST_DOMAIN_UNREACHABLE.at(
                _where(h),
                f"{h.label} uses domain `{d}`, which the server it connects to answers itself",
                f"{got[0].label} answers `$JS.{d}.API`" + (f" instead of {target.label}" if target else ""),
                "the host keeps its lattice's state in the leaf's JetStream",
                related=tuple(Related(domain_span(x), f"domain `{d}`: {x.label}")
                              for js in ([target] if target else []) for x in js.servers[:1]),
                fix=f"give {s.label} its own domain so `{d}` reaches the hub",
                cause=_copied(got[0], d))


def check_missing(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    domains = sorted({dd for js in reach.js_by_root.values() for dd in js.domains if dd})
    for h in ctx.fleet.hosts:
        if h.domain.value is not None or h.server is None or h.opaque_env:
            continue  # (with envFrom a Secret natslint cannot read, the domain may well be set)
        if reach.host_jetstreams(h):
            continue
        account = reach.host_account(h)
        options = [(d, reach.answers(h.server, account, d)) for d in domains]
        options = [(d, got) for d, got in options if len(got) == 1]
        if not options:
            continue
        reusers = {d: ctx.copies(d) for d, _ in options}
        options.sort(key=lambda o: (o[1][0].id in reusers[o[0]], o[0]))
        d, got = options[0]
        yield HOST_DOMAIN_MISSING.at(
            h.span if h.domain.span is None else h.domain.span,
            f"{h.label} sets no JetStream domain, and the server it connects to has no JetStream for it",
            f"it connects to {h.server.label}; the plain `$JS.API` never crosses a leaf link, so its "
            "bucket requests get no responders",
            f"{got[0].label} is reachable as domain `{d}`",
            related=(Related(got[0].servers[0].domain.span or got[0].servers[0].span,
                             f"domain `{d}`: {got[0].servers[0].label}"),),
            fix=f"set {_var(h)}={d}")


def _wadm_anchor(ctx: Context) -> tuple[Host, JetStream] | None:
    """The JetStream wadm keeps every lattice's state in, when each wadm of the fleet reaches the
    same one (wadm has no lattice setting: it serves every lattice it sees events for)."""
    seen: dict[int, tuple[Host, JetStream]] = {}
    for h in ctx.fleet.hosts:
        if h.kind == "wadm" and h.server is not None and not (h.opaque_env and h.domain.value is None):
            got = ctx.reach.host_jetstreams(h)
            if len(got) != 1:
                return None
            seen.setdefault(got[0].id, (h, got[0]))
    return next(iter(seen.values())) if len(seen) == 1 else None


def check_split(ctx: Context) -> Iterator[Finding]:
    reach = ctx.reach
    by_lattice: dict[str, list[tuple[Host, list[JetStream]]]] = defaultdict(list)
    for h in ctx.fleet.hosts:
        if h.kind != "host" or h.server is None or not isinstance(h.lattice.value, str) or \
                (h.opaque_env and h.domain.value is None):
            continue
        got = reach.host_jetstreams(h)
        if got:
            by_lattice[h.lattice.value].append((h, got))
    wadm = _wadm_anchor(ctx)
    for lattice, members in sorted(by_lattice.items()):
        for h, got in members:
            if len(got) > 1:
                yield LATTICE_DOMAIN_SPLIT.at(
                    _where(h),
                    f"{h.label} (lattice `{lattice}`) gets replies from {len(got)} JetStreams",
                    "they are " + "; ".join(js.label for js in got),
                    "its buckets are created twice and diverge",
                    fix="make exactly one JetStream carry the lattice's domain")
        singles = [(h, got[0]) for h, got in members if len(got) == 1]
        yield from _odd_ones_out(ctx, lattice, singles, wadm)


def _odd_ones_out(ctx: Context, lattice: str, singles: list[tuple[Host, JetStream]],
                  wadm: tuple[Host, JetStream] | None) -> Iterator[Finding]:
    """Each host whose JetStream is not the lattice's: wadm's, where wadm has one (it keeps
    the lattice's state); else the one no leaf copied a domain into, then the most used."""
    counts: dict[int, int] = defaultdict(int)
    for _, js in singles:
        counts[js.id] += 1
    if len(counts | ({wadm[1].id: 0} if wadm else {})) < 2:
        return
    first_js = {}
    for h, js in singles:
        first_js.setdefault(js.id, (h, js))
    if wadm is not None:
        main_host, main_js = wadm
    else:
        copied = set().union(*(ctx.copies(h.domain.value) for h, _ in singles if isinstance(h.domain.value, str)))
        majority = max(counts, key=lambda i: (i not in copied, counts[i], -list(first_js).index(i)))
        main_host, main_js = first_js[majority]
    domain = main_host.domain.value
    for h, js in singles:
        if js.id == main_js.id:
            continue
        yield LATTICE_DOMAIN_SPLIT.at(
            _where(h),
            f"{h.label} keeps lattice `{lattice}`'s state in another JetStream than {main_host.label}",
            f"it uses {js.label}; {main_host.label} uses {main_js.label}",
            "links and config of the lattice silently split" +
            (": wadm keeps the lattice's state there" if main_host.kind == "wadm" else ""),
            related=(Related(_where(main_host), f"{main_host.label} reaches {main_js.label}"),),
            fix=_set(h, domain) if isinstance(domain, str) and domain else
            f"point every host of lattice `{lattice}` at the same JetStream domain",
            cause=_copied(js, h.domain.value) if isinstance(h.domain.value, str) and
            js.id in ctx.copies(h.domain.value) else None)


def check_legacy(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fleet.hosts:
        modern = h.version is None or not h.version.startswith("0.")
        names = h.env_names
        if h.kind == "host" and modern:
            if "WASMCLOUD_LATTICE_PREFIX" in names and "WASMCLOUD_LATTICE" not in names:
                yield HOST_ENV_LEGACY.at(names["WASMCLOUD_LATTICE_PREFIX"],
                                         f"{h.label} sets WASMCLOUD_LATTICE_PREFIX, which 1.x hosts ignore",
                                         "this host joins lattice `default`",
                                         fix="rename it to WASMCLOUD_LATTICE")
            for old, new in (("NATS_HOST", "WASMCLOUD_NATS_HOST"), ("NATS_PORT", "WASMCLOUD_NATS_PORT")):
                if old in names and new not in names:
                    yield HOST_ENV_LEGACY.at(names[old], f"{h.label} sets {old}, which 1.x hosts ignore",
                                             "this host connects to 127.0.0.1:4222",
                                             fix=f"rename it to {new}")
        if h.kind == "wadm" and "WADM_JS_DOMAIN" in names:
            yield HOST_ENV_LEGACY.at(names["WADM_JS_DOMAIN"],
                                     f"{h.label} sets WADM_JS_DOMAIN, which wadm does not read",
                                     "wadm reads WADM_JETSTREAM_DOMAIN; WADM_JS_DOMAIN is only `wash up`'s "
                                     "name for it",
                                     fix="rename it to WADM_JETSTREAM_DOMAIN")
        if h.domain.value == "":
            yield HOST_ENV_LEGACY.at(_where(h), f"{h.label} sets {_var(h)} to an empty value",
                                     "hosts disagree on whether that means no domain or an empty one",
                                     fix=f"remove {_var(h)}, or give it the hub's domain")


RULES = (
    Rule(HOST_DOMAIN_UNKNOWN, check_unknown),
    Rule(HOST_DOMAIN_UNREACHABLE, check_unreachable),
    Rule(HOST_DOMAIN_MISSING, check_missing),
    Rule(LATTICE_DOMAIN_SPLIT, check_split),
    Rule(HOST_ENV_LEGACY, check_legacy),
)
