"""The pre-commit hooks, run for real: `pre-commit try-repo` in a temporary git repository.
(The GitHub Action's tests are in test_action.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return str(path)


def test_pre_commit_hook_fails_on_a_bad_fleet_and_passes_on_a_good_one(tmp_path):
    pre_commit = tool("pre-commit")
    git = shutil.which("git") or pytest.skip("git is not installed")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    results = {}
    for name in ("compose-leaf-reuses-domain", "compose-lattice"):
        work = tmp_path / name
        shutil.copytree(ROOT / "fixtures" / name, work)
        subprocess.run([git, "init", "-q"], cwd=work, check=True, env=env)
        subprocess.run([git, "add", "-A"], cwd=work, check=True, env=env)
        proc = subprocess.run([pre_commit, "try-repo", str(ROOT), "natslint", "--all-files"], cwd=work,
                              capture_output=True, text=True, env=env, timeout=600)
        results[name] = proc
    bad, good = results["compose-leaf-reuses-domain"], results["compose-lattice"]
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "NL202 [error]" in bad.stdout
    assert good.returncode == 0, good.stdout + good.stderr
    assert "natslint" in good.stdout and "Passed" in good.stdout
