"""Why nats-server exits at startup, for the causes the fleet model knows (NL110, NL111)."""

from __future__ import annotations

from natslint.fleet.model import GLOBAL_ACCOUNT, Remote, Server
from natslint.fleet.startup_checks import Refusal, refusals
from natslint.syntax.model import Map


def startup_failure(s: Server, root: Map | None = None) -> str | None:
    """Why nats-server exits at startup, for the causes the model knows (NL110 to NL113)."""
    if s.unknown_flags:
        return f"flag provided but not defined: {s.unknown_flags[0][0]}"
    if s.no_auth_with_operator is not None:
        return "no_auth_user not compatible with Trusted Operator"
    undefined = remotes_binding_undefined_accounts(s)
    if undefined:
        return f'cannot find local account "{undefined[0].account}" specified in leafnode remote'
    found = refusals_of(s, root)  # ``root``: the config as this server reads it
    return found[0].message if found else None


def refusals_of(s: Server, root: Map | None) -> list[Refusal]:
    """What validateOptions refuses in the server's config, read once per server and root."""
    if s.refusals is None or s.refusals[0] is not root:
        s.refusals = (root, refusals(s, root))
    return s.refusals[1]


def remotes_binding_undefined_accounts(s: Server) -> list[Remote]:
    """Leaf remotes that bind a local account the config does not define (nats-server exits
    at startup); none when accounts come from JWTs or the server is built from a deployment."""
    if s.synthetic or s.operator_mode or s.config_unseen or (s.refuses or "").startswith("error parsing include"):
        return []  # accounts come from elsewhere, or from an include natslint could not read: unknown
    known = {*s.accounts, GLOBAL_ACCOUNT, s.system_account}
    return [r for r in s.remotes if r.account_span is not None and r.account not in known]
