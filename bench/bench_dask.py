"""Dask benchmark: the same cold HTML+DOCX build through the local pool and through Dask.

    .venv/bin/python bench/bench_dask.py [--articles 1000] [--runs 3]

In one run, alternating: `pubkit build --jobs 2` (the local pool of 2
worker processes) and `pubkit build --executor dask` against a real `dask
scheduler` with 2 single-threaded `dask worker` processes that cannot see
the site (each in a mount namespace of its own where an empty tmpfs hides
the site's folder, started from another folder: see
tests/batch/hidden_cluster.py; needs root for `unshare --mount`).  The
first Dask build also starts each worker's render process; later ones find
it loaded, as a long-lived cluster would, so both are reported.  Target:
Dask within 1.25x of the local pool's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.batch.hidden_cluster import hidden_cluster  # noqa: E402
from tests.batch.sitegen import generate_site  # noqa: E402

FORMATS = ["-f", "html", "-f", "docx"]
TARGET = 1.25


def cold_build(root: Path, *args: str) -> tuple[float, dict[str, object]]:
    """Wall time and JSON summary of one cold `pubkit build` process."""
    shutil.rmtree(root / "output", ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", "build", "--site", str(root), "--json",
                           *FORMATS, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pubkit build {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    summary = json.loads(done.stdout.splitlines()[-1])
    print(f"  {' '.join(args)}: {wall:.2f} s, {summary['built']} built, "
          f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    return wall, summary


def tree(out: Path) -> dict[str, bytes]:
    skip = {".pubkit-manifest.json", ".pubkit-build.lock", "build-report.json", ".pubkit-index.json"}
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name not in skip}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pubkit-bench-dask-") as tmp:
        hidden = Path(tmp) / "sites"
        elsewhere = Path(tmp) / "elsewhere"
        hidden.mkdir()
        elsewhere.mkdir()
        root = generate_site(hidden / "site", args.articles)
        loads = [os.getloadavg()[0]]
        local: list[float] = []
        dask: list[float] = []
        with hidden_cluster(hidden, elsewhere, workers=2) as cluster:
            dask_flags = ("--executor", "dask", "--scheduler", cluster.address)
            first, _ = cold_build(root, *dask_flags)
            remote_tree = tree(root / "output")
            for _ in range(args.runs):
                wall, summary = cold_build(root, "--jobs", "2")
                local.append(wall)
                loads.append(os.getloadavg()[0])
                wall, summary = cold_build(root, *dask_flags)
                dask.append(wall)
                loads.append(os.getloadavg()[0])
            workers = summary["workers"]
        same = tree(root / "output") == remote_tree
        cold_build(root, "--jobs", "2")
        same = same and tree(root / "output") == remote_tree
    built = args.articles * 2
    lm, dm = statistics.median(local), statistics.median(dask)
    print(f"| {args.articles} articles, HTML+DOCX ({built} outputs), cold | wall s (median of "
          f"{args.runs}) |")
    print("|---|---:|")
    print(f"| local pool, `--jobs 2` | {lm:.2f} ({', '.join(f'{x:.2f}' for x in local)}) |")
    print(f"| Dask, 2 workers that cannot see the site | {dm:.2f} "
          f"({', '.join(f'{x:.2f}' for x in dask)}) |")
    print(f"| Dask, first build (render processes starting) | {first:.2f} |")
    print()
    print(f"Dask / local: {dm / lm:.2f}x (target at most {TARGET}x: "
          f"{'met' if dm / lm <= TARGET else 'MISSED'}); first build {first / lm:.2f}x")
    print(f"outputs byte-identical between the two: {same}")
    peaks = " / ".join(f"{w['peak_rss_mb']:.0f}" for w in workers)  # type: ignore[index,union-attr,attr-defined]
    print(f"peak RSS of the render processes (MB): {peaks}")
    print(f"load average during the run: {min(loads):.1f} to {max(loads):.1f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
