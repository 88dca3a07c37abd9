"""Git repositories the tests make: a change committed as it was, then written as it is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# a repository of its own, whatever the machine's git config says
ENV = {**os.environ, "GIT_AUTHOR_NAME": "natslint tests", "GIT_AUTHOR_EMAIL": "tests@natslint.invalid",
       "GIT_COMMITTER_NAME": "natslint tests", "GIT_COMMITTER_EMAIL": "tests@natslint.invalid",
       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit_change(repo: Path, before: dict[str, str], after: dict[str, str | None], *, commit: bool = False) -> None:
    """``before`` committed; then ``after`` written over it (None: the file is deleted), and
    committed too with ``commit`` (a pull request's two ends: HEAD~1 and HEAD)."""
    for path, text in before.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "before")
    for path, text in after.items():
        target = repo / path
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if commit:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "after")
