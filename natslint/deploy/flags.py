"""nats-server's command line, read as the server reads it (Go's `flag` package).

Every flag of `nats-server --help` is listed here: whether it takes a value, and whether
natslint models it (it changes the fleet) or only accepts it.  As in Go, `-f` and `--f` are
the same flag, a value follows as `-f=v` or `-f v` (a boolean flag takes a value only as
`-f=false`), parsing stops at the first argument that is not a flag or at `--`, and a flag
nats-server does not define makes it print its usage and exit without starting.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from natslint.span import Span


@dataclass(frozen=True, slots=True)
class Flag:
    """A nats-server command-line flag: its names and whether natslint models it."""

    names: tuple[str, ...]  # the first is the canonical name
    takes_value: bool
    modelled: bool  # natslint applies it to the server; otherwise accepted and listed


def _f(names: str, takes_value: bool = True, modelled: bool = False) -> Flag:
    return Flag(tuple(names.split()), takes_value, modelled)


FLAGS: tuple[Flag, ...] = (
    # server
    _f("addr a net", modelled=True), _f("port p", modelled=True), _f("server_name n name", modelled=True),
    _f("pid P"), _f("http_port m", modelled=True), _f("https_port ms"), _f("config c", modelled=True),
    _f("t", False), _f("signal sl"), _f("client_advertise"), _f("ports_file_dir"),
    # logging
    _f("log l"), _f("logtime T", False), _f("logtime_utc", False), _f("syslog s", False), _f("remote_syslog r"),
    _f("debug D", False), _f("trace V", False), _f("VV", False), _f("DV", False), _f("DVV", False),
    _f("log_size_limit"), _f("max_traced_msg_len"),
    # JetStream
    _f("jetstream js", False, True), _f("store_dir sd", modelled=True),
    # authorization: secrets, never shown
    _f("user", modelled=True), _f("pass", modelled=True), _f("auth", modelled=True),
    # TLS
    _f("tls", False), _f("tlscert"), _f("tlskey"), _f("tlsverify", False), _f("tlscacert"),
    # cluster
    _f("routes", modelled=True), _f("cluster", modelled=True), _f("cluster_name", modelled=True),
    _f("no_advertise", False), _f("cluster_advertise"), _f("connect_retries"), _f("cluster_listen", modelled=True),
    # profiling, common
    _f("profile"), _f("help h", False), _f("version v", False), _f("help_tls", False),
)
BY_NAME: dict[str, Flag] = {n: f for f in FLAGS for n in f.names}
SECRET_FLAGS = frozenset({"user", "pass", "auth"})


@dataclass(slots=True)
class CommandLine:
    """What nats-server makes of its arguments."""

    values: list[tuple[str, str | None, Span]] = field(default_factory=list)  # (canonical, value, where)
    unknown: list[tuple[str, Span, str | None]] = field(default_factory=list)  # (as written, where, closest)
    unmodelled: list[tuple[str, Span]] = field(default_factory=list)  # accepted, not modelled
    missing_value: list[tuple[str, Span]] = field(default_factory=list)

    def get(self, name: str) -> tuple[str | None, Span] | None:
        """The last value given to flag ``name`` (flags given twice: the last wins)."""
        hit = None
        for canonical, value, span in self.values:
            if canonical == name:
                hit = (value, span)
        return hit


def parse_command(words: list[tuple[str, Span]]) -> CommandLine:
    """nats-server's arguments (the program itself, when it leads, is skipped)."""
    out = CommandLine()
    if words and words[0][0].rsplit("/", 1)[-1] in ("nats-server", "nats-server.exe"):
        words = words[1:]
    i = 0
    while i < len(words):
        word, span = words[i]
        if word == "--" or not word.startswith("-") or word == "-":
            break  # Go's flag package stops at the first argument that is not a flag
        name, eq, inline = word.lstrip("-").partition("=")
        flag = BY_NAME.get(name)
        if flag is None:
            close = difflib.get_close_matches(name, BY_NAME, n=1, cutoff=0.6)
            out.unknown.append((word, span, f"-{close[0]}" if close else None))
            break  # the server prints its usage and exits: nothing after this is read
        value: str | None = inline if eq else None
        if flag.takes_value and not eq:
            if i + 1 >= len(words):
                out.missing_value.append((word, span))
                break
            i += 1
            value, span = words[i]
        out.values.append((flag.names[0], value, span))
        if not flag.modelled:
            out.unmodelled.append((word, span))
        i += 1
    return out
