"""The long-running engine (a RunMemo kept between checks, as the language server and --watch
keep it): after every step of random edit sequences over three fleets, its answer equals a cold
check of the same files, byte for byte in JSON. The sequences change domains, break and fix
syntax, edit a shared include, edit natslint.toml, create and delete files, on disk and in
unsaved buffers."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natslint.cli.check import run_check
from natslint.cli.settings import settings_for
from natslint.memo import RunMemo
from natslint.report.json_format import render_json

ROOT = Path(__file__).resolve().parents[1]
FLEETS = {"lattice": "compose-lattice", "sites": "leaf-sites", "fragment": "include-fragment"}
CONFIGS = ["lattice/nats/hub-1.conf", "lattice/nats/leaf-b.conf", "sites/hub/nats-1.conf", "sites/shared/accounts.conf",
           "fragment/hub.conf",
           "fragment/edge.conf", "fragment/remotes.conf"]

STEP = st.one_of(
    st.tuples(st.just("domain"), st.sampled_from(CONFIGS), st.sampled_from(["hub", "leaf-b", "edge", "core"])),
    st.tuples(st.just("break"), st.sampled_from(CONFIGS), st.just("")),
    st.tuples(st.just("restore"), st.sampled_from(CONFIGS), st.just("")),
    st.tuples(st.just("include"), st.just("fragment/remotes.conf"), st.sampled_from(["7422", "7999"])),
    st.tuples(st.just("toml"), st.sampled_from(["lattice/natslint.toml", "natslint.toml"]),
              st.sampled_from(['expect-domain = "hub"\n', 'ignore = ["NL107"]\n', ""])),
    st.tuples(st.just("create"), st.sampled_from(["lattice/nats/extra.conf", "sites/new.conf"]),
              st.sampled_from(["server_name: extra\nport: 4999\njetstream { domain: hub }\n", "port: 4998\nx: {\n"])),
    st.tuples(st.just("delete"), st.sampled_from(["lattice/nats/leaf-a.conf", "lattice/nats/extra.conf",
                                                   "sites/new.conf"]), st.just("")),
)


def _apply(root: Path, originals: dict[str, str], op: str, path: str, arg: str) -> str | None:
    """The step made on disk; the new text of ``path`` when it is a buffer edit instead."""
    target = root / path
    if op == "delete":
        target.unlink(missing_ok=True)
        return None
    if op in ("toml", "create"):
        target.write_text(arg)
        return None
    text = target.read_text() if target.exists() else originals.get(path, "")
    if op == "domain":
        lines = text.split("\n")
        lines = [f"{ln[:len(ln) - len(ln.lstrip())]}domain: {arg}" if ln.strip().startswith("domain:") else ln
                 for ln in lines]
        return "\n".join(lines)
    if op == "break":
        return text + "\nbroken {\n"
    if op == "include":
        return text.replace("7422", arg).replace("7999", arg)
    return originals[path]  # restore


def _check(memo: RunMemo | None, overlays: dict[str, str]) -> str:
    settings, resolver = settings_for(["."])
    return render_json(run_check(["."], settings, resolver, overlays=overlays, memo=memo))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(STEP, st.booleans()), min_size=1, max_size=6))
def test_after_every_step_the_engine_equals_a_cold_check(steps):
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, fixture in FLEETS.items():
            shutil.copytree(ROOT / "fixtures" / fixture, root / name)
            (root / name / "expected.txt").unlink()
        originals = {p: (root / p).read_text() for p in CONFIGS}
        os.chdir(root)
        try:
            memo = RunMemo()
            overlays: dict[str, str] = {}
            assert _check(memo, overlays) == _check(None, overlays)
            for (op, path, arg), unsaved in steps:
                text = _apply(root, originals, op, path, arg)
                if text is not None:
                    if unsaved:  # an editor's buffer: the engine and the cold check both read it
                        overlays[str(root / path)] = text
                    else:
                        (root / path).write_text(text)
                        overlays.pop(str(root / path), None)
                assert _check(memo, overlays) == _check(None, overlays), (op, path, arg, unsaved)
        finally:
            os.chdir(here)


def test_the_engine_reuses_what_an_edit_leaves_alone(tmp_path, monkeypatch):
    for name, fixture in FLEETS.items():
        shutil.copytree(ROOT / "fixtures" / fixture, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    memo = RunMemo()
    _check(memo, {})
    assert (memo.built, memo.reused) == (3, 0)
    hub = tmp_path / "sites" / "hub" / "nats-1.conf"
    _check(memo, {str(hub): hub.read_text() + "\n# edited\n"})
    assert (memo.built, memo.reused) == (1, 2)  # one fleet built again, two kept
