"""Time the long-running engine (natslint.engine, what the language server and --watch keep
between checks) in process: a cold check of a generated workspace, then one leaf config edited
again and again, then a compose file's host domain, then a Kubernetes manifest's, then a values
file's (the wasmcloud-host chart's).

    python bench/bench_engine.py [--servers 1000] [--edits 11] [--connected]

The edit is an unsaved buffer (an overlay), as the language server sees it, the engine told that
nothing else changed; the time is one `Engine.check`, the median of --edits edits.  The whole
round trip through the server process is bench/bench_live.py.  Measured here, never asserted.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from gen_fleet import a_leaf, edit_bench_args, generate  # noqa: E402


def main() -> None:
    args = edit_bench_args()
    from natslint.workspace import engine_for, run_check, settings_for

    with tempfile.TemporaryDirectory() as tmp:
        generate(args.servers, Path(tmp), connected=args.connected)
        os.chdir(tmp)
        gc.disable()  # as the command line runs
        leaf = a_leaf(Path("."))
        text = leaf.read_text()
        settings, resolver = settings_for(["."])
        t = time.perf_counter()
        run_check(["."], settings, resolver)
        cold = time.perf_counter() - t
        engine = engine_for(["."], resolver)
        engine.check()
        times, kinds = [], set()
        for i in range(args.edits):
            t = time.perf_counter()
            engine.check({str(Path(tmp) / leaf): text + f"\n# edit {i}\n"}, changed=[])
            times.append(time.perf_counter() - t)
            kinds.add(engine.last)
        compose = Path(tmp) / "site" / "docker-compose.yml"  # a compose project beside the regions
        compose.parent.mkdir()
        compose.write_text(COMPOSE.format(domain="hub"))
        engine.check(changed=[str(compose)])
        edits, compose_kinds = [], set()
        for i in range(args.edits):
            compose.write_text(COMPOSE.format(domain="hub" if i % 2 else "hbu"))
            t = time.perf_counter()
            engine.check(changed=[str(compose)])
            edits.append(time.perf_counter() - t)
            compose_kinds.add(engine.last)
        manifests, manifest_kinds = _folder_edits(Path(tmp), engine, args.edits, "k8s-manifest-lattice",
                                                  ("nats.yaml", "hosts.yaml"), "value: hub}", "value: hbu}")
        values, values_kinds = _folder_edits(Path(tmp), engine, args.edits, "helm-host-values",
                                             ("nats.yaml", "hosts/values.yaml"), "jetstreamDomain: hub",
                                             "jetstreamDomain: hbu")
        kz = ROOT / "fixtures" / "k8s-kustomize-lattice"
        kz_files = tuple(sorted(str(p.relative_to(kz)) for p in kz.rglob("*") if p.is_file() and p.name != "expected.txt"
                                and str(p.relative_to(kz)) != "hosts/hosts.yaml")) + ("hosts/hosts.yaml",)
        kustomized, kz_kinds = _folder_edits(Path(tmp), engine, args.edits, "k8s-kustomize-lattice", kz_files,
                                             "value: default\n            - name: WASMCLOUD_NATS_HOST",
                                             "value: dfault\n            - name: WASMCLOUD_NATS_HOST")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kind = "one connected fleet" if args.connected else "regions"
        print(f"| {args.servers} servers, {kind} | cold check {cold * 1000:.0f} ms | one leaf edited, engine: median "
              f"{statistics.median(times) * 1000:.0f} ms ({engine.memo.built} fleet built, {engine.memo.reused} kept; "
              f"{'/'.join(sorted(kinds))} checks) | a compose host's domain edited: median "
              f"{statistics.median(edits) * 1000:.0f} ms ({'/'.join(sorted(compose_kinds))} checks) | "
              f"a manifest host's domain edited: median {statistics.median(manifests) * 1000:.0f} ms "
              f"({'/'.join(sorted(manifest_kinds))} checks) | a values file's host domain edited: median "
              f"{statistics.median(values) * 1000:.0f} ms ({'/'.join(sorted(values_kinds))} checks) | a kustomization's "
              f"host domain edited: median {statistics.median(kustomized) * 1000:.0f} ms "
              f"({'/'.join(sorted(kz_kinds))} checks) | "
              f"peak RSS {rss:.0f} MB |")


def _folder_edits(tmp: Path, engine, edits: int, fixture: str, files: tuple[str, ...], old: str, new: str
                  ) -> tuple[list[float], set[str]]:
    """A fixture's folder beside the regions (plain manifests, a values file), the last of its
    ``files`` edited on disk again and again: ``old`` and ``new`` in turn."""
    where = tmp / fixture
    for f in files:
        (where / f).parent.mkdir(parents=True, exist_ok=True)
        (where / f).write_text((ROOT / "fixtures" / fixture / f).read_text())
    target = where / files[-1]
    text = target.read_text()
    engine.check(changed=[str(where / f) for f in files])
    times, kinds = [], set()
    for i in range(edits):
        target.write_text(text if i % 2 else text.replace(old, new))
        t = time.perf_counter()
        engine.check(changed=[str(target)])
        times.append(time.perf_counter() - t)
        kinds.add(engine.last)
    return times, kinds


COMPOSE = """services:
  nats:
    image: nats:2.11
    command: ["-js", "-n", "site", "-sd", "/data"]
  host-1:
    image: ghcr.io/wasmcloud/wasmcloud:1.9.2
    environment:
      WASMCLOUD_NATS_HOST: nats
      WASMCLOUD_JS_DOMAIN: {domain}
  host-2:
    image: ghcr.io/wasmcloud/wasmcloud:1.9.2
    environment:
      WASMCLOUD_NATS_HOST: nats
      WASMCLOUD_JS_DOMAIN: hub
"""


if __name__ == "__main__":
    main()
