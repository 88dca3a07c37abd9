"""Which server of REF is which server now.

A server is the same server when the same deployment instance runs it (a compose service, a
StatefulSet's pod, a chart release's pod), else when it carries the same `server_name`, else
when it reads the same config file.  Servers left over were added or removed by the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from natslint.fleet.model import Server


@dataclass(slots=True)
class Pairing:
    pairs: list[tuple[Server, Server, str]] = field(default_factory=list)  # (before, after, how)
    added: list[Server] = field(default_factory=list)
    removed: list[Server] = field(default_factory=list)


def _name(s: Server) -> str | None:
    v = s.server_name.value
    return v if isinstance(v, str) and v else None


def pair(before: list[Server], after: list[Server]) -> Pairing:
    out = Pairing()
    left, right = list(before), list(after)
    for how, key in (("instance", lambda s: s.instance_of or None), ("server_name", _name), ("path", _path)):
        left, right = _pass(left, right, key, how, out)
    out.removed, out.added = left, right
    return out


def _path(s: Server) -> str | None:
    return None if s.synthetic else s.path


def _pass(left: list[Server], right: list[Server], key: Callable[[Server], str | None], how: str,
          out: Pairing) -> tuple[list[Server], list[Server]]:
    """Pair servers whose key is equal; an instance that starts several servers (replicas)
    pairs them in order of their ids (`nats-0` with `nats-0`).  A key held by several servers
    of one side and not by an instance is ambiguous: those wait for the next pass."""
    groups_l: dict[str, list[Server]] = {}
    groups_r: dict[str, list[Server]] = {}
    for s in left:
        if (k := key(s)) is not None:
            groups_l.setdefault(k, []).append(s)
    for s in right:
        if (k := key(s)) is not None:
            groups_r.setdefault(k, []).append(s)
    taken: set[int] = set()
    for k, ls in groups_l.items():
        rs = groups_r.get(k)
        if not rs or (how != "instance" and (len(ls) > 1 or len(rs) > 1)):
            continue
        for b, a in zip(sorted(ls, key=lambda s: s.id), sorted(rs, key=lambda s: s.id)):
            out.pairs.append((b, a, how))
            taken.update((id(b), id(a)))
    return [s for s in left if id(s) not in taken], [s for s in right if id(s) not in taken]
