"""NL112 jwt-invalid: operator mode that nats-server refuses: an operator JWT that does not
decode, is not signed by its own key or has expired, a `system_account` that the MEMORY
resolver's preloaded accounts do not hold, `no_auth_user` beside an operator (startup), a
preload no operator reads, and a leaf remote's creds file that the leaf or its hub refuses."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import JWT_INVALID
from natslint.findings import Finding, Severity
from natslint.fleet.operator import operator_tokens
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.syntax.model import Entry, Map, Scalar


def _opt(m: Map, *names: str):
    for n in names:
        e = m.get_ci(n)
        if e is not None:
            return e
    return None


def check(ctx: Context) -> Iterator[Finding]:
    seen: set[str] = set()
    for s in ctx.fleet.servers:
        path = s.path
        doc = ctx.documents.get(path)
        if doc is None or doc.root is None or path in seen:
            continue
        seen.add(path)
        root = doc.root
        # a config that names no operator has no verdict here: the document keeps that (an
        # operator's JWT may be a file of its own, read again every time)
        if not doc.derived.get("nl112.no-operator"):
            op = _opt(root, "operator", "operators", "trusted_operators")
            if op is None:
                doc.derived["nl112.no-operator"] = True
            else:
                yield from _operator_of(path, op, root)
        yield from _without_operator(root, s)
        for key, (span, why) in sorted(s.untrusted_accounts.items()):
            yield JWT_INVALID.at(span, f"account JWT {key[:8]}… is not signed by the operator: {why}",
                                 "nats-server keeps it, but refuses every user of it (`Authorization Violation`)",
                                 severity=Severity.WARNING,
                                 fix="preload the account JWT the operator (or one of its signing keys) signed")

    yield from _creds(ctx)


def _operator_of(path: str, op: Entry, root: Map) -> Iterator[Finding]:
    """An operator JWT that does not verify, and a system account the MEMORY resolver lacks."""
    operators = []
    for token, scalar, what in operator_tokens(path, op.value):
        if token is None:
            continue
        from natslint.natsjwt import JWTError, load  # loaded only where a config names an operator

        try:
            claims = load(token)
            if claims.kind != "operator":
                raise JWTError(f"not an operator JWT: a {claims.kind} JWT")
            operators.append(claims)
        except JWTError as exc:
            yield JWT_INVALID.at(scalar.span, f"{what} does not verify: {exc}",
                                 f"nats-server refuses to start: `error parsing operator JWT: {exc}`",
                                 fix="write the operator JWT nsc gives (`nsc describe operator --raw`), unedited")
    yield from _system_account(root, operators)


def _without_operator(root: Map, s) -> Iterator[Finding]:
    if s.no_auth_with_operator is not None:
        yield JWT_INVALID.at(s.no_auth_with_operator, "no_auth_user beside an operator",
                             "nats-server refuses to start: `no_auth_user not compatible with Trusted Operator` "
                             "(`nats-server -t` does not catch it)",
                             fix="remove no_auth_user: in operator mode every client logs in with a user JWT")
    preload = _opt(root, "resolver_preload")
    if preload is not None and _opt(root, "operator", "operators", "trusted_operators", "trusted",
                                    "trusted_keys") is None:
        yield JWT_INVALID.at(preload.key.span, "resolver_preload without an operator: nats-server never reads "
                             "these account JWTs",
                             "it starts, and clients log in by the config's own users into its own accounts: "
                             "the JWTs' limits and JetStream apply to nobody",
                             severity=Severity.WARNING,
                             fix="add the operator JWT (`operator: ./operator.jwt`), or remove resolver_preload")


def _creds(ctx: Context) -> Iterator[Finding]:
    """A leaf remote's creds file the leaf cannot use, or whose user its hub refuses: the link
    never comes up (nats-server starts and logs it at each attempt)."""
    seen: set[tuple] = set()
    for s in ctx.fleet.servers:
        for r in s.remotes:
            creds, span = r.creds_file, r.creds_span
            why = creds.problem if creds is not None else None
            if span is None or creds is None or not (why or r.refused):
                continue
            if creds.malformed:
                text, note = f"creds file {creds.written} is malformed", f"the leaf logs `{why}` and never links"
            else:
                text, note = f"the hub refuses the user of creds file {creds.written}", \
                    f"{why or 'the hub refuses it: ' + str(r.refused)}; the link never comes up"
            if (span, text) not in seen:
                seen.add((span, text))
                yield JWT_INVALID.at(span, text, note,
                                     fix="write the creds file nsc gives (`nsc generate creds`) for a user of an "
                                         "account the hub holds")


def _system_account(root: Map, operators: list) -> Iterator[Finding]:
    """A MEMORY resolver knows only its preloaded accounts: the system account must be one."""
    resolver = _opt(root, "resolver")
    sys_e = _opt(root, "system_account", "system")
    preload = _opt(root, "resolver_preload")
    if not operators or resolver is None or sys_e is None or not isinstance(sys_e.value, Scalar):
        return
    memory = isinstance(resolver.value, Scalar) and str(resolver.value.value).upper() == "MEMORY"
    if not memory:
        return  # a directory or an account server: the account may be there
    known = {e.key.name for e in preload.value.live()} if preload is not None and isinstance(preload.value, Map) else set()
    if sys_e.value.value not in known:
        yield JWT_INVALID.at(sys_e.value.span, f"system_account {str(sys_e.value.value)[:8]}… is no account the "
                             "MEMORY resolver preloads",
                             "nats-server refuses to start: `error resolving system account: account missing`",
                             fix="preload the system account's JWT under resolver_preload, or name a preloaded one")


RULE = Rule(JWT_INVALID, check)
