"""Parser throughput and CLI start-up (a benchmark, never a test assertion).

    python bench/bench_parser.py [CORPUS_DIR] [--mb 5]

Throughput: every *.conf under CORPUS_DIR (default ../shared/corpus/nats-server, else the
bundled fixtures), repeated until at least --mb megabytes, parsed with one grammar on one
core.  Start-up: `natslint check` on one small file, best of 10 runs, wall time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from natslint.syntax import lexer  # noqa: E402
from natslint.syntax.lalr import _lark  # noqa: E402
from natslint.syntax.parser import parse_text  # noqa: E402


def corpus_texts(folder: Path) -> list[str]:
    return [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(folder.rglob("*.conf"))]


def main() -> None:
    ap = argparse.ArgumentParser()
    default = ROOT.parent / "shared" / "corpus" / "nats-server"
    ap.add_argument("corpus", nargs="?", default=str(default if default.is_dir() else ROOT / "fixtures"))
    ap.add_argument("--mb", type=float, default=5.0)
    args = ap.parse_args()
    texts = corpus_texts(Path(args.corpus))
    one = sum(len(t.encode()) for t in texts)
    reps = max(1, int(args.mb * 1e6 / one) + 1)
    total = one * reps
    _lark()  # the grammar is built once per process; not part of the measurement

    t0 = time.perf_counter()
    for _ in range(reps):
        for t in texts:
            lexer.lex(t)
    t_lex = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(reps):
        for t in texts:
            parse_text(t, env={})
    t_parse = time.perf_counter() - t0
    print(f"corpus: {len(texts)} files, {one} bytes, x{reps} = {total / 1e6:.1f} MB")
    print(f"lexer only:          {total / t_lex / 1e6:.2f} MB/s")
    print(f"lex + Lark + model:  {total / t_parse / 1e6:.2f} MB/s")

    small = ROOT / "fixtures" / "leaf-sites" / "edge" / "site-a.conf"
    runs = []
    for _ in range(10):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "natslint", "check", str(small)], capture_output=True)
        runs.append(time.perf_counter() - t0)
    print(f"start-up, `natslint check` one small file: best {min(runs) * 1000:.0f} ms, "
          f"median {sorted(runs)[5] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
