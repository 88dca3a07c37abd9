"""Which files git ignores: a file a config names that is missing from the tree but ignored by
a `.gitignore` is generated at deploy time or kept secret (an nsc include, a `.creds` file), so
its content is unknown rather than absent.

Git's rules: every `.gitignore` from the repository's top (the folder holding `.git`, else the
filesystem root) down to the file's folder, each pattern relative to its own folder, the last
matching pattern deciding (a deeper file after a shallower one, `!` re-including), and a file
inside an ignored folder ignored with it.
"""

from __future__ import annotations

import functools
import os


@functools.lru_cache(maxsize=1024)
def _patterns(folder: str) -> tuple[tuple[int, str], ...]:
    """(line number, pattern) of the folder's `.gitignore`, comments and blanks left out."""
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return ()
    return tuple((i, ln.rstrip()) for i, ln in enumerate(lines, 1)
                 if ln.strip() and not ln.lstrip().startswith("#"))


@functools.lru_cache(maxsize=1024)
def _spec(pattern: str):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def _folders(path: str) -> list[str]:
    """The folders whose `.gitignore` apply to ``path``, top first."""
    out = []
    folder = os.path.dirname(path)
    while True:
        out.append(folder)
        if os.path.isdir(os.path.join(folder, ".git")):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return out[::-1]


def why_ignored(path: str, shown=os.path.relpath) -> str | None:
    """Where git is told to ignore ``path`` (an absolute path), as "`.gitignore:5` (`.leaf`)";
    None when no pattern ignores it.  ``shown`` turns a `.gitignore`'s path into the one a
    message shows."""
    verdict: tuple[str, int, str] | None = None
    for folder in _folders(path):
        rel = os.path.relpath(path, folder).replace(os.sep, "/")
        parts = rel.split("/")
        for lineno, pattern in _patterns(folder):
            negated = pattern.startswith("!")
            spec = _spec(pattern[1:] if negated else pattern)
            # the file itself, or a folder on its way down
            hit = spec.match_file(rel) or any(spec.match_file("/".join(parts[:i]) + "/") for i in range(1, len(parts)))
            if hit:
                verdict = None if negated else (os.path.join(folder, ".gitignore"), lineno, pattern)
    if verdict is None:
        return None
    file, lineno, pattern = verdict
    return f"`{shown(file)}:{lineno}` (`{pattern}`)"
