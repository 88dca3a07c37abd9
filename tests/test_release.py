"""A release a user can install: `python -m build` makes a wheel and an sdist that `twine check`
passes, the wheel carries the grammar, the rule docs and the option table, and it installs and
runs under every CPython 3.11+ on this machine, from a folder outside the repository. One version
everywhere: the package, the wheel, `natslint --version` and the changelog's top entry."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from natslint import __version__

pytestmark = pytest.mark.packaging
ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = [(3, 11), (3, 12), (3, 13)]  # README and the classifiers say the same


def _run(*args: str | Path, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    if proc.returncode != 0 and "No module named build" in proc.stderr:
        pytest.skip("the build frontend is not installed (pip install '.[test]')")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


def test_build_makes_a_wheel_and_an_sdist_that_twine_accepts(dist):
    wheel = dist / f"natslint-{__version__}-py3-none-any.whl"
    sdist = dist / f"natslint-{__version__}.tar.gz"
    assert wheel.exists() and sdist.exists(), sorted(p.name for p in dist.iterdir())
    proc = _run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)
    assert proc.returncode == 0 and proc.stdout.count("PASSED") == 2, proc.stdout + proc.stderr
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("natslint/_data/grammar/nats.lark", "natslint/_data/rules/NL202-leaf-reuses-domain.md",
                 "natslint/data/nats_options.json", "natslint/prove/output.schema.json"):
        assert data in names, data
    metadata = zipfile.ZipFile(wheel).read(f"natslint-{__version__}.dist-info/METADATA").decode()
    assert re.search(rf"^Version: {re.escape(__version__)}$", metadata, re.MULTILINE)
    assert re.search(r"^Requires-Python: >=3\.11$", metadata, re.MULTILINE)
    said = sorted(re.findall(r"^Classifier: Programming Language :: Python :: (3\.\d+)$", metadata, re.MULTILINE))
    assert said == [f"{a}.{b}" for a, b in SUPPORTED]


def test_one_version_everywhere():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    top = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert top is not None and top.group(1) == __version__
    assert changelog.index(f"## [{__version__}]") < changelog.index("## [", changelog.index(f"## [{__version__}]") + 1)
    out = _run(sys.executable, "-m", "natslint", "--version").stdout
    assert out.split()[:2] == ["natslint", __version__]
    assert f"(Python {'.'.join(map(str, sys.version_info[:3]))};" in out and "nats-server 2." in out
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11, 3.12 and 3.13" in readme


def _interpreters() -> list[tuple[tuple[int, int], str]]:
    """Every CPython 3.11 or newer on the machine: on PATH, and pyenv's versions."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(11, 20)]
    candidates += [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.*/bin/python3"))]
    found: dict[tuple[int, int], str] = {}
    for c in filter(None, candidates):
        proc = _run(c, "-c", "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])",
                    timeout=60)
        if proc.returncode != 0:
            continue  # a pyenv shim for a version that is not installed
        impl, major, minor = proc.stdout.split()
        if impl == "CPython" and (int(major), int(minor)) >= (3, 11):
            found.setdefault((int(major), int(minor)), c)
    return sorted(found.items())


@pytest.mark.parametrize("minor", [m for _, m in SUPPORTED])
def test_the_wheel_installs_and_runs_outside_the_repository(minor, dist, tmp_path):
    interpreters = dict(_interpreters())
    python = interpreters.get((3, minor))
    if python is None:
        if (3, minor) == sys.version_info[:2]:
            python = sys.executable
        else:
            pytest.skip(f"CPython 3.{minor} is not installed on this machine")
    venv = tmp_path / "venv"
    assert _run(python, "-m", "venv", venv).returncode == 0
    wheel = dist / f"natslint-{__version__}-py3-none-any.whl"
    proc = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--constraint", ROOT / "constraints.txt", wheel, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    natslint = venv / "bin" / "natslint"
    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "fixtures" / "compose-leaf-reuses-domain", work / "deploy")
    shutil.copytree(ROOT / "fixtures" / "compose-lattice", work / "clean")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    version = subprocess.run([natslint, "--version"], cwd=work, capture_output=True, text=True, env=env)
    assert version.stdout.startswith(f"natslint {__version__} (Python 3.{minor}.")
    bad = subprocess.run([natslint, "check", "deploy"], cwd=work, capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and bad.stdout.startswith("deploy/nats/leaf-b.conf:6:11: NL202 [error]"), bad.stdout
    good = subprocess.run([natslint, "check", "clean"], cwd=work, capture_output=True, text=True, env=env)
    assert good.returncode == 0, good.stdout
    doc = subprocess.run([natslint, "rule", "NL202"], cwd=work, capture_output=True, text=True, env=env)
    assert doc.returncode == 0 and "leaf-reuses-domain" in doc.stdout  # the rule docs came with the wheel
    assert str(ROOT) not in bad.stdout + doc.stdout
