"""Time whole `natslint check` runs on generated fleets, against `nats-server -t` on the same files.

    python bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--out bench/results.md]

For each N: generate the fleet (bench/gen_fleet.py), run `natslint check` in a fresh process
(best of --repeat; peak RSS of the largest process), for N <= 1,000 also kept to one process
(NATSLINT_JOBS=1, no forked helper), then `nats-server -t -c FILE` over every server file one
by one (best of --repeat too, once at N = 10,000), and report the ratio.  Also times a 5-file
fleet (what pre-commit runs).
Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gen_fleet import generate  # noqa: E402


def installed_env(source: Path = ROOT, **extra: str) -> dict[str, str]:
    """The environment of a run as users have it: natslint from ``source``, its modules loaded
    from bytecode.  pip compiles a wheel's modules when it installs them; a checkout run under
    PYTHONDONTWRITEBYTECODE (set on some machines) compiles all 110 of natslint's modules on
    every start instead, about 60 ms that no user pays.  The bytecode goes to a cache of the
    bench's own (PYTHONPYCACHEPREFIX), never into the source tree; call :func:`warm` once first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(source), PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "natslint-bench-pyc"),
               **extra)
    return env


def warm(fleet: Path, source: Path = ROOT) -> None:
    """One discarded run: every module the check loads is compiled into the bench's cache."""
    subprocess.run([sys.executable, "-m", "natslint", "check", ".", "-f", "json", "-o", "/dev/null"], cwd=fleet,
                   env=installed_env(source), capture_output=True)


def run_check(fleet: Path, jobs: str | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one `natslint check` in its own process (and its
    helper process, when it forks one); ``jobs="1"`` keeps it to one process."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "p = subprocess.run([sys.executable, '-c', 'from natslint.program import main; main()',"  # the console script
             " 'check', '.', '-f', 'json', '-o', '/dev/null'],"
             " cwd=sys.argv[1])\n"
             "wall = time.perf_counter() - t\n"
             "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
             "print(wall, rss, p.returncode)\n")
    out = subprocess.run([sys.executable, "-c", probe, str(fleet)], capture_output=True, text=True, check=True,
                         env=installed_env(**({"NATSLINT_JOBS": jobs} if jobs else {})))
    wall, rss, code = out.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"natslint check failed on {fleet} (exit {code})")
    return float(wall), float(rss)


def nats_server() -> str | None:
    here = Path(sys.executable).parent / "nats-server"
    return str(here) if here.exists() else shutil.which("nats-server")


def run_dash_t(fleet: Path, binary: str) -> float:
    files = sorted(p for p in fleet.rglob("*.conf"))
    t = time.perf_counter()
    for f in files:
        subprocess.run([binary, "-t", "-c", str(f)], cwd=f.parent, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    ap.add_argument("--no-dash-t", action="store_true", help="skip the nats-server -t loop")
    args = ap.parse_args()
    binary = None if args.no_dash_t else nats_server()
    rows = []
    with tempfile.TemporaryDirectory(prefix="natslint-bench-") as tmp:
        small = Path(tmp) / "five"
        shutil.copytree(ROOT / "fixtures" / "leaf-sites", small)
        warm(small)
        wall = min(run_check(small)[0] for _ in range(args.repeat))
        rows.append(("5-file fleet (pre-commit)", "6", f"{wall * 1000:.0f} ms", "", "", "", ""))
        base = None
        for n in (int(x) for x in args.sizes.split(",")):
            fleet = Path(tmp) / f"fleet-{n}"
            generate(n, fleet)
            size = sum(p.stat().st_size for p in fleet.rglob("*") if p.is_file())
            runs = [run_check(fleet) for _ in range(args.repeat)]
            wall, rss = min(r[0] for r in runs), max(r[1] for r in runs)
            one = min(run_check(fleet, jobs="1")[0] for _ in range(args.repeat)) if n <= 1000 else None
            # best of --repeat for the loop too (once at 10,000: it takes half a minute)
            dash_t = min(run_dash_t(fleet, binary) for _ in range(args.repeat if n <= 1000 else 1)) \
                if binary else None
            scale = f"{wall / base[1]:.1f}× the time of N = {base[0]} for {n / base[0]:.0f}× the servers" \
                if base else ""
            base = (n, wall)
            rows.append((f"N = {n}", f"{size / 1e6:.2f} MB", f"{wall:.2f} s", f"{one:.2f} s" if one else "",
                         f"{rss:.0f} MB", f"{dash_t:.2f} s ({dash_t / wall:.1f}×)" if dash_t else "", scale))
            print(rows[-1], flush=True)
    lines = ["# natslint benchmark", "",
             f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; best of {args.repeat} cold runs "
             "(no cache), `natslint check DIR -f json` in a fresh process; the `nats-server -t` loop "
             f"also best of {args.repeat} (once at N = 10,000).", "",
             "| fleet | config size | natslint check | one process (`NATSLINT_JOBS=1`) | peak RSS "
             "| `nats-server -t` per file (ratio) | scaling |",
             "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
