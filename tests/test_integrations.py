"""pre-commit and the GitHub Action, run for real: the hook through `pre-commit try-repo`, the
action's metadata and example workflow through actionlint, its steps as a script."""

from __future__ import annotations

import os
import re
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


def _lint(actionlint: str, project: Path, workflow: str) -> subprocess.CompletedProcess:
    """actionlint in a project laid out as GitHub sees it: the action at the root, the workflow
    in .github/workflows, so `uses: ./` is resolved and its inputs checked."""
    (project / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", project / "action.yml")
    (project / ".github" / "workflows" / "natslint.yml").write_text(workflow)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)  # actionlint finds the project root by .git
    return subprocess.run([actionlint, ".github/workflows/natslint.yml"], cwd=project, capture_output=True, text=True)


def test_action_and_example_workflow_pass_actionlint(tmp_path):
    actionlint = tool("actionlint")
    example = (ROOT / "examples" / "natslint.yml").read_text()
    proc = _lint(actionlint, tmp_path / "good", example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = _lint(actionlint, tmp_path / "bad", example.replace("sarif-file:", "sarif-path:"))
    assert proc.returncode == 1 and "sarif-path" in proc.stdout, proc.stdout


def _run_step(inputs: dict[str, str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    from ruamel.yaml import YAML

    action = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    defaults = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values = {**defaults, **inputs}
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    step_env = {k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], v)
                for k, v in step["env"].items()}
    assert all("${{" not in v for v in step_env.values())  # inputs reach the script only through env
    full_env = {**os.environ, **env, **step_env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", step["run"]], cwd=cwd, env=full_env, capture_output=True, text=True)


def test_action_step_annotates_summarises_and_writes_sarif(tmp_path):
    tool("natslint")
    fleet = tmp_path / "deploy"
    shutil.copytree(ROOT / "fixtures" / "compose-leaf-reuses-domain", fleet)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.touch()
    output.touch()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    proc = _run_step({"path": "deploy", "sarif-file": "reports/scan/natslint.sarif"}, tmp_path, env)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::error file=deploy/nats/leaf-b.conf,line=6,endLine=6,col=11,")
    assert sum(1 for x in lines if x.startswith("::error ")) == 1  # one mistake, one annotation
    assert output.read_text() == "exit-code=1\n"
    text = summary.read_text()
    assert "| error | NL202 leaf-reuses-domain | `deploy/nats/leaf-b.conf:6:11` |" in text
    assert "```mermaid\nflowchart LR" in text
    # a sarif-file in a folder that does not exist yet: the step creates the folder
    assert '"ruleId": "NL202"' in (tmp_path / "reports" / "scan" / "natslint.sarif").read_text()
    # summary: false keeps the job summary untouched
    summary.write_text("")
    _run_step({"path": "deploy", "summary": "false"}, tmp_path, env)
    assert summary.read_text() == ""



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
