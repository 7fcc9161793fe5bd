"""Site index benchmark: `pubkit index` and a no-op `pubkit build`, as whole processes.

    .venv/bin/python bench/bench_index.py [--sizes 1000 10000] [--repeat 5]

For each size, a generated site (bench/corpus.py, about 600 words an
article) is indexed cold (no cache: every article parsed, on both cores)
and warm (the cache in the output folder, as every later command finds it),
then built once for HTML and built again with nothing to do.  Every figure
is the median wall time of whole processes (start-up, imports and output
included), so the 2 shared cores' noise shows in the spread quoted beside it.
Targets (issue "One site, one set of rules"): an index of 10,000 articles in
at most 1 s; a no-op build of 1,000 in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from corpus import write_site  # noqa: E402

RACY_WAIT = 2.2
"""Seconds to let files age past the index's racy window (a real site's files are older)."""


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pubkit {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall


def median(samples: list[float]) -> str:
    spread = f" ({min(samples):.2f}–{max(samples):.2f})" if len(samples) > 1 else ""
    return f"{statistics.median(samples):.2f} s{spread}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pubkit-bench-index-") as tmp:
        for size in args.sizes:
            root = write_site(Path(tmp) / f"site-{size}", size)
            time.sleep(RACY_WAIT)
            cache = root / "output" / ".pubkit-index.json"
            cold = []
            for _ in range(max(1, args.repeat // (5 if size > 2000 else 2))):
                cache.unlink(missing_ok=True)
                cold.append(timed(["index"], root))
            warm = [timed(["index"], root) for _ in range(args.repeat)]
            shutil.rmtree(root / "output")
            full = timed(["build", "-f", "html"], root)
            noop = [timed(["build", "-f", "html"], root) for _ in range(args.repeat)]
            rows.append((size, median(cold), median(warm), f"{full:.1f} s", median(noop)))
            print(f"{size}: cold {rows[-1][1]}, warm {rows[-1][2]}, build {rows[-1][3]}, "
                  f"no-op {rows[-1][4]}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    helps = [timed(["--help"], BENCH) for _ in range(args.repeat)]
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}; medians (min–max) of whole processes.\n")
    print("| articles | index, cold | index, warm (cache) | first HTML build | no-op build |")
    print("|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print(f"\n`pubkit --help`: {median(helps)}.")


if __name__ == "__main__":
    main()
