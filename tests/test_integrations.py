"""The pre-commit hooks, run for real: `pre-commit run` in a temporary git repository whose
config takes the hooks from this checkout's HEAD, on what a commit stages. (The GitHub Action's
tests are in test_action.py.)"""

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


class Repo:
    """A git repository with fleets in it, and pre-commit's hooks tried on what it stages."""

    def __init__(self, where: Path, cache: Path, fleets: dict[str, str], files: dict[str, str] | None = None) -> None:
        self.where = where
        self.env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "GIT_AUTHOR_NAME": "t",
                    "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
                    "GIT_COMMITTER_EMAIL": "t@example.invalid"}
        self.pre_commit = tool("pre-commit")
        self.git = shutil.which("git") or pytest.skip("git is not installed")
        for name, fixture in fleets.items():
            shutil.copytree(ROOT / "fixtures" / fixture, where / name)
        for name, text in (files or {}).items():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            (where / name).write_text(text)
        # this checkout's hooks at its commit: pre-commit installs them once per cache
        (where / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {ROOT}\n    rev: {_head()}\n    hooks:\n"
            "      - id: natslint\n      - id: natslint-changed-fleets\n")
        self.run_git("init", "-q")
        self.run_git("add", "-A")
        self.run_git("commit", "-qm", "fleets")

    def run_git(self, *args: str) -> None:
        subprocess.run([self.git, *args], cwd=self.where, check=True, env=self.env, capture_output=True)

    def hook(self, hook: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.pre_commit, "run", hook, *args], cwd=self.where,
                              capture_output=True, text=True, env=self.env, timeout=600)

    def edit(self, path: str, old: str, new: str) -> None:
        target = self.where / path
        text = target.read_text()
        assert old in text
        target.write_text(text.replace(old, new))
        self.run_git("add", path)


def _head() -> str:
    """The commit the hooks are taken from (uncommitted changes are not part of it)."""
    if not (ROOT / ".git").exists():
        pytest.skip("the hooks are installed from this checkout's git history, and there is none")
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-cache")  # the hook's environment, built once


def test_the_hook_fails_on_a_bad_fleet_and_passes_on_a_good_one(tmp_path, cache):
    bad = Repo(tmp_path / "bad", cache, {"deploy": "compose-leaf-reuses-domain"}).hook("natslint", "--all-files")
    good = Repo(tmp_path / "good", cache, {"deploy": "compose-lattice"}).hook("natslint", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "NL202 [error]" in bad.stdout
    assert good.returncode == 0, good.stdout + good.stderr
    assert "natslint" in good.stdout and "Passed" in good.stdout


def test_a_commit_of_an_include_alone_runs_the_hook(tmp_path, cache):
    repo = Repo(tmp_path / "r", cache, {}, {
        "nats/hub.conf": "server_name: hub\ninclude common.inc\njetstream { domain: hub, store_dir: /data }\n",
        "nats/common.inc": "port: 4222\nmonitor_port: 8222\n"})
    assert repo.hook("natslint").returncode == 0  # nothing staged: still run, and clean
    repo.edit("nats/common.inc", "monitor_port", "domian: typo\nmonitor_port")
    proc = repo.hook("natslint")
    assert proc.returncode == 1 and "(no files to check)" not in proc.stdout, proc.stdout
    assert "nats/common.inc:2:1: NL101" in proc.stdout


def test_a_commit_of_natslint_toml_alone_runs_the_hook(tmp_path, cache):
    repo = Repo(tmp_path / "r", cache, {"deploy": "compose-lattice"})
    (repo.where / "natslint.toml").write_text('expect-domain = "elsewhere"\n')
    repo.run_git("add", "natslint.toml")
    proc = repo.hook("natslint")
    assert proc.returncode == 1 and "NL301" in proc.stdout, proc.stdout


def test_the_changed_fleets_hook_checks_the_fleets_a_commit_touches(tmp_path, cache):
    repo = Repo(tmp_path / "r", cache, {"bad": "compose-leaf-reuses-domain", "good": "compose-lattice"})
    # a change to the good fleet: the bad one is not reported
    repo.edit("good/docker-compose.yml", "services:", "# reviewed\nservices:")
    proc = repo.hook("natslint-changed-fleets")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout
    repo.run_git("commit", "-qm", "good")
    # a change to the bad fleet: its finding
    repo.edit("bad/nats/hub-1.conf", "server_name", "# reviewed\nserver_name")
    proc = repo.hook("natslint-changed-fleets")
    assert proc.returncode == 1 and "bad/nats/leaf-b.conf:6:11: NL202" in proc.stdout, proc.stdout
    assert "good/" not in proc.stdout
    repo.run_git("commit", "-qm", "bad", "--no-verify")
    # a commit that only deletes a file: the fleet that held it is checked
    repo.run_git("rm", "-q", "bad/nats/hub-3.conf")
    proc = repo.hook("natslint-changed-fleets")
    assert proc.returncode == 1 and "NL202" in proc.stdout and "good/" not in proc.stdout, proc.stdout


def test_the_hook_works_with_a_baseline(tmp_path, cache):
    repo = Repo(tmp_path / "r", cache, {"deploy": "compose-leaf-reuses-domain"},
                {"natslint.toml": 'baseline = "natslint-baseline.json"\n'})
    subprocess.run([sys.executable, "-m", "natslint", "check", "deploy", "--write-baseline", "natslint-baseline.json"],
                   cwd=repo.where, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    repo.run_git("add", "-A")
    proc = repo.hook("natslint")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout  # the known NL202 is in the baseline
    repo.edit("deploy/nats/hub-1.conf", "server_name", "tpyo: 1\nserver_name")
    proc = repo.hook("natslint")
    assert proc.returncode == 1 and "deploy/nats/hub-1.conf" in proc.stdout and "NL202" not in proc.stdout.split(
        "Baseline")[0], proc.stdout


def test_the_hook_reports_what_a_commit_does_to_running_servers(tmp_path, cache):
    """The hooks compare the staged tree with HEAD: a renamed JetStream server is NL502."""
    repo = Repo(tmp_path / "r", cache, {"deploy": "compose-lattice"})
    repo.edit("deploy/nats/hub-1.conf", "server_name: hub-1", "server_name: hub-a")
    for hook in ("natslint", "natslint-changed-fleets"):
        proc = repo.hook(hook)
        assert proc.returncode == 1 and "deploy/nats/hub-1.conf:2:14: NL502 [error]" in proc.stdout, proc.stdout
        assert "Compared with HEAD (" in proc.stdout


def test_the_first_commit_of_a_repository_starts_from_nothing(tmp_path, cache):
    repo = Repo(tmp_path / "r", cache, {"deploy": "compose-lattice"})
    shutil.rmtree(repo.where / ".git")
    repo.run_git("init", "-q")
    repo.run_git("add", "-A")
    proc = repo.hook("natslint")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout
