"""NL111 leaf-account-undefined: a remote binds a local account the server does not define."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import LEAF_ACCOUNT_UNDEFINED
from natslint.findings import Finding
from natslint.fleet.startup import remotes_binding_undefined_accounts
from natslint.rules.base import Rule
from natslint.rules.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in remotes_binding_undefined_accounts(s):
            yield LEAF_ACCOUNT_UNDEFINED.at(
                r.account_span, f"leaf remote of {s.label} binds account `{r.account}`, which its config does "
                "not define", "nats-server exits at startup (`cannot find local account`); `-t` does not "
                "catch it", fix=f"define `{r.account}` under `accounts`, or bind an account that exists")


RULE = Rule(LEAF_ACCOUNT_UNDEFINED, check)
