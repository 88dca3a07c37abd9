"""Source locations.  Every node of the model and every finding carries one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    path: str
    start: int  # 0-based character offsets into the file's text, end exclusive
    end: int
    line: int  # 1-based; columns count characters
    col: int
    end_line: int
    end_col: int

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"
