"""NL410 leaf-link-unusable-account: a leaf remote bound to an account no client can log into.

A remote binds `account` (by default `$G`).  When the server requires authentication and no
user, `no_auth_user`, incoming leaf link or import reaches that account, no client's message
ever enters it: the link carries nothing, and the accounts the clients do use have no link.
"""

from __future__ import annotations

from typing import Iterator

from natslint.codes import LEAF_LINK_UNUSABLE_ACCOUNT
from natslint.defaults import GLOBAL_ACCOUNT
from natslint.findings import Finding
from natslint.fleet.model import Remote, Server
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.words import listing


def _unusable(s: Server, r: Remote) -> bool:
    if s.operator_mode or not s.auth_required or s.client_logins is None or r.account == s.system_account:
        return False
    if r.account != GLOBAL_ACCOUNT and r.account not in s.accounts:
        return False  # an account the config does not define: NL111
    reached = s.client_logins | set(s.leaf_users.values()) | s.shared_accounts
    return r.account not in reached


def check(ctx: Context) -> Iterator[Finding]:
    for s in ctx.fleet.servers:
        for r in s.remotes:
            if not _unusable(s, r):
                continue
            used = sorted(a for a in (s.client_logins or ()) if a != s.system_account)
            where = used + ([f"the system account {s.system_account}"]
                            if s.system_account in (s.client_logins or ()) else [])
            hosts = [h.label for h in ctx.fleet.hosts if h.server is s]
            target = r.hub.label if r.hub is not None else "its hub"
            bound = "binds account" if r.account_span is not None else "binds no account, so it binds"
            yield LEAF_LINK_UNUSABLE_ACCOUNT.at(
                r.account_span or (r.urls[0][1] if r.urls else r.span),
                f"leaf remote of {s.label} {bound} {r.account}, which no client of {s.label} can log into",
                f"clients must authenticate, and each user is in {' or '.join(where) or 'another account'}: "
                f"the link to {target} carries no client's messages",
                f"{listing(hosts)} {'connects' if len(hosts) == 1 else 'connect'} here: "
                f"{'its' if len(hosts) == 1 else 'their'} JetStream requests never cross this link"
                if hosts and used else "",
                fix=f"bind the account the clients use (`account: {used[0]}`)" if len(used) == 1 else
                "bind the account the clients use, one remote per account")


RULE = Rule(LEAF_LINK_UNUSABLE_ACCOUNT, check)
