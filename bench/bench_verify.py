"""``pubkit verify`` and ``pubkit check`` beside the cold build of the same articles, as whole processes.

    .venv/bin/python bench/bench_verify.py [--articles 200] [--check-articles 1000] [--runs 5]
                                          [--baseline SRC]

Targets: ``pubkit check`` of 1,000 generated articles in at most 2 s, and
``pubkit verify`` of every output of a site (all formats) in at most a
quarter of the time its cold build takes.  A cold build of 1,000 articles in
every format takes minutes on two cores, so the build/verify ratio is measured
on ``--articles`` (200 by default) while check runs on ``--check-articles``.
``--baseline SRC`` also runs ``pubkit check`` from another source tree (say,
the main branch's ``src``) in the same run, for before/after figures.

Every command runs as a new process (``python -m pubkit``); wall time is
the median of ``--runs`` runs (the build runs once: a second would be a
no-op), CPU time is user + system of the process and every worker it waited
for.  Prints Markdown tables for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_site

REPO = Path(__file__).resolve().parents[1]
TODAY = "2025-06-01"


def run(root: Path, args: list[str], src: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``pubkit ARGS`` in ``root``, and its last line of output."""
    env = {**os.environ, "PUBKIT_TODAY": TODAY}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    if done.returncode not in (0, 1):
        raise SystemExit(f"pubkit {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, cpu, lines[-1] if lines else ""


def runs(root: Path, args: list[str], count: int, src: Path | None = None) -> tuple[float, float, float, str]:
    """Median wall, minimum wall, median CPU and the last output line over ``count`` runs."""
    walls, cpus, last = [], [], ""
    for _ in range(count):
        wall, cpu, last = run(root, args, src)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), min(walls), statistics.median(cpus), last


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--check-articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = write_site(Path(tmp) / "built", args.articles)
        checked = write_site(Path(tmp) / "checked", args.check_articles)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{os.cpu_count()} cores, load average {load} at the start, median of {args.runs} runs\n")
        print("| run | articles | wall, median | wall, min | CPU, median | output |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        build_wall, _, line = run(built, ["build"])
        # The build's workers are children of a fork server, which the build does not wait
        # for: their CPU time is not the build's rusage.  The report's job times are.
        report = json.loads((built / "output" / "build-report.json").read_text(encoding="utf-8"))
        build_cpu = sum(job["seconds"] for job in report["jobs"])
        print(f"| cold `pubkit build`, all formats | {args.articles} | {build_wall:.2f} s | - | "
              f"{build_cpu:.2f} s (sum of job times) | {line} |")
        v_wall, v_low, v_cpu, line = runs(built, ["verify"], args.runs)
        print(f"| `pubkit verify`, all formats | {args.articles} | {v_wall:.2f} s | {v_low:.2f} s | "
              f"{v_cpu:.2f} s | {line} |")
        rows = [("`pubkit check`", ["check"], None),
                ("`pubkit check --jobs 1`", ["check", "--jobs", "1"], None)]
        if args.baseline is not None:
            rows += [("`pubkit check`, baseline", ["check"], args.baseline),
                     ("`pubkit check --jobs 1`, baseline", ["check", "--jobs", "1"], args.baseline)]
        check_wall = 0.0
        for label, cmd, src in rows:
            c_wall, c_low, c_cpu, line = runs(checked, cmd, args.runs, src)
            check_wall = check_wall or c_wall
            print(f"| {label} | {args.check_articles} | {c_wall:.2f} s | {c_low:.2f} s | {c_cpu:.2f} s "
                  f"| {line} |")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nverify / cold build: {v_wall / build_wall:.2f}x wall, {v_cpu / build_cpu:.2f}x CPU "
              f"(target at most 0.25x: {'met' if v_wall / build_wall <= 0.25 else 'missed'}); "
              f"check: {check_wall:.2f} s (target 2 s: {'met' if check_wall <= 2 else 'missed'}); "
              f"load average {load} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
