"""Source locations.  Every node of the model and every finding carries one.

Lines and columns are computed on first use: a parse creates a span for every token, but
only the few that end up in findings are ever shown.
"""

from __future__ import annotations


class Span:
    __slots__ = ("path", "start", "end", "_index", "_lc")

    def __init__(self, path: str, start: int, end: int, line: int | None = None, col: int | None = None,
                 end_line: int | None = None, end_col: int | None = None, *, index=None) -> None:
        self.path = path
        self.start = start  # 0-based character offsets into the file's text, end exclusive
        self.end = end
        self._index = index  # a LineIndex, when line/col are to be computed lazily
        self._lc = None if line is None else (line, col, end_line if end_line is not None else line,
                                              end_col if end_col is not None else col)

    def _resolve(self) -> tuple[int, int, int, int]:
        if self._lc is None:
            line, col = self._index.line_col(self.start)
            end_line, end_col = self._index.line_col(self.end)
            self._lc = (line, col, end_line, end_col)
        return self._lc

    @property
    def line(self) -> int:  # 1-based
        return self._resolve()[0]

    @property
    def col(self) -> int:  # 1-based, in characters
        return self._resolve()[1]

    @property
    def end_line(self) -> int:
        return self._resolve()[2]

    @property
    def end_col(self) -> int:
        return self._resolve()[3]

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and (self.path, self.start, self.end, self._resolve()) == (
            other.path, other.start, other.end, other._resolve())

    def __hash__(self) -> int:
        return hash((self.path, self.start, self.end))

    def __repr__(self) -> str:
        return f"Span({self.path!r}, {self.line}:{self.col}-{self.end_line}:{self.end_col})"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class LazySpan(Span):
    """A span whose line and column come from its file's line index when first asked: the
    parser makes one per token, so its constructor takes exactly what the parser has."""

    __slots__ = ()

    def __init__(self, path: str, start: int, end: int, index) -> None:
        self.path = path
        self.start = start
        self.end = end
        self._index = index
        self._lc = None
