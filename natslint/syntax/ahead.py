"""Configs read and lexed ahead by a second process while this one goes on.

As soon as discovery has accepted a run's configs, a forked child (natslint.parallel) reads and
lexes the later part of them, while this process reads the deployments and the hosts' `.env`
files and then parses the first part; the child's tokens come back as plain tuples
(:func:`natslint.syntax.parser.lex_files`).  Files are still loaded here in the same order, so
the output is the same byte for byte, with or without the child.  A path the deployments mount
something over is loaded as the mount says (Loader.load asks the mounts first), whatever the
child read.
"""

from __future__ import annotations

from natslint import parallel
from natslint.syntax import lexer as lx
from natslint.syntax.parser import Loader, lex_files, prelexed

# Below this many configs a second process costs more than it saves.
PARALLEL_MIN_CONFIGS = 300
# The part of the configs this process lexes itself (the other only lexes; this one also builds
# every document and reads the deployments meanwhile).
OWN_SHARE = 0.42


class LexAhead:
    """The part of the configs the child lexes, used as a Loader's ``prelexed``: the first time
    a path of that part is asked for, this process waits for the child's answer."""

    def __init__(self, paths: list[str], loader: Loader) -> None:
        self.paths = set(paths)
        self._pending = parallel.start(lex_files, paths, loader, codec="marshal")
        self._rows: dict[str, tuple[str, lx.LexResult]] | None = None

    def _got(self) -> dict[str, tuple[str, lx.LexResult]]:
        if self._rows is None:
            self._rows = prelexed(self._pending.result())
        return self._rows

    def __contains__(self, path: object) -> bool:
        return path in self.paths and path in self._got()  # a file the child could not read: read here

    def pop(self, path: str) -> tuple[str, lx.LexResult]:
        self.paths.discard(path)
        return self._got().pop(path)

    def close(self) -> None:
        """Reap the child (stopped first when its answer was never asked for): no process
        outlives the run; what was not used is dropped."""
        self._pending.close()
        self.paths, self._rows = set(), {}


def lex_ahead(configs: list[str], loader: Loader) -> LexAhead | None:
    """The configs after the first OWN_SHARE of them lexed by a second process, when there are
    PARALLEL_MIN_CONFIGS of them and a second process may be used; else None."""
    if len(configs) < PARALLEL_MIN_CONFIGS or not parallel.available():
        return None
    return LexAhead(configs[int(len(configs) * OWN_SHARE):], loader)
