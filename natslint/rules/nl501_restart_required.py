"""NL501 restart-required: a changed option that the server's version does not reload.

The reload table (natslint/data/reload.json) says which option classes each nats-server minor
version applies on a reload.  A refused reload leaves the old config running, and the next
restart (a crash, a node drain, an upgrade) applies the new one by surprise.  A warning when
something will send the reload (the chart's config-reloader, a unit's ExecReload): it reports
success either way.  Identity and JetStream moves are NL502 and NL503's, and not repeated here.
"""

from __future__ import annotations

from typing import Iterator

from natslint.codes import RESTART_REQUIRED
from natslint.findings import Finding, Severity
from natslint.rules.base import Rule
from natslint.since import reload
from natslint.since.changes import Change
from natslint.since.context import ChangeContext, restart_words
from natslint.words import listing

# reported by NL502 / NL503 on a JetStream server, with what a restart does there
MOVES = {"server_name", "cluster_name", "gateway", "jetstream_domain", "jetstream_store_dir", "jetstream_on_off"}
WHAT = {"leafnodes.remotes+": "a leaf remote added", "leafnodes.remotes-": "a leaf remote removed",
        "leafnodes.remotes": "a leaf remote changed", "leafnodes.remotes.disabled": "a leaf remote disabled or enabled"}


def _refused(c: Change, ctx: ChangeContext) -> bool:
    if c.cls is None or c.verdict is None:
        return False
    if c.cls.id in MOVES and ctx.jetstream_server(c):
        return False
    if c.verdict.reloads is None:
        return c.verdict.everywhere is not True  # refused everywhere, or it depends on the version
    return not c.verdict.reloads


def check(ctx: ChangeContext) -> Iterator[Finding]:
    groups: dict[tuple, list[Change]] = {}
    for c in ctx.changes:
        if _refused(c, ctx):
            key = (c.span.path, c.span.line, c.span.col, c.cls.id if c.cls else "")
            groups.setdefault(key, []).append(c)
    for changes in groups.values():
        first = changes[0]
        servers = list({id(c.after): c.after for c in changes}.values())
        cls, v = first.cls, first.verdict
        assert cls is not None and v is not None
        what = WHAT.get(first.option, f"`{first.shown_option}` changed")
        names = listing([s.label for s in servers])
        reloader = next((s.reloader for s in servers if s.reloader), None)
        if v.reloads is None and v.everywhere is None:
            for c in changes:
                c.rule = RESTART_REQUIRED.code
            yield RESTART_REQUIRED.at(
                first.span, f"{what} on {names}: whether nats-server reloads it depends on its version, and "
                f"natslint does not know the version {('it runs' if len(servers) == 1 else 'they run')}",
                f"{reload.reloading_versions(cls)} reload it; the others log `{cls.refused}` and keep the old config",
                "name the version with the image tag (`nats:2.14-alpine`) or `--nats-version`",
                severity=Severity.INFO)
            continue
        for c in changes:
            c.rule = RESTART_REQUIRED.code
        version = f"nats-server {v.version}" if v.version else "no nats-server from 2.10 to 2.15"
        refusal = ("the reload never finishes: nats-server logs neither `Reloaded` nor an error, and applies "
                   "no later reload either") if v.hangs else \
            f"nats-server logs `Failed to reload server configuration: {cls.refused}` and keeps running the old config"
        yield RESTART_REQUIRED.at(
            first.span, f"{what} on {names}: {version} does not reload it",
            f"{reloader} will send the reload and report success; {refusal}" if reloader else refusal,
            f"the change takes effect at the next restart, whenever that comes: {restart_words(ctx, servers)}",
            f"{reload.reloading_versions(cls)} reload it" if cls.reloads else "",
            severity=Severity.WARNING if reloader else Severity.INFO,
            fix=f"plan {restart_words(ctx, servers)} with this change")


RULE = Rule(RESTART_REQUIRED, check)
