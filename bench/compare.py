"""Two versions of natslint, interleaved on one generated fleet, beside the `nats-server -t` loop.

    python bench/compare.py [--base 236405e] [--servers 1000] [--runs 7]

A machine's speed drifts from minute to minute: runs of the base commit and of the working tree
alternate, and only medians and ratios of the same run count.  The base is checked out into a
temporary git worktree (removed at the end); both run with this interpreter.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gen_fleet import generate  # noqa: E402
from run import installed_env, nats_server, run_dash_t, warm  # noqa: E402

_PROBE = ("import os, resource, subprocess, sys, time\n"
          "t = time.perf_counter()\n"
          "subprocess.run([sys.executable, '-m', 'natslint', 'check', '.', '-f', 'json', '-o', '/dev/null'],"
          " cwd=sys.argv[1], stderr=subprocess.DEVNULL)\n"
          "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")


def one_run(fleet: Path, source: Path) -> tuple[float, float]:
    """One cold check by the natslint of ``source``, loaded from bytecode as an install is."""
    out = subprocess.run([sys.executable, "-c", _PROBE, str(fleet)], capture_output=True, text=True,
                         check=True, env=installed_env(source)).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="236405e")
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fleet, base = Path(tmp) / "fleet", Path(tmp) / "base"
        generate(args.servers, fleet)
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            runs: dict[str, list[tuple[float, float]]] = {"base": [], "head": []}
            warm(fleet, base)
            warm(fleet, ROOT)
            for _ in range(args.runs):
                runs["base"].append(one_run(fleet, base))
                runs["head"].append(one_run(fleet, ROOT))
            binary = nats_server()
            dash_t = run_dash_t(fleet, binary) if binary else None
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    for name, got in runs.items():
        wall = statistics.median(w for w, _ in got)
        rss = max(r for _, r in got)
        ratio = f", {dash_t / wall:.1f}x faster than the -t loop ({dash_t:.2f} s)" if dash_t else ""
        label = args.base if name == "base" else "working tree"
        print(f"{label:>12}: median {wall:.3f} s (range {min(w for w, _ in got):.3f}-{max(w for w, _ in got):.3f}),"
              f" peak RSS {rss:.0f} MiB{ratio}")


if __name__ == "__main__":
    main()
