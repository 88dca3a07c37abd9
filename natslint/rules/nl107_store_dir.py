"""NL107 store-dir: one JetStream store directory per server.

nats-server takes no lock on its store directory: two servers writing one corrupt each other.
Without `store_dir` a server writes the temporary directory (`$TMPDIR/nats/jetstream`), so
every such server on one machine writes the same one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from natslint.codes import STORE_DIR
from natslint.findings import Finding, Related, Severity
from natslint.fleet.model import Server
from natslint.rules.context import Context, js_span, roots
from natslint.syntax.model import Map
from natslint.words import listing

_TEMP = "it uses the temporary directory (`$TMPDIR/nats/jetstream`): data is lost on reboot"


def check_store_dir(ctx: Context) -> Iterator[Finding]:
    by_place: dict[tuple[str, str], list[Server]] = defaultdict(list)
    in_temp: dict[str, list[tuple[Server, str]]] = defaultdict(list)  # machine -> servers, their fix
    for s, doc in roots(ctx):
        root = doc.root
        top = root.get_ci("store_dir") or root.get_ci("storedir")
        js = root.get_ci("jetstream")
        inner = js.value.get_ci("store_dir") or js.value.get_ci("store") or js.value.get_ci("storedir") \
            if js is not None and isinstance(js.value, Map) else None
        if top is not None and inner is not None:
            yield STORE_DIR.at(inner.key.span, "store_dir is given both at the top level and in `jetstream`",
                               "nats-server refuses to start (`Duplicate 'store_dir' configuration`)",
                               related=(Related(top.key.span, "the top-level store_dir"),), fix="keep one")
        if s.js_enabled.value and s.store_dir.value is None:
            in_temp[s.filesystem].append(
                (s, "set jetstream { store_dir: /data/jetstream }"))
    for s in ctx.fleet.servers:
        place = s.store_place() if s.js_enabled.value else None
        if place is not None and place[0]:  # decided on the storage the path resolves to
            by_place[place].append(s)
        # no config at all: JetStream from `-js` on the command line
        if s.synthetic and s.js_by_flag and not s.config_unseen and s.js_enabled.value and s.store_dir.value is None \
                and s.js_enabled.span is not None:
            in_temp[s.filesystem].append(
                (s, "add `-sd /data/jetstream`"))
    for servers in in_temp.values():
        yield from _temporary(servers)
    for (where, _), servers in by_place.items():
        kind, _, name = where.partition(":")
        on = f"the host folder {name}" if kind == "bind" else f"the volume `{name.rsplit(':', 1)[-1]}`" \
            if kind == "volume" else "one host"
        for s in servers[1:]:
            yield STORE_DIR.at(s.store_dir.span or s.span, f"{s.label} and {servers[0].label} share store_dir "
                               f"{s.store_dir.value} on {on}", "no lock protects it",
                               fix="give each server its own store_dir")


def _temporary(servers: list[tuple[Server, str]]) -> Iterator[Finding]:
    """Servers without a store directory: a warning alone, an error beside another on its machine."""
    for s, fix in servers:
        where = js_span(s) if not s.synthetic else s.js_enabled.span or s.span
        others = [o.label for o, _ in servers if o is not s]
        without = "a store directory" if s.synthetic else "store_dir"
        if not others:
            yield STORE_DIR.at(where, f"{s.label} runs JetStream without {without}", _TEMP,
                               severity=Severity.WARNING, fix=fix)
            continue
        yield STORE_DIR.at(where, f"{s.label} runs JetStream without {without}, as {listing(others)} on the same "
                           "machine " + ("does" if len(others) == 1 else "do"),
                           "they all write one temporary directory (`$TMPDIR/nats/jetstream`), and no lock "
                           "protects it", severity=Severity.ERROR,
                           related=tuple(Related(js_span(o) if not o.synthetic else o.js_enabled.span or o.span,
                                                 f"{o.label} writes it too") for o, _ in servers if o is not s),
                           fix=fix.replace("set", "give each server its own", 1) if fix.startswith("set") else fix)
