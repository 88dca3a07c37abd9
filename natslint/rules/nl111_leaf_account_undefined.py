"""NL111 leaf-account-undefined: a remote binds a local account the server does not define."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import LEAF_ACCOUNT_UNDEFINED
from natslint.defaults import GLOBAL_ACCOUNT
from natslint.findings import Finding
from natslint.rules.base import Rule
from natslint.rules.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        if s.synthetic or s.operator_mode:
            continue  # accounts from JWTs: not in the file
        known = {*s.accounts, GLOBAL_ACCOUNT, s.system_account}
        for r in s.remotes:
            if r.account_span is not None and r.account not in known:
                yield LEAF_ACCOUNT_UNDEFINED.at(
                    r.account_span, f"leaf remote of {s.label} binds account `{r.account}`, which its config does "
                    "not define: nats-server exits at startup (`cannot find local account`); `-t` does not "
                    "catch it", fix=f"define `{r.account}` under `accounts`, or bind an account that exists")


RULE = Rule(LEAF_ACCOUNT_UNDEFINED, check)
