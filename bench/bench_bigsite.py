"""Big-site benchmark: `pubkit build` of 10,000 generated articles with images.

    .venv/bin/python bench/bench_bigsite.py [--articles 10000] [--small 1000] [--keep DIR]

In one run, each `pubkit build` a whole process (HTML and DOCX, 2 local
workers): a cold build, no-op rebuilds, rebuilds after editing one article,
and a cold build of a smaller site of the same shape (memory against size).
For each: wall time, the main process's peak resident memory (its own
``ru_maxrss``, read as it exits) and every worker's (the build report's
figure, and polling of the process tree with psutil).  Prints a Markdown
table for bench/README.md.
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from corpus import write_site  # noqa: E402

FORMATS = ["-f", "html", "-f", "docx"]
TARGETS = {"noop": 2.0, "edit": 3.0, "main_mb": 300.0, "worker_mb": 250.0}
# `python -m pubkit`, reporting its own peak RSS on the way out (workers are not its children
# in rusage terms: they belong to the fork server, so RUSAGE_SELF is the main process alone).
WRAPPER = (
    "import atexit, resource, runpy, sys\n"
    "def report(r=resource):\n"
    "    u = r.getrusage(r.RUSAGE_SELF)\n"
    "    sys.stderr.write('PEAK_RSS_KB %d CPU %.3f\\n' % (u.ru_maxrss, u.ru_utime + u.ru_stime))\n"
    "atexit.register(report)\n"
    "sys.argv = ['pubkit', *sys.argv[1:]]\n"
    "runpy.run_module('pubkit', run_name='__main__', alter_sys=True)\n"
)


@dataclass
class Run:
    wall: float
    summary: dict[str, object]
    main_mb: float
    cpu: float
    """User and system CPU seconds of the main process (renders in it included, workers not)."""
    load: float = 0.0
    """The 1-minute load average as the build ended."""
    polled_mb: dict[int, float] = field(default_factory=dict)
    """Every descendant process (pid) -> the largest RSS seen by polling."""

    @property
    def workers_mb(self) -> list[float]:
        reported = [float(w["peak_rss_mb"]) for w in self.summary.get("workers") or []]  # type: ignore[attr-defined]
        return reported


def poll(proc: psutil.Process, seen: dict[int, float], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            for child in proc.children(recursive=True):
                try:
                    mb = child.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                seen[child.pid] = max(seen.get(child.pid, 0.0), mb)
        except psutil.Error:
            return
        stop.wait(0.05)


def pubkit(root: Path, *args: str) -> Run:
    """One `pubkit build` process: wall time, summary, peak memory of it and its descendants."""
    cmd = [sys.executable, "-c", WRAPPER, "build", "--site", str(root), "--json", "--jobs", "2",
           *FORMATS, *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=poll, args=(psutil.Process(proc.pid), seen, stop), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"pubkit build failed ({proc.returncode}):\n{err[-3000:]}{out[-3000:]}")
    summary = json.loads(out.splitlines()[-1])
    fields = next(line.split() for line in err.splitlines() if line.startswith("PEAK_RSS_KB"))
    run = Run(wall, summary, int(fields[1]) / 1024, float(fields[3]), os.getloadavg()[0], seen)
    print(f"  {wall:.2f} s (CPU {run.cpu:.2f} s), {summary['built']} built, {summary['skipped']} up to date, "
          f"main {run.main_mb:.0f} MB, workers {run.workers_mb}, load {os.getloadavg()[0]:.1f}",
          file=sys.stderr, flush=True)
    return run


def edit(root: Path, index: int) -> None:
    path = root / "content" / f"article-{index:04d}.md"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\nA sentence added by an edit, number {time.time_ns()}.\n")


def cold(root: Path) -> Run:
    shutil.rmtree(root / "output", ignore_errors=True)
    return pubkit(root)


def fmt_mb(values: list[float]) -> str:
    return " / ".join(f"{v:.0f}" for v in values) or "-"


def met(value: float, target: float) -> str:
    return "met" if value <= target else "missed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="the smaller site (memory vs size)")
    parser.add_argument("--repeat", type=int, default=5, help="no-op and one-edit rebuilds")
    parser.add_argument("--keep", type=Path, help="build the big site here and leave it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        big = args.keep or Path(tmp) / "big"
        shutil.rmtree(big, ignore_errors=True)
        start = time.perf_counter()
        write_site(big, args.articles, images=True)
        print(f"generated {args.articles} articles in {time.perf_counter() - start:.1f} s",
              file=sys.stderr)
        small = write_site(Path(tmp) / "small", args.small, images=True)

        print("cold, small site", file=sys.stderr)
        small_run = cold(small)
        print("cold, big site", file=sys.stderr)
        big_run = cold(big)
        print("no-op", file=sys.stderr)
        pubkit(big)  # the first no-op writes nothing either; its page cache is warm from the build
        noops = [pubkit(big) for _ in range(args.repeat)]
        print("one edit", file=sys.stderr)
        n = args.articles
        edits = []
        for k in range(args.repeat):
            edit(big, (37 + 1000 * k) % n)
            run = pubkit(big)
            if run.summary["built"] != 2:
                raise SystemExit(f"one edit rebuilt {run.summary['built']} outputs, not 2")
            edits.append(run)

    n = args.articles
    noop = statistics.median(r.wall for r in noops)
    one = statistics.median(r.wall for r in edits)
    everything = [small_run, big_run, *noops, *edits]
    main_peak = max(r.main_mb for r in everything)
    worker_peak = max(max(r.workers_mb, default=0.0) for r in everything)
    polled = max((mb for r in everything for mb in r.polled_mb.values()), default=0.0)
    print(f"`pubkit build -f html -f docx --jobs 2`, generated articles with images "
          f"(bench/corpus.py), 2 cores, {time.strftime('%Y-%m-%d')}\n")
    print("| run | wall time | main process CPU | outputs | main process peak RSS "
          "| worker peak RSS (report) | load average |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")

    def row(label: str, runs: list[Run], outputs: str, workers: bool = True) -> None:
        walls = [r.wall for r in runs]
        wall = f"{statistics.median(walls):.2f} s"
        if len(runs) > 1:
            wall += f" ({min(walls):.2f}–{max(walls):.2f})"
        cpu = statistics.median(r.cpu for r in runs)
        peak = max(r.main_mb for r in runs)
        load = statistics.median(r.load for r in runs)
        print(f"| {label} | {wall} | {cpu:.2f} s | {outputs} | {peak:.0f} MB "
              f"| {fmt_mb(runs[0].workers_mb) + ' MB' if workers else '-'} | {load:.1f} |")

    row(f"cold, {args.small:,} articles", [small_run], f"{small_run.summary['built']} built")
    row(f"cold, {n:,} articles", [big_run], f"{big_run.summary['built']} built")
    row(f"no-op, {n:,} (median of {len(noops)})", noops, f"{noops[0].summary['skipped']} up to date",
        workers=False)
    row(f"one edit, {n:,} (median of {len(edits)})", edits, f"{edits[0].summary['built']} built "
        "(rendered in the main process)")
    print()
    print("| target | measured | |")
    print("| --- | ---: | --- |")
    print(f"| no-op rebuild of {n:,} at most {TARGETS['noop']:.0f} s | {noop:.2f} s "
          f"| {met(noop, TARGETS['noop'])} |")
    print(f"| one-edit rebuild at most {TARGETS['edit']:.0f} s | {one:.2f} s | {met(one, TARGETS['edit'])} |")
    print(f"| main process at most {TARGETS['main_mb']:.0f} MB | {main_peak:.0f} MB "
          f"| {met(main_peak, TARGETS['main_mb'])} |")
    print(f"| each worker under {TARGETS['worker_mb']:.0f} MB | {worker_peak:.0f} MB (report); "
          f"{polled:.0f} MB (largest descendant polled) | {met(worker_peak, TARGETS['worker_mb'])} |")
    print(f"\nLoad average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
