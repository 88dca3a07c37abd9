"""Declarative rules: `[[rules.custom]]` in natslint.toml, no code executed.

```toml
[[rules.custom]]
code = "ACME001"
name = "leaf-without-api-deny"
severity = "warning"                  # error | warning | info (default warning)
select = "leaf_remotes"               # servers | leaf_remotes | hosts | clusters
where = { "deny_imports" = { lacks = "$JS.API.>" }, "server.jetstream.enabled" = true }
message = "leaf remote of {server.label} lets the hub's JetStream API in"
fix = "add `$JS.API.>` to the remote's deny_imports"
```

Each selected object is the model's data (natslint.fleet.export, the shape `natslint model`
prints); a leaf remote and a host carry their server as `server`.  `where` tests fields by
their dotted path; every test must hold.  A test is a value (equal), or one operator:
`not`, `in`, `not_in`, `contains`, `lacks` (for lists), `lt`, `gt`, `matches` (a glob), `set`
(true: present and not null).  `{dotted.path}` in `message` and `fix` is replaced by its value.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from natslint.codes import register_custom
from natslint.custom import code_problem
from natslint.findings import Code, Finding, Severity
from natslint.fleet.export import cluster_dict, host_dict, jetstream_ids, remote_dict, server_dict
from natslint.rules.base import Rule
from natslint.rules.context import Context
from natslint.span import Span

SELECTS = ("servers", "leaf_remotes", "hosts", "clusters")
KEYS = {"code", "name", "severity", "select", "where", "message", "fix", "url", "summary"}


def _ne(a, b):
    return a != b


def _lacks(a, b):
    return isinstance(a, list) and b not in a


def _matches(a, b):
    return isinstance(a, str) and fnmatch.fnmatchcase(a, str(b))


OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "not": _ne,
    "in": lambda a, b: isinstance(b, list) and a in b,
    "not_in": lambda a, b: isinstance(b, list) and a not in b,
    "contains": lambda a, b: isinstance(a, list) and b in a,
    "lacks": _lacks,
    "lt": lambda a, b: isinstance(a, (int, float)) and not isinstance(a, bool) and a < b,
    "gt": lambda a, b: isinstance(a, (int, float)) and not isinstance(a, bool) and a > b,
    "matches": _matches,
    "set": lambda a, b: (a is not None) == bool(b),
}


class DeclaredRuleError(ValueError):
    """A `[[rules.custom]]` entry that cannot be used; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Declared:
    code: Code
    select: str
    where: tuple[tuple[str, str, object], ...]  # (dotted field, operator, operand)
    message: str
    fix: str

    def rule(self) -> Rule:
        return Rule(self.code, self.check)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for obj, span in _objects(self.select, ctx):
            if all(OPERATORS[op](lookup(obj, field), operand) for field, op, operand in self.where):
                yield self.code.at(span, fill(self.message, obj), fix=fill(self.fix, obj) if self.fix else "")


def lookup(obj: object, dotted: str) -> object:
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def fill(template: str, obj: dict) -> str:
    def one(m: re.Match) -> str:
        v = lookup(obj, m.group(1))
        return ", ".join(map(str, v)) if isinstance(v, list) else "(none)" if v is None else str(v)

    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}", one, template)


def _objects(select: str, ctx: Context) -> Iterator[tuple[dict, Span]]:
    fleet, reach = ctx.fleet, ctx.reach
    ids = jetstream_ids(reach)
    servers = {s.id: server_dict(s, fleet, reach, ids, ctx.documents) for s in fleet.servers}
    if select == "servers":
        yield from ((servers[s.id], s.span) for s in fleet.servers)
    elif select == "leaf_remotes":
        for s in fleet.servers:
            for r in s.remotes:
                yield {**remote_dict(s, r), "server": servers[s.id]}, r.span
    elif select == "hosts":
        for h in fleet.hosts:
            yield {**host_dict(h, reach, ids), "server": servers.get(h.server.id) if h.server else None}, h.span
    else:
        for c in fleet.clusters:
            if len(c.servers) > 1:
                yield cluster_dict(c), c.servers[0].span


def parse(entries: object, where_from: str) -> list[Declared]:
    """The `[[rules.custom]]` entries of one settings file, each registered as a code."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DeclaredRuleError(f"{where_from}: `rules.custom` must be an array of tables ([[rules.custom]])")
    out = []
    for i, e in enumerate(entries, 1):
        out.append(_one(e, f"{where_from}: rules.custom #{i}"))
    return out


def _one(e: dict, at: str) -> Declared:
    extra = set(e) - KEYS
    if extra:
        raise DeclaredRuleError(f"{at}: unknown key {', '.join(sorted(extra))} (known: {', '.join(sorted(KEYS))})")
    for key in ("code", "name", "select", "message"):
        if not isinstance(e.get(key), str) or not e[key]:
            raise DeclaredRuleError(f"{at}: `{key}` is required (a string)")
    why = code_problem(e["code"], e["name"])
    if why is not None:
        raise DeclaredRuleError(f"{at}: {why}")
    if e["select"] not in SELECTS:
        raise DeclaredRuleError(f"{at}: `select` must be one of {', '.join(SELECTS)}")
    severity = e.get("severity", "warning")
    if severity not in ("error", "warning", "info"):
        raise DeclaredRuleError(f"{at}: `severity` must be error, warning or info")
    where = e.get("where", {})
    if not isinstance(where, dict):
        raise DeclaredRuleError(f"{at}: `where` must be a table of field = test")
    tests = []
    for field, test in where.items():
        if isinstance(test, dict):
            if len(test) != 1 or next(iter(test)) not in OPERATORS:
                raise DeclaredRuleError(f"{at}: `where.{field}`: one operator of {', '.join(OPERATORS)}")
            op, operand = next(iter(test.items()))
        else:
            op, operand = "is", test
        tests.append((str(field), op, operand))
    level = Severity.parse(severity)
    code = Code(e["code"], e["name"], level, e.get("summary") or e["message"], severities=(level,),
                scope="custom", since="custom", url=str(e.get("url", "")))
    register_custom(code)
    return Declared(code, e["select"], tuple(tests), e["message"], str(e.get("fix", "")))


OPERATORS["is"] = lambda a, b: a == b
