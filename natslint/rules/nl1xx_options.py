"""NL1xx: per server, everything nats-server would refuse or silently change at startup."""

from __future__ import annotations

import difflib
import re
from typing import Iterator, NamedTuple

from natslint import options
from natslint.codes import (
    DUPLICATE_KEY,
    INVALID_DOMAIN,
    INVALID_EXTENSION_HINT,
    JS_CLUSTER_INCOMPLETE,
    JS_ON_SYSTEM_ACCOUNT,
    SMALL_JS_CLUSTER,
    STORE_DIR,
    UNKNOWN_OPTION,
    WRONG_VALUE_KIND,
)
from natslint.deploy.workload import ChartDefault
from natslint.findings import Edit, Finding, Fix, Related, Severity
from natslint.fleet.startup_checks import system_account_js
from natslint.rules.base import Rule
from natslint.rules.context import Context, roots
from natslint.rules.nl107_store_dir import check_store_dir
from natslint.rules.fixes import delete_entry, insert_entry, rename_key
from natslint.syntax.model import Array, Entry, Map, Node, Scalar

# Values whose keys are data, not options.
_FREE_FORM = {"mappings", "map_of_string", "map_of_bool", "map_of_jwt", "resolver", "ignored"}
_GO_TYPE = {"string": "string", "integer": "int64", "float": "float64", "bool": "bool", "datetime": "time.Time"}
_TURNS_ON = "it writes a `jetstream { }` block, which turns JetStream on in this server"


def _kind_of(node: Node) -> str | None:
    if isinstance(node, (Map, Array)):
        return "map" if isinstance(node, Map) else "array"
    return {"string": "string", "integer": "int", "float": "float", "bool": "bool"}.get(node.kind)


def _go_type(node: Node) -> str:
    if isinstance(node, Map):
        return "map[string]interface {}"
    if isinstance(node, Array):
        return "[]interface {}"
    return _GO_TYPE.get(node.kind, node.kind)


class Rows(NamedTuple):
    """The live entries of one map read in one role: what the block is, where it stands as
    written, the map, and each entry with its spec (None: an option the block does not have)."""

    block: options.Block
    where: str
    parent: Map
    entries: list[tuple[Entry, "options.KeySpec | None"]]


Group = tuple[tuple[int, str], Rows]  # a map (and the role it is read in), and its entries


def _walk(m: Map, block_name: str, shared: dict[tuple[int, str], list[Group]]) -> list[Group]:
    """Every live entry under ``m``, descending into nested blocks, grouped by the map (and the
    role it is read in) that holds it: (block, entry, spec, the block it stands in as written,
    its map).  ``shared``: the groups of each map walked already in this run, so the maps an
    include brings into hundreds of configs are walked once."""
    out: list[Group] = []
    _subtree(m, block_name, "", shared, set(), out)
    return out


def _subtree(node: Map, name: str, where: str, shared: dict[tuple[int, str], list[Group]],
             seen: set[tuple[int, str]], out: list[Group]) -> None:
    mark = (id(node), name)
    if mark in seen:
        return
    hit = shared.get(mark)
    if hit is not None:
        for group in hit:
            if group[0] not in seen:
                seen.add(group[0])
                out.append(group)
        return
    seen.add(mark)
    blk = options.block(name)
    if blk is None:
        return
    mine: list[Group] = []
    entries: list[tuple[Entry, options.KeySpec | None]] = []
    mine.append((mark, Rows(blk, where or "top level", node, entries)))
    keys, fold = blk.keys, blk.case_insensitive
    children: list[tuple[Map, str, str]] = []
    for e in node.live():
        spec = keys.get(e.key.name.lower() if fold else e.key.name)
        entries.append((e, spec))
        if spec is None or spec.kind in _FREE_FORM:
            continue
        v = e.value
        if not isinstance(v, (Map, Array)):
            continue  # a scalar: nothing to descend into
        here = f"{where}.{e.key.name}" if where else e.key.name
        if spec.kind == "accounts" and isinstance(v, Map):
            children += [(acc.value, "account", f"{here}.{acc.key.name}") for acc in v.live()
                         if isinstance(acc.value, Map)]
        elif isinstance(v, Map) and spec.block:
            children.append((v, spec.block, here))
        elif isinstance(v, Array):
            inner = spec.block if spec.kind == "block_list" else spec.items
            if inner and options.block(inner) is not None:
                children += [(i, inner, f"{here}[]") for i in v.items if isinstance(i, Map)]
    for child, role, at in children:
        _subtree(child, role, at, shared, seen, mine)
    shared[mark] = mine
    out.extend(mine)


def _walked(doc, shared: dict[tuple[int, str], list[Group]]) -> list[Group]:
    """A config's walk, done once per document (the document keeps it)."""
    hit = doc.derived.get("nl1xx.walk")
    if hit is None:
        hit = doc.derived["nl1xx.walk"] = _walk(doc.root, "top", shared)
    return hit


_PATHS: dict[str, str] = {}


def _where(block_name: str) -> str:
    if not _PATHS:
        for path, name in options.table()["contexts"].items():
            _PATHS.setdefault(name, path or "top level")
    return _PATHS.get(block_name, block_name)


def _per_map(ctx: Context, name: str, judge) -> Iterator[Finding]:
    """``judge(ctx, rows)``'s findings for the entries of each map of every server's config.
    A map already read in the same role is not read again: an include shared by hundreds of
    servers brings the same map objects into every one.  What a map gives is kept by the
    document that holds it (a long-running engine reuses documents whose files read the same)."""
    seen: set[tuple[int, str]] = set()
    for _, doc in roots(ctx):
        kept = doc.derived.setdefault(name, {})
        for mark, rows in _walked(doc, ctx.memo.setdefault("nl1xx.subtrees", {})):
            if mark in seen:
                continue
            seen.add(mark)
            got = kept.get(mark)
            if got is None:
                got = kept[mark] = tuple(judge(ctx, rows))  # most maps give none: the one empty tuple
            yield from got


def check_unknown(ctx: Context) -> Iterator[Finding]:
    return _per_map(ctx, "nl101", _unknown_in)


def _unknown_in(ctx: Context, rows: Rows) -> Iterator[Finding]:
    blk, where, parent = rows.block, rows.where, rows.parent
    for e, spec in rows.entries:
        if spec is not None or blk.unknown_result != "error":
            continue
        if e.used_as_variable and blk.variable_exempt:
            continue  # a key defined to be used as $name, as nats-server allows
        key = e.key.name
        low = key.lower()
        fix = ""
        autofix = None
        if key.startswith("\ufeff"):
            fix = ("the file starts with a UTF-8 byte-order mark, which nats-server reads as part of the "
                   "first key: save the file without the BOM")
        elif low == "js_domain" and blk.name in ("top", "jetstream"):
            fix = "the server's domain is `jetstream { domain: X }`; `js_domain` exists only inside `mqtt`"
            autofix = _move_js_domain(ctx, e, parent) if blk.name == "top" else None
        elif low == "domain" and blk.name in ("leafnode_remote", "account_jetstream", "account"):
            fix = ("remotes and accounts carry no domain: each server's own is `jetstream { domain: X }`, "
                   "and leaf links exchange them")
        else:
            # every spelling the block accepts, aliases too (`password` for `pass`)
            close = difflib.get_close_matches(low, sorted(blk.keys), n=2, cutoff=0.75)
            elsewhere = [b for b in options.key_index().get(low, []) if b != blk.name]
            if close:
                fix = f"did you mean `{close[0]}`?"
                if len(close) == 1 and parent is not None and parent.get_ci(close[0]) is None:
                    autofix = Fix(f"rename `{key}` to `{close[0]}`", (rename_key(e, close[0]),), keys=(low, close[0]))
            elif elsewhere:
                fix = f"`{key}` belongs in {', '.join(_where(b) for b in elsewhere[:3])}"
        yield UNKNOWN_OPTION.at(
            e.key.span,
            blk.unknown_message.replace("{key}", key) + f" in {where}",
            "nats-server refuses to start",
            fix=fix or f"remove `{key}`", autofix=autofix)


def _move_js_domain(ctx: Context, e: Entry, top: Map | None) -> Fix | None:
    """`js_domain: X` at the top level: `domain: X` in the `jetstream { }` map. Safe when that
    map exists; writing the map (no block, or `jetstream: enabled`) turns JetStream on: unsafe."""
    doc = ctx.documents.get(e.key.span.path)
    if doc is None or top is None or not isinstance(e.value, Scalar) or e.value.via is not None:
        return None
    line = f"domain: {doc.text[e.value.span.start:e.value.span.end]}"
    js = top.get_ci("jetstream")
    title = "move `js_domain` into `jetstream { }` as `domain`"
    if js is None:
        edit = Edit(doc.path, e.key.span.start, e.value.span.end, f"jetstream {{ {line} }}")
        return Fix(title, (edit,), safe=False, keys=("js_domain", "jetstream"), why_unsafe=_TURNS_ON)
    where = ctx.documents.get(js.value.span.path)
    if isinstance(js.value, Map) and where is not None:
        if js.value.get_ci("domain") is not None:
            return None
        return Fix(title, (delete_entry(doc.text, e), insert_entry(where.text, js.value, line)),
                   keys=("js_domain", "domain"))
    if isinstance(js.value, Scalar) and str(js.value.value).lower() in ("true", "enabled", "enable", "yes", "on"):
        edits = (delete_entry(doc.text, e), Edit(js.value.span.path, js.value.span.start, js.value.span.end,
                                                  f"{{ {line} }}"))
        return Fix(title, edits, safe=False, keys=("js_domain", "jetstream"), why_unsafe=_TURNS_ON)
    return None


def check_types(ctx: Context) -> Iterator[Finding]:
    return _per_map(ctx, "nl108", _types_in)


def _types_in(ctx: Context, rows: Rows) -> Iterator[Finding]:
    for e, spec in rows.entries:
        if spec is None or not spec.types:
            continue
        v = e.value
        if isinstance(v, Scalar) and v.is_unknown():
            continue
        got = _kind_of(v)
        if got is None:
            continue
        if got in spec.warn_types and spec.kind == "duration" and isinstance(v, Scalar):
            suffix = f" (`{v.raw}` is the integer {v.value}, not a duration)" if v.suffix else ""
            yield WRONG_VALUE_KIND.at(
                v.span, f"`{e.key.name}` is an integer, read as {v.value} seconds{suffix}",
                f"nats-server warns `{spec.name} should be converted to a duration`, and `-t` fails on it",
                severity=Severity.WARNING, fix=f'write a quoted duration, e.g. {e.key.name}: "2m"')
        elif got not in spec.types:
            text = (spec.type_error or "wrong type, got {got}").replace("{got}", _go_type(v))
            yield WRONG_VALUE_KIND.at(
                v.span, f"`{e.key.name}` takes {' or '.join(spec.types)}, not {got}", f"nats-server says `{text}`",
                fix="unquote a number or a bool" if got == "string" and set(spec.types) & {"int", "bool"}
                else f"give `{e.key.name}` a {spec.types[0]}")
        elif spec.values and got == "string" and isinstance(v, Scalar) and \
                str(v.value).lower() not in {x.lower() for x in spec.values}:
            yield WRONG_VALUE_KIND.at(
                v.span, f"`{e.key.name}` takes one of {', '.join(spec.values)}, not `{v.value}`",
                fix=f"use one of {', '.join(spec.values)}")


def _maps(m: Map, seen: set[int]) -> Iterator[Map]:
    """Every map under ``m`` not yet in ``seen`` (shared includes are walked once)."""
    stack: list[Node] = [m]
    while stack:
        n = stack.pop()
        if isinstance(n, Map):
            if id(n) in seen:
                continue
            seen.add(id(n))
            yield n
            stack.extend(e.value for e in n.entries if e.value.via is None)
        elif isinstance(n, Array) and n.via is None:
            stack.extend(n.items)


def check_duplicates(ctx: Context) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for _, doc in roots(ctx):
        kept = doc.derived.get("nl102")
        if kept is None:  # kept by the document, as _per_map keeps its findings
            kept = doc.derived["nl102"] = list(_duplicates_in(doc.root))
        for f in kept:
            key = (f.span.path, f.span.start)
            if key not in seen:  # a file several servers include: reported once
                seen.add(key)
                yield f


def _duplicates_in(root: Map) -> Iterator[Finding]:
    for m in _maps(root, set()):
        if not m.repeats_a_key():
            continue
        for earlier, later in m.shadowed():
            if earlier.via != later.via:
                continue  # an include sets defaults that this file overrides: on purpose
            dropped = _dropped(earlier, later)
            sev = Severity.ERROR if dropped else Severity.WARNING
            what = f"it drops {' and '.join(dropped)} set by the earlier one" if dropped else ""
            yield DUPLICATE_KEY.at(
                later.key.span, f"`{later.key.name}` is set again",
                "the later value silently replaces the earlier one (nats-server does not merge blocks)", what,
                severity=sev, related=(Related(earlier.key.span, "the earlier value"),),
                fix="merge the two into one")


def _dropped(earlier: Entry, later: Entry) -> list[str]:
    if not isinstance(earlier.value, Map):
        return []
    keep = {e.key.name.lower() for e in later.value.live()} if isinstance(later.value, Map) else set()
    out = []
    for e in earlier.value.live():
        k = e.key.name.lower()
        if k in ("domain", "store_dir", "store", "storedir") and k not in keep:
            out.append(f"`{e.key.name}`")
    return out


_BAD_DOMAIN = re.compile(r"[.*>\s]")


def check_domain(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        d = s.domain.value
        if d is None or s.domain.span is None:
            continue
        if d == "":
            yield INVALID_DOMAIN.at(s.domain.span, f"{s.label} has an empty JetStream domain",
                                    fix="remove `domain`, or give it a name")
        elif m := _BAD_DOMAIN.search(d):
            text = ("invalid domain name: may not contain ., * or >" if m.group() in ".*>" else
                    f'invalid domain name: derived "$JS.{d}.API.>" is not a valid subject')
            yield INVALID_DOMAIN.at(s.domain.span, f"domain `{d}` of {s.label} is not a valid domain name",
                                    f"nats-server refuses to start (`{text}`); `-t` does not check this",
                                    fix="use one token: letters, digits, - and _")


def check_cluster(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        if s.synthetic:
            continue
        clustered = s.cluster_listen is not None
        if s.js_enabled.value and clustered:
            where = s.cluster_listen.span or s.span
            # a name that comes from the environment ($SERVER_NAME) is unknown, not missing
            if s.server_name.value is None and s.server_name.span is None:
                yield JS_CLUSTER_INCOMPLETE.at(where, f"{s.label} runs clustered JetStream without `server_name`",
                                               "nats-server refuses to start (`jetstream cluster requires "
                                               "`server_name` to be set`)", fix="set a unique server_name")
            if s.cluster_name.value is None and s.cluster_name.span is None and not s.gateway_name.value:
                yield JS_CLUSTER_INCOMPLETE.at(where, f"{s.label} runs clustered JetStream without `cluster.name`",
                                               "nats-server refuses to start (`jetstream cluster requires "
                                               "`cluster.name` to be set`)", fix="name the cluster")
            sys_remote = any(r.account == s.system_account for r in s.remotes)
            alone = len(ctx.fleet.cluster_of[s.id].servers) == 1 and not s.gateway_urls
            if s.routes and alone and not sys_remote and all(r.target is s for r in s.routes):
                yield JS_CLUSTER_INCOMPLETE.at(s.routes[0].span, f"{s.label} runs clustered JetStream whose only "
                                               "route leads back to itself",
                                               "JetStream waits forever (`Waiting for routing to be established`) "
                                               "and every API request fails",
                                               fix="route to the other members, or drop the cluster block")
            if not s.routes and not sys_remote:
                yield JS_CLUSTER_INCOMPLETE.at(where, f"{s.label} runs clustered JetStream with no routes",
                                               "it stops with `Can't start JetStream: JetStream cluster requires "
                                               "configured routes or solicited leafnode for the system account`",
                                               fix="list the cluster's routes (its own URL included is fine)")
        if s.routes and not clustered:
            yield JS_CLUSTER_INCOMPLETE.at(s.routes[0].span, f"{s.label} lists routes, but its cluster block has "
                                           "no `listen` or `port`", "routing never starts and the routes are ignored",
                                           fix="add `port: 6222` (or `listen`) to the cluster block")
        for r in s.routes:
            if r.port is None:
                yield JS_CLUSTER_INCOMPLETE.at(r.span, f"route {r.url} has no port",
                                               "routes get no default, so it fails with `missing port in address`",
                                               fix=f"write {r.url}:6222")


def check_extension_hint(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        v = s.extension_hint.value
        if not isinstance(v, str) or s.extension_hint.span is None:
            continue
        clustered = s.cluster_listen is not None
        # clustered, the server lowercases the value; standalone, it compares it as written
        if (v.lower() if clustered else v) in ("will_extend", "no_extend"):
            continue
        yield INVALID_EXTENSION_HINT.at(
            s.extension_hint.span,
            f"extension_hint `{v}` is neither `will_extend` nor `no_extend`",
            ("nats-server refuses to start (`expected 'no_extend' for string value`)" if clustered else
               "on a standalone server it is compared as written and silently ignored, so the server does "
               "not extend the domain"),
            fix="write will_extend or no_extend")


def check_js_system_account(ctx: Context) -> Iterator[Finding]:
    for s, doc in roots(ctx):
        js = system_account_js(s, doc.root)
        if js is not None:
            yield JS_ON_SYSTEM_ACCOUNT.at(js.key.span, f"JetStream is enabled for the system account "
                                          f"`{s.system_account}`", "nats-server stops with `Not allowed to enable "
                                          "JetStream on the system account`", fix="remove it")


def check_small_clusters(ctx: Context) -> Iterator[Finding]:
    for c in ctx.fleet.clusters:
        js = [s for s in c.servers if s.js_enabled.value]
        if len(c.servers) < 2 or not js or not all(s.count_known for s in c.servers):
            continue  # the size is the cluster's to decide (a DaemonSet): not counted here
        n = len(js)
        if 1 < n < 3 or n % 2 == 0:
            where = js[0].cluster_name.span or js[0].span
            if isinstance(where, ChartDefault) and js[0].routes:  # a chart names the cluster; its replicas size it
                where = js[0].routes[0].span
            yield SMALL_JS_CLUSTER.at(where, f"JetStream cluster `{c.name}` has {n} JetStream servers",
                                      ("losing one stops meta operations, and R3 streams need 3" if n < 3 else
                                         "an even count adds no fault tolerance over one fewer"),
                                      fix="run 3 or 5 JetStream servers")


RULES = (
    Rule(UNKNOWN_OPTION, check_unknown),
    Rule(DUPLICATE_KEY, check_duplicates),
    Rule(INVALID_DOMAIN, check_domain),
    Rule(JS_CLUSTER_INCOMPLETE, check_cluster),
    Rule(INVALID_EXTENSION_HINT, check_extension_hint),
    Rule(JS_ON_SYSTEM_ACCOUNT, check_js_system_account),
    Rule(STORE_DIR, check_store_dir),
    Rule(WRONG_VALUE_KIND, check_types),
    Rule(SMALL_JS_CLUSTER, check_small_clusters),
)
