"""Build benchmark: `pubkit build` on 1,000 generated articles, side by side with pandoc.

    .venv/bin/python bench/bench_build.py [--articles 1000] [--skip-all-formats] [--skip-pandoc]

In one run: cold builds with 1 and 2 workers (every available format, then
HTML and DOCX only), a no-op rebuild as a whole process, rebuilds after
editing one article and one template, the Dask LocalCluster path, a smaller
site for memory against size, and pandoc one process per file (HTML and
DOCX).  Prints a Markdown table and writes the scaling plot to
bench/build-scaling.png.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.batch.sitegen import generate_site  # noqa: E402

PNG = REPO / "bench" / "build-scaling.png"
FAILED: list[str] = []


def pubkit(root: Path, *args: str) -> tuple[float, dict[str, object]]:
    """Wall time of one `pubkit build` process and its JSON summary."""
    print("pubkit build", root.name, *args, file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", "build", "--site", str(root), "--json",
                           *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"pubkit build failed ({done.returncode}):\n{done.stderr}")
    summary = json.loads(done.stdout.splitlines()[-1])
    print(f"  {wall:.2f} s, {summary['built']} built, {summary['failed']} failed, "
          f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    for error in summary["errors"][:3]:  # type: ignore[index]
        print(f"  {error}", file=sys.stderr)
    if summary["failed"]:
        FAILED.append(f"{summary['failed']} failed in `{' '.join(args)}`")
    return wall, summary


def cold(root: Path, jobs: int, formats: list[str], *extra: str) -> tuple[float, dict[str, object]]:
    shutil.rmtree(root / "output", ignore_errors=True)
    return pubkit(root, "--jobs", str(jobs), *(a for f in formats for a in ("-f", f)), *extra)


def peak_mb(summary: dict[str, object]) -> str:
    workers = summary.get("workers") or []
    return " / ".join(f"{w['peak_rss_mb']:.0f}" for w in workers)  # type: ignore[index,union-attr]


def pandoc_per_file(root: Path, workers: int) -> tuple[float, float]:
    """Seconds for pandoc to write HTML and DOCX of every article, one process per file."""
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    out = root / "pandoc-out"
    out.mkdir(exist_ok=True)
    files = sorted((root / "content").glob("*.md"))

    def run(target: str) -> float:
        def one(p: Path) -> None:
            subprocess.run([pandoc, "-f", "commonmark_x+yaml_metadata_block", "-t", target,
                            "--standalone", "--resource-path", str(p.parent), str(p),
                            "-o", str(out / f"{p.stem}.{target}")],
                           check=True, capture_output=True)

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, files))
        return time.perf_counter() - start

    return run("html"), run("docx")


def dask_build(root: Path, formats: list[str]) -> tuple[float, dict[str, object]]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster:
        shutil.rmtree(root / "output", ignore_errors=True)
        return pubkit(root, "--executor", "dask", "--scheduler", cluster.scheduler_address,
                      *(a for f in formats for a in ("-f", f)))


def plot(points: dict[str, tuple[float, float]], pandoc: float | None, n: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for label, (one, two) in points.items():
        ax.plot([1, 2], [one, two], marker="o", label=f"pubkit build, {label}")
        ax.plot([1, 2], [one, one / 2], linestyle=":", color="grey")
    if pandoc is not None:
        ax.axhline(pandoc, color="tab:red", linestyle="--",
                   label="pandoc HTML+DOCX, 2 processes at a time")
    ax.set_xticks([1, 2])
    ax.set_xlabel("worker processes (2-core machine)")
    ax.set_ylabel(f"wall time for {n} articles (s)")
    ax.set_title("Cold build scaling (dotted: perfect scaling)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(PNG)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--skip-all-formats", action="store_true")
    parser.add_argument("--skip-pandoc", action="store_true")
    args = parser.parse_args()
    from pubkit import formats

    n = args.articles
    every = formats.article_formats()
    light = [f for f in ("html", "docx") if f in every]
    rows: list[tuple[str, str, str, str]] = []
    scaling: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pubkit-bench-") as tmp:
        root = generate_site(Path(tmp) / "site", n)
        sets = [("HTML+DOCX", light)]
        if not args.skip_all_formats:
            sets.insert(0, (f"all formats ({', '.join(every)})", every))
        for label, formats in sets:
            t1, s1 = cold(root, 1, formats)
            t2, s2 = cold(root, 2, formats)
            scaling[label] = (t1, t2)
            jobs = n * len(formats)
            rows.append((f"cold, {label}, 1 worker", f"{t1:.1f} s", f"{t1 / jobs * 1000:.1f} ms/output",
                         peak_mb(s1)))
            rows.append((f"cold, {label}, 2 workers", f"{t2:.1f} s",
                         f"speed-up {t1 / t2:.2f}x", peak_mb(s2)))
        # The site is now fully built with the last set of formats (HTML+DOCX, 2 workers).
        formats = sets[0][1]
        flag = [a for f in formats for a in ("-f", f)]
        pubkit(root, *flag)  # complete whatever the first set needs
        # Five builds with nothing to do (a renderer or template edited meanwhile by someone
        # else makes a build rebuild: such a run is not a no-op and does not count).
        noop: list[tuple[float, dict[str, object]]] = []
        for _ in range(10):
            run = pubkit(root, *flag)
            if run[1]["built"] == 0:
                noop.append(run)
            if len(noop) == 5:
                break
        assert noop, "no build was a no-op"
        walls = [w for w, _ in noop]
        rows.append((f"no-op rebuild (whole process, median of {len(walls)})",
                     f"{statistics.median(walls):.3f} s",
                     f"min {min(walls):.3f} s, {noop[0][1]['skipped']} outputs checked", "-"))
        art = root / "content" / f"article-{n // 2:04d}.md"
        art.write_text(art.read_text() + "\nOne more sentence.\n")
        t, s = pubkit(root, *flag)
        rows.append(("rebuild after editing one article", f"{t:.3f} s",
                     f"{s['built']} outputs rebuilt (expected {len(formats)})", peak_mb(s)))
        css = root / "templates" / "html" / "style.css"
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text((REPO / "templates/html/style.css").read_text() + "\n/* edited */\n")
        t, s = pubkit(root, *flag)
        rows.append(("rebuild after editing the HTML stylesheet", f"{t:.1f} s",
                     f"{s['built']} outputs rebuilt (expected {n} HTML)", peak_mb(s)))
        css.unlink()

        t, s = dask_build(root, light)
        rows.append(("Dask LocalCluster (2 worker processes), HTML+DOCX", f"{t:.1f} s",
                     f"{s['built']} outputs", peak_mb(s)))

        small = generate_site(Path(tmp) / "small", n // 4)
        t, s = cold(small, 2, light)
        rows.append((f"cold, HTML+DOCX, 2 workers, {n // 4} articles (memory vs size)",
                     f"{t:.1f} s", f"{t / (n // 4 * len(light)) * 1000:.1f} ms/output", peak_mb(s)))

        pandoc_total = None
        if not args.skip_pandoc:
            th, td = pandoc_per_file(root, 2)
            pandoc_total = th + td
            rows.append(("pandoc one process per file, HTML, 2 at a time", f"{th:.1f} s",
                         f"{th / n * 1000:.1f} ms/file", "-"))
            rows.append(("pandoc one process per file, DOCX, 2 at a time", f"{td:.1f} s",
                         f"{td / n * 1000:.1f} ms/file", "-"))
            light_two = scaling["HTML+DOCX"][1]
            rows.append(("pubkit HTML+DOCX (2 workers) vs pandoc (2 at a time)", "-",
                         f"{pandoc_total / light_two:.1f}x faster", "-"))
    plot(scaling, pandoc_total, n)

    print(f"`pubkit build`, {n} generated articles, {os.cpu_count()} cores, "
          f"formats available: {', '.join(every)}\n")
    print("| run | wall time | notes | peak RSS per worker (MB) |")
    print("| --- | ---: | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nScaling plot: {PNG.relative_to(REPO)}")
    print(f"Load average at the end (other processes on the machine): "
          f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for line in FAILED:
        print(f"Failures: {line}")


if __name__ == "__main__":
    main()
