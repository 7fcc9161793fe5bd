"""The site's own pages: a cold HTML build with and without them, and the rebuilds they cause.

    .venv/bin/python bench/bench_site_pages.py [--articles 1000] [--runs 3] [--jobs 2] [--images]

In one run, on one generated site (bench/corpus.py, ~600 words an article,
two tags each, so each tag page lists every article), as whole processes
(``python -m pubkit build -f html --json``): cold builds with ``[pages]
enabled = true`` and ``false`` taken in turn (so the machine's load falls on
both alike), then, with the pages on, a no-op rebuild, the rebuild after a
body edit of one article (the pages stay) and after a title edit (the pages
are rebuilt). Target: the pages and the sitemap add at most 10 % to the cold
build. With ``--images`` each article has a lead photo of its own (320x200 JPEG), which the
cards show by the article page's copies. Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_site

CPU: list[float] = []
"""CPU seconds (user + system) of the last build process as the OS reports its children's: the
main process, where the site's pages are made (the pool's workers end without being waited
for, so their time is not in it)."""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(root: Path, jobs: int) -> tuple[float, dict[str, object]]:
    """Wall time of one ``pubkit build`` process and its JSON summary (its CPU time in CPU)."""
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", "build", "--site", str(root), "--json",
                           "-f", "html", "--jobs", str(jobs)], capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    CPU[:] = [children_cpu() - cpu]
    if done.returncode != 0:
        raise SystemExit(f"pubkit build failed ({done.returncode}):\n{done.stderr[-2000:]}")
    summary: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    pages = summary.get("pages") or {}
    print(f"  {wall:.2f} s ({CPU[0]:.2f} s CPU), {summary['built']} built, pages "
          f"{pages.get('status') if isinstance(pages, dict) else None}, "
          f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    return wall, summary


def set_pages(root: Path, enabled: bool) -> None:
    config = root / "pubkit.toml"
    base = config.read_text().split("\n[pages]")[0]
    config.write_text(base + f"\n[pages]\nenabled = {'true' if enabled else 'false'}\n")


def pages_seconds(summary: dict[str, object]) -> float:
    pages = summary.get("pages")
    return float(pages["seconds"]) if isinstance(pages, dict) else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--images", action="store_true", help="a lead photo for every article")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", args.articles, images=args.images)
        walls: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        inner: list[float] = []
        for _ in range(args.runs):
            for enabled in (False, True):
                set_pages(root, enabled)
                shutil.rmtree(root / "output", ignore_errors=True)
                print(f"cold build, pages {'on' if enabled else 'off'}", file=sys.stderr)
                wall, summary = build(root, args.jobs)
                walls[enabled].append(wall)
                cpus[enabled].append(CPU[0])
                if enabled:
                    inner.append(pages_seconds(summary))
        # The pages are on now, and the output folder is the last cold build's.
        print("no-op", file=sys.stderr)
        noop, noop_summary = build(root, args.jobs)
        target = root / "content" / f"article-{args.articles // 2:04d}.md"
        text = target.read_text()
        target.write_text(text.replace("## Section 2", "## Section two", 1))
        print("body edit", file=sys.stderr)
        body, body_summary = build(root, args.jobs)
        target.write_text(target.read_text().replace("title: \"Patient guide", "title: \"Guide", 1))
        print("title edit", file=sys.stderr)
        title, title_summary = build(root, args.jobs)
        files = len((title_summary.get("pages") or {}).get("outputs", []))  # type: ignore[union-attr]

    off, on = statistics.median(walls[False]), statistics.median(walls[True])
    cpu_off, cpu_on = statistics.median(cpus[False]), statistics.median(cpus[True])
    job = statistics.median(inner)
    print(f"\n{args.articles} articles{' with images' if args.images else ''}, HTML only, "
          f"--jobs {args.jobs}; medians of {args.runs} "
          f"(min-max); load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| build | wall time | main process CPU | site pages job |")
    print("|---|---:|---:|---:|")
    print(f"| cold, pages off | {off:.2f} s ({min(walls[False]):.2f}-{max(walls[False]):.2f}) "
          f"| {cpu_off:.2f} s | - |")
    print(f"| cold, pages on ({files} files) | {on:.2f} s ({min(walls[True]):.2f}-{max(walls[True]):.2f})"
          f" | {cpu_on:.2f} s | {job:.2f} s |")
    print(f"| pages on / off | {on / off:.3f} | {cpu_on / cpu_off:.3f} | job / cold build (off): "
          f"{job / off:.3f} |")
    print(f"| no-op (pages on) | {noop:.2f} s | | {(noop_summary.get('pages') or {}).get('status')} |")  # type: ignore[union-attr]
    print(f"| one body edit | {body:.2f} s ({body_summary['built']} built) | | "
          f"{(body_summary.get('pages') or {}).get('status')} |")  # type: ignore[union-attr]
    print(f"| one title edit | {title:.2f} s ({title_summary['built']} built) | | "
          f"{(title_summary.get('pages') or {}).get('status')}, {pages_seconds(title_summary):.2f} s |")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
