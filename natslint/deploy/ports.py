"""The host ports a compose service publishes (`ports:`), in the short and the long syntax.

Short: `"4222"` (a container port only: Docker picks the host port), `"4222:4222"`,
`"127.0.0.1:4222:4222"`, `"[::1]:4222:4222"`, `"7422-7424:7422-7424"`, `"4222:4222/udp"`.
Long: `{ target: 4222, published: "4222", host_ip: 127.0.0.1, protocol: tcp }`.
A port that interpolates a variable natslint does not see is left out, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from natslint.deploy.yamlfiles import value_span
from natslint.span import Span

WILDCARDS = ("", "0.0.0.0", "::", "[::]")


@dataclass(frozen=True, slots=True)
class Published:
    """Host ports [first, last] on ``ip`` ("" = every address) for ``protocol``, where written."""

    ip: str
    first: int
    last: int
    protocol: str
    span: Span
    written: str

    def overlaps(self, other: "Published") -> bool:
        if self.protocol != other.protocol or self.first > other.last or other.first > self.last:
            return False
        return self.ip == other.ip or _covers(self.ip, other.ip) or _covers(other.ip, self.ip)


def _covers(wild: str, ip: str) -> bool:
    """A wildcard binds every address of its family; no address (Docker's default) binds both."""
    if wild == "":
        return True
    return wild in WILDCARDS and (":" in wild) == (":" in ip)


def _range(text: str) -> tuple[int, int] | None:
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    return int(first), int(last or first)


def published_ports(path: str, svc: dict, interpolate: Callable[[str], str | None]) -> list[Published]:
    out: list[Published] = []
    ports = svc.get("ports")
    for i, item in enumerate(ports if isinstance(ports, list) else []):
        span = value_span(path, ports, i)
        if isinstance(item, dict):
            p = _long(item, span, interpolate)
        else:
            text = interpolate(str(item))
            p = _short(text, span) if text is not None else None
        if p is not None:
            out.append(p)
    return out


def _short(text: str, span: Span) -> Published | None:
    mapping, _, protocol = text.strip().partition("/")
    ip = ""
    if mapping.startswith("["):  # an IPv6 address: [::1]:4222:4222
        ip, _, mapping = mapping[1:].partition("]")
        mapping = mapping.lstrip(":")
    parts = mapping.split(":")
    if not ip and len(parts) == 3:
        ip = parts.pop(0)
    if len(parts) != 2 or not parts[0]:  # a container port alone: Docker picks the host port
        return None
    ports = _range(parts[0])
    if ports is None:
        return None
    return Published(ip, ports[0], ports[1], (protocol or "tcp").lower(), span, text)


def _long(item: Mapping, span: Span, interpolate: Callable[[str], str | None]) -> Published | None:
    published = item.get("published")
    if published is None:
        return None
    text = interpolate(str(published))
    ports = _range(text) if text is not None else None
    if ports is None:
        return None
    ip = interpolate(str(item.get("host_ip") or "")) or ""
    protocol = str(item.get("protocol") or "tcp").lower()
    return Published(ip.strip("[]"), ports[0], ports[1], protocol, span,
                     f"{ip + ':' if ip else ''}{text}/{protocol}")
