"""``pubkit check`` benchmark: 1,000 generated articles as a whole process, and where the time goes.

    .venv/bin/python bench/bench_check.py [--articles 1000] [--runs 5] [--cache]
    .venv/bin/python bench/bench_check.py --against OTHER/src [--runs 10] [--no-cache]
    .venv/bin/python bench/bench_check.py --python OTHER/bin/python [--runs 10]

``--against`` runs this checkout's ``pubkit check`` and another tree's (``git worktree add
../before REV``) in alternation on the same site, cold each time, and prints both medians and
their ratio: on a shared machine only figures taken in one loop compare.  ``--python`` does the
same with this tree under another interpreter (a venv with pubkit's dependencies installed):
how much the build of Python itself matters (``scripts/python.sh``).

Target (issue 11): ``pubkit check`` of 1,000 generated articles in at most 2 s
as a whole process, cold (both caches emptied before each run: a first check, or one
after the settings changed), and warm.  Prints a Markdown table (medians) and the sample
article's reading figures; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_site

REPO = Path(__file__).resolve().parents[1]
TARGET = 2.0


def whole_process(root: Path, runs: int, *args: str, cold: bool = False) -> tuple[float, float, float, str]:
    """Median and minimum wall seconds of ``pubkit check ARGS`` in ``root``, the median CPU
    seconds (user + system, the process and its workers), and its summary line; with ``cold``
    both caches (the site index's and the results') are emptied before each run.

    CPU time is the steadier figure on a shared machine: other people's work
    stretches the wall time, not the work done.
    """
    times, cpu, last = [], [], ""
    env = {**os.environ, "PUBKIT_TODAY": "2025-06-01"}
    for _ in range(runs):
        if cold:
            empty_caches(root)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pubkit", "check", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        last = done.stdout.strip().splitlines()[-1] if "--json" not in args else (
            f"{json.loads(done.stdout)['checked']} checked (JSON)")
    return statistics.median(times), min(times), statistics.median(cpu), last


def empty_caches(root: Path) -> None:
    """A first check: no site index cache (in ``output/``), no kept results (``.pubkit/``)."""
    import shutil

    shutil.rmtree(root / "output", ignore_errors=True)
    shutil.rmtree(root / ".pubkit", ignore_errors=True)


def stages(root: Path, runs: int) -> dict[str, float]:
    """Median milliseconds per article of each stage, in this process (CPU time)."""
    from pubkit.article_check import Checker, CheckOptions
    from pubkit.checks import check_article
    from pubkit.readability.measure import measure
    from pubkit.readability.prose import passages
    from pubkit.readability.wordlist import word_list
    from pubkit.renderers.base import RenderContext
    from pubkit.review.record import review_state
    from pubkit.site import open_site
    from pubkit.source.reader import read_article

    site = open_site(root)
    ctx = RenderContext.for_site(site)
    files = sorted(site.content_dir.glob("*.md"))
    articles = [read_article(p, root) for p in files]
    words = word_list("en", {})
    day = dt.date(2025, 6, 1)
    checker = Checker(ctx, {}, CheckOptions(day))
    work: dict[str, Callable[[], Any]] = {
        "parse (source -> model)": lambda: [read_article(p, root) for p in files],
        "links, images, alt text": lambda: [check_article(a, ctx)
                                            for a in articles],
        "reading level (all figures)": lambda: [measure(a) for a in articles],
        "plain-language list": lambda: [words.find(passages(a.body)) for a in articles],
        "review record": lambda: [review_state(a, site.settings, day) for a in articles],
        "everything after parsing": lambda: [checker.check(a) for a in articles],
    }
    out = {}
    for name, job in work.items():
        job()  # warm caches (syllables, word patterns)
        samples = []
        for _ in range(runs):
            start = time.process_time()
            job()
            samples.append((time.process_time() - start) * 1000 / len(files))
        out[name] = statistics.median(samples)
    return out


def sample_figures() -> dict[str, Any]:
    from pubkit.readability.measure import measure
    from pubkit.readability.report import readability_json
    from pubkit.settings import Check
    from pubkit.source.reader import read_article

    article = read_article(REPO / "content" / "ketamine-pain-management.md", REPO)
    return readability_json(measure(article), article.lang, Check())  # type: ignore[call-arg]


def cache_runs(root: Path, rounds: int) -> None:
    """The result cache, in turn on the same site: ``--no-cache``, a cold run (both caches
    emptied: the site index's and check's own), then two warm runs, ``rounds`` times."""
    def empty() -> None:
        empty_caches(root)

    runs: dict[str, list[tuple[float, float, float, str]]] = {"--no-cache": [], "cold": [], "warm": []}
    for _ in range(rounds):
        empty()
        runs["--no-cache"].append(whole_process(root, 1, "--no-cache"))
        empty()
        runs["cold"].append(whole_process(root, 1))
        runs["warm"] += [whole_process(root, 1) for _ in range(2)]
    print("| run | wall, median | wall, min | CPU, median | output |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, found in runs.items():
        median = statistics.median(r[0] for r in found)
        verdict = "met" if median <= TARGET else "missed"
        print(f"| {label} | {median:.2f} s (target 2 s: {verdict}) | {min(r[1] for r in found):.2f} s | "
              f"{statistics.median(r[2] for r in found):.2f} s | {found[-1][3]} |")


def compiled(*trees: Path) -> None:
    """Give the trees' modules their bytecode, as an installed wheel has it.

    An editable checkout is compiled as it is imported, and its bytecode kept
    for the next run, unless ``PYTHONDONTWRITEBYTECODE`` is set (this machine
    sets it): then every run compiled pubkit's modules again, a tenth of a
    second of each cold check.
    """
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True)


def interpreter(python: str) -> str:
    """``python``'s version and the executable its venv was made from."""
    out = subprocess.run([python, "-c", "import os, sys; print(sys.version.split()[0], "
                          "os.path.realpath(sys._base_executable))"],
                         capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.strip()


def against(root: Path, other: Path | None, python: str | None, runs: int, no_cache: bool) -> None:
    """Cold runs of this tree and ``other`` (a ``src`` folder; this one when None) under
    ``python`` (this interpreter when None) in alternation; medians and ratios."""
    trees = {"this": str(REPO / "src"), "other": str((other or REPO / "src").resolve())}
    pythons = {"this": sys.executable, "other": python or sys.executable}
    found: dict[str, list[tuple[float, float]]] = {"this": [], "other": []}
    args = ["--no-cache"] if no_cache else []
    for i in range(runs):
        for name in (("this", "other") if i % 2 else ("other", "this")):
            empty_caches(root)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([pythons[name], "-m", "pubkit", "check", *args], cwd=root, timeout=600,
                           env={**os.environ, "PUBKIT_TODAY": "2025-06-01", "PYTHONPATH": trees[name]},
                           capture_output=True, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            found[name].append((wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    print(f"cold `pubkit check{' --no-cache' if no_cache else ''}`, {runs} runs each, alternated, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| tree | Python | wall, median | wall, min | CPU, median |")
    print("| --- | --- | ---: | ---: | ---: |")
    medians = {}
    for name, runs_of in found.items():
        medians[name] = (statistics.median(r[0] for r in runs_of), statistics.median(r[1] for r in runs_of))
        print(f"| {name} ({trees[name]}) | {interpreter(pythons[name])} | {medians[name][0]:.2f} s | "
              f"{min(r[0] for r in runs_of):.2f} s | {medians[name][1]:.2f} s |")
    print(f"\nthis / other: wall {medians['this'][0] / medians['other'][0]:.2f}x, "
          f"CPU {medians['this'][1] / medians['other'][1]:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", action="store_true",
                        help="only the result cache: --no-cache, cold and warm runs in turn")
    parser.add_argument("--against", type=Path, metavar="SRC",
                        help="another tree's src folder: cold runs of both in alternation")
    parser.add_argument("--python", metavar="PYTHON",
                        help="another interpreter (a venv with pubkit's dependencies): cold runs under "
                             "both in alternation")
    parser.add_argument("--no-cache", action="store_true", help="with --against or --python: pass --no-cache")
    args = parser.parse_args()
    compiled(REPO / "src", *([args.against] if args.against else []))
    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", args.articles)
        if args.against or args.python:
            against(root, args.against, args.python, args.runs, args.no_cache)
            return 0
        if args.cache:
            print(f"`pubkit check`, {args.articles} generated articles, load average "
                  f"{os.getloadavg()[0]:.1f}\n")
            cache_runs(root, max(1, args.runs // 2))
            return 0
        words = sum(len(p.read_text().split()) for p in (root / "content").glob("*.md"))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"`pubkit check`, {args.articles} generated articles (~{words // args.articles} words "
              f"each), {os.cpu_count()} cores, median of {args.runs}, load average {load}, "
              f"Python {interpreter(sys.executable)}\n")
        print("| run | wall, median | wall, min | CPU, median | output |")
        print("| --- | ---: | ---: | ---: | --- |")
        for label, flags, cold in (("cold, default (one worker per core)", (), True),
                                   ("cold, --jobs 1", ("--jobs", "1"), True),
                                   ("cold, --json", ("--json",), True),
                                   ("warm (nothing changed since the last check)", (), False)):
            median, low, cpu, summary = whole_process(root, args.runs, *flags, cold=cold)
            verdict = " (target 2 s: met)" if median <= TARGET else " (target 2 s: missed)"
            print(f"| {label} | {median:.2f} s{verdict if cold and not flags else ''} | {low:.2f} s | "
                  f"{cpu:.2f} s | {summary} |")
        print("\nPer article, in one process (CPU time, median):\n")
        print("| stage | ms per article |")
        print("| --- | ---: |")
        for name, ms in stages(root, args.runs).items():
            print(f"| {name} | {ms:.3f} |")
    figures = sample_figures()
    print("\nThe sample article (content/ketamine-pain-management.md):\n")
    print("| part | words | sentences | words/sentence | long words | Flesch-Kincaid | SMOG | reading ease |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for part in [figures, *figures["sections"]]:
        name = part.get("title", "whole article") or "introduction"
        print(f"| {name} | {part['words']} | {part['sentences']} | {part['words_per_sentence']} | "
              f"{part['long_word_share']:.0%} | {part['flesch_kincaid']:.1f} | {part['smog']:.1f} | "
              f"{part['flesch_reading_ease']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
