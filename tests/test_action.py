"""The GitHub Action as a runner runs it: each `run:` step with bash, its `uses:` steps stubbed
(setup-python hands over a Python 3.11+, the cache restores what an earlier run saved), on a
runner whose own `python3` is 3.10 and whose RUNNER_TEMP holds a space. Then the static checks:
actionlint and zizmor on the action and its workflows, and the pins and constraints they ship."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared import shared_json

from natslint import __version__
from natslint.cli.action import command_line

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOWS = [ROOT / "examples" / "natslint.yml", *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return str(path)


def _action() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((ROOT / "action.yml").read_text())


_EXPR = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
_CONDITION = re.compile(r"^([\w.-]+) (==|!=) '(.*)'$")


class Runner:
    """The part of a GitHub runner a composite action's steps see."""

    def __init__(self, work: Path, temp: Path, inputs: dict[str, str], python: str, path_first: Path) -> None:
        action = _action()
        self.steps = action["runs"]["steps"]
        self.outputs: dict[str, dict[str, str]] = {}
        self.event: dict[str, str] = {}  # a push: no pull request, so no base commit to compare with
        self.inputs: dict[str, str] = {}
        self.inputs = {k: self.expand(str(v.get("default", ""))) for k, v in action["inputs"].items()} | inputs
        self.work, self.temp, self.python = work, temp, python
        self.summary = work / "summary.md"
        self.summary.touch()
        self.env = {**os.environ, "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux", "GITHUB_ACTIONS": "true",
                    "GITHUB_WORKSPACE": str(work), "GITHUB_STEP_SUMMARY": str(self.summary),
                    "PATH": f"{path_first}{os.pathsep}{os.environ['PATH']}"}
        self.env.pop("VIRTUAL_ENV", None)

    def value(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs[rest]
        if head == "github" and rest == "action_path":
            return str(ROOT)
        if head == "github" and rest.startswith("event."):
            return self.event.get(rest.removeprefix("event."), "")
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            return self.outputs.get(step, {}).get(output, "")
        raise AssertionError(f"the stub runner does not know {name}")

    def expand(self, text: str) -> str:
        return _EXPR.sub(lambda m: self.value(m.group(1)), str(text))

    def wanted(self, step: dict) -> bool:
        if "if" not in step:
            return True
        m = _CONDITION.match(step["if"])
        assert m, f"the stub runner cannot evaluate {step['if']!r}"
        return (self.value(m.group(1)) == m.group(3)) == (m.group(2) == "==")

    def stub(self, step: dict) -> dict[str, str]:
        uses = step["uses"]
        if uses.startswith("actions/setup-python@"):
            assert step["with"]["update-environment"] is False  # the caller's PATH stays untouched
            return {"python-path": self.python}
        if uses.startswith("actions/cache@"):
            return {"cache-hit": "true" if Path(self.expand(step["with"]["path"])).is_dir() else "false"}
        raise AssertionError(f"no stub for {uses}")

    def run(self) -> subprocess.CompletedProcess | None:
        """Every step in order, as the runner does; the last bash step's process."""
        last = None
        for i, step in enumerate(self.steps):
            if not self.wanted(step):
                continue
            if "uses" in step:
                self.outputs[step.get("id", str(i))] = self.stub(step)
                continue
            output = self.temp / f"output-{i}"
            output.write_text("")
            env = {**self.env, "GITHUB_OUTPUT": str(output),
                   **{k: self.expand(v) for k, v in step.get("env", {}).items()}}
            assert "${{" not in step["run"]  # inputs reach scripts only through env
            script = self.temp / f"step-{i}.sh"
            script.write_text(step["run"])
            last = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.work,
                                  env=env, capture_output=True, text=True, timeout=900)
            self.outputs[step.get("id", str(i))] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
            if last.returncode != 0:
                break
        return last


def _python310_first(where: Path) -> tuple[Path, Path]:
    """A folder whose `python3` (and `python`) is a 3.10 that writes down every use."""
    folder, log = where / "bin", where / "python3-used.log"
    folder.mkdir()
    real = shutil.which("python3.10") or next(iter(sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))), None)
    then = f'exec "{real}" "$@"' if real else "exit 97"
    for name in ("python3", "python"):
        (folder / name).write_text(f'#!/bin/sh\necho "$0 $*" >> "{log}"\n{then}\n')
        (folder / name).chmod(0o755)
    return folder, log


@pytest.fixture(scope="module")
def runner_place(tmp_path_factory) -> tuple[Path, Path, Path, Path]:
    base = tmp_path_factory.mktemp("runner")
    work, temp = base / "work", base / "runner temp"
    work.mkdir()
    temp.mkdir()
    shutil.copytree(ROOT / "fixtures" / "compose-leaf-reuses-domain", work / "deploy")
    first, log = _python310_first(base)
    return work, temp, first, log


def _setup_python() -> str:
    """What setup-python hands over: a Python 3.11 or newer, not a virtual environment."""
    return getattr(sys, "_base_executable", sys.executable)


def test_the_action_runs_on_a_runner_with_an_old_python3_and_a_space_in_runner_temp(runner_place):
    import jsonschema

    work, temp, first, log = runner_place
    runner = Runner(work, temp, {"path": "deploy", "args": '--select "NL2"', "sarif-file": "results/natslint.sarif"},
                    _setup_python(), first)
    proc = runner.run()
    assert proc is not None and proc.returncode == 1, proc.stdout + proc.stderr
    assert runner.outputs["run"] == {"exit-code": "1"}
    venv = Path(runner.outputs["venv"]["path"])
    assert venv.parent == temp and (venv / "bin" / "python").exists()
    assert not log.exists() or log.read_text() == ""  # the runner's python3 was never used
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::error file=deploy/nats/leaf-b.conf,line=6,endLine=6,col=11,")
    sarif = json.loads((work / "results" / "natslint.sarif").read_text())
    jsonschema.validate(sarif, shared_json("schemas", "sarif-schema-2.1.0.json"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["NL202"]  # --select "NL2", quotes removed
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "deploy/nats/leaf-b.conf"  # relative to GITHUB_WORKSPACE
    text = runner.summary.read_text()
    assert "| error | NL202 leaf-reuses-domain | `deploy/nats/leaf-b.conf:6:11` |" in text
    assert "```mermaid\nflowchart LR" in text


def test_the_second_run_restores_the_environment_and_summary_false_leaves_the_summary(runner_place):
    work, temp, first, _ = runner_place
    runner = Runner(work, temp, {"path": "deploy/nats/hub-1.conf", "summary": "false"}, _setup_python(), first)
    runner.summary.write_text("")
    proc = runner.run()
    assert proc is not None and proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.outputs["cache"] == {"cache-hit": "true"} and "Install natslint" not in proc.stdout
    assert runner.outputs["run"] == {"exit-code": "0"} and runner.summary.read_text() == ""


def test_an_unreleased_version_fails_with_one_line(runner_place):
    work, temp, first, _ = runner_place
    runner = Runner(work, temp, {"version": "0.2.0"}, _setup_python(), first)
    proc = runner.run()
    assert proc is not None and proc.returncode == 2
    assert proc.stdout.splitlines() == [
        "::error title=natslint::version '0.2.0': natslint is not on PyPI yet; leave 'version' empty to run "
        "this action's own checkout"]
    assert "python" not in runner.outputs  # it stopped before anything was set up


def test_args_and_path_split_as_a_shell_splits_words():
    env = {"INPUT_ARGS": "--select \"NL2\" --env 'A=two words'", "INPUT_PATH": '"my deploy" other\\ dir',
           "INPUT_FAIL_ON": "error", "INPUT_SARIF_FILE": "out/n.sarif"}
    assert command_line(env) == ["check", "--format", "github", "--fail-on", "error", "--also", "sarif:out/n.sarif",
                                 "--select", "NL2", "--env", "A=two words", "my deploy", "other dir"]
    assert command_line({"INPUT_ARGS": "$(touch /tmp/x) `id`"})[-4:] == ["$(touch", "/tmp/x)", "`id`", "."]  # never run
    assert command_line({"INPUT_BASELINE": "ci/base.json"})[-3:] == ["--baseline", "ci/base.json", "."]
    with pytest.raises(ValueError, match="the `args` input does not split into words: No closing quotation"):
        command_line({"INPUT_ARGS": '--select "NL2'})


def _lint(actionlint: str, project: Path, workflows: dict[str, str]) -> subprocess.CompletedProcess:
    """actionlint in a project laid out as GitHub sees it: the action at the root, so `uses: ./`
    is resolved and its inputs checked (actionlint does not read action.yml by itself)."""
    (project / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", project / "action.yml")
    for name, text in workflows.items():
        (project / ".github" / "workflows" / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)  # actionlint finds the project root by .git
    return subprocess.run([actionlint], cwd=project, capture_output=True, text=True)


def test_actionlint_passes_the_example_and_a_workflow_that_sets_every_input(tmp_path):
    actionlint = tool("actionlint")
    texts = {p.name: p.read_text() for p in WORKFLOWS}
    caller = texts["action.yml"]
    set_inputs = set(re.findall(r"^          ([\w-]+):", caller.split("uses: ./", 1)[1], re.MULTILINE))
    assert set(_action()["inputs"]) <= set_inputs  # the test workflow sets every input
    proc = _lint(actionlint, tmp_path / "good", texts)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = _lint(actionlint, tmp_path / "bad", {"action.yml": caller.replace("sarif-file:", "sarif-path:")})
    assert proc.returncode == 1 and 'input "sarif-path" is not defined' in proc.stdout, proc.stdout


def test_zizmor_finds_nothing_in_the_action_and_its_workflows():
    zizmor = tool("zizmor")
    proc = subprocess.run([zizmor, "--offline", "action.yml", *(str(p.relative_to(ROOT)) for p in WORKFLOWS)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "No findings to report" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_every_remote_action_is_pinned_by_sha_with_its_tag_and_the_example_can_be_copied():
    for path in [ROOT / "action.yml", *WORKFLOWS]:
        for line in path.read_text().splitlines():
            m = re.search(r"uses: (\S+)(.*)$", line)
            if m is None or m.group(1).startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1)) and \
                re.fullmatch(r" # v\d+\.\d+\.\d+", m.group(2)), f"{path.name}: {line.strip()}"
    example = (ROOT / "examples" / "natslint.yml").read_text()
    assert "uses: ./" not in example
    sha, tag = re.search(r"uses: natslint/natslint@([0-9a-f]{40}) # (v\S+)", example).groups()
    assert tag == f"v{__version__}"
    if shutil.which("git") and (ROOT / ".git").exists():
        known = subprocess.run(["git", "cat-file", "-e", f"{sha}:action.yml"], cwd=ROOT, capture_output=True)
        assert known.returncode == 0, f"{sha} is not a commit of this repository with an action.yml"
    readme = (ROOT / "README.md").read_text()
    assert f"uses: natslint/natslint@{sha} # {tag}" in readme  # the README shows the same pin
    # upload-sarif with exactly the permissions it needs
    assert re.search(r"permissions:\n\s+contents: read.*\n\s+actions: read.*\n\s+security-events: write", example)


def test_the_constraints_pin_every_runtime_dependency_within_pyproject_ranges():
    import importlib.metadata as md
    import tomllib

    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower().replace("_", "-").replace(".", "-")] = version.strip()
    declared = [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    needed, todo = set(), [r.name for r in declared]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in needed:
            continue
        needed.add(key)
        for raw in md.requires(name) or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert needed <= set(pins), needed - set(pins)
    for r in declared:
        assert r.specifier.contains(pins[r.name.lower().replace(".", "-")]), (r, pins)
