"""A parsed config file, and how nats-server joins include paths."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from natslint.defaults import DEFAULT_NATS_VERSION
from natslint.findings import Finding
from natslint.span import Span
from natslint.syntax import lexer as lx
from natslint.syntax.model import Map


@dataclass(slots=True)
class Document:
    """One parsed config file: its tree, the findings of reading it, and what it includes."""

    path: str  # display path (relative to the run's root where possible)
    text: str
    root: Map | None  # None when the file could not be read or does not parse
    findings: list[Finding] = field(default_factory=list)
    server_error: str | None = None  # what nats-server would print and stop on
    includes: list[tuple[Span, str]] = field(default_factory=list)  # (directive, target path)
    comments: list[lx.Comment] = field(default_factory=list)
    lines: lx.LineIndex | None = None
    missing: bool = False  # the file does not exist (named by an include, or vanished)
    # includes whose content natslint cannot see (a Secret or emptyDir mounted in a pod), with
    # why: the settings of a server that reads this document are then unknown
    opaque: list[tuple[Span | None, str]] = field(default_factory=list)
    origin: Span | None = None  # where an embedded config starts in the file that holds it
    nats_version: str = DEFAULT_NATS_VERSION  # the server version it is read as (`--nats-version`)
    bare_vars: set[str] = field(default_factory=set)  # names it references as `$NAME`
    # `$NAME` inside quotes, NAME not a variable here: (name, where, the whole value is `$NAME`)
    quoted: list[tuple[str, Span, bool]] = field(default_factory=list)
    quoted_done: bool = False  # quoted_variables() has judged them
    # what quoted_variables() found, judging this file with the others its server reads: kept
    # apart from the parse's own findings, so a file read again unchanged is judged again
    judged: list[Finding] = field(default_factory=list)
    # what is worked out from this document alone (an option walk), kept as long as the document:
    # a long-running engine reuses a document whose file reads the same, and this with it
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def every_finding(self) -> list[Finding]:
        return [*self.findings, *self.judged] if self.judged else self.findings


def go_join(directory: str, path: str) -> str:
    """Go's filepath.Join: absolute include paths are *not* special, they join too."""
    joined = posixpath.normpath(posixpath.join(directory or ".", path.lstrip("/") or "."))
    if path.startswith("/") and not path.lstrip("/"):
        joined = posixpath.normpath(directory or ".")
    return joined
