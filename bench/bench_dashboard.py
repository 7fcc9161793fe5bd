"""Preview dashboard benchmark: the page of a big site, first and again; one handout's thumbnail.

    .venv/bin/python bench/bench_dashboard.py [--sizes 200 1000] [--repeat 5]

For each size, a generated site (bench/corpus.py, about 600 words an article)
gets its site index cache (``pubkit index``, as a build leaves it), then the
dashboard page is made in this process: first (every article parsed and
measured: what the first visit after ``pubkit serve`` starts costs) and again
(nothing changed: parsed articles are kept by content hash).  Then the
sample's handout is built and its first page rasterised by PDFium, first and
again (kept by file size and time).  Figures are medians of ``--repeat`` runs
(wall time, in process; the first page is made by a new dashboard each run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from corpus import write_site  # noqa: E402

DAY = dt.date(2026, 12, 1)


def median(samples: list[float], unit: float = 1000, name: str = "ms") -> str:
    values = [s * unit for s in samples]
    spread = f" ({min(values):.1f}–{max(values):.1f})" if len(values) > 1 else ""
    return f"{statistics.median(values):.1f} {name}{spread}"


def pubkit(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    if done.returncode not in (0, 1):  # 1: warnings-as-failures of some commands; still written
        raise SystemExit(f"pubkit {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def main() -> None:
    from pubkit.preview import thumbnail
    from pubkit.preview.dashboard import Dashboard

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pubkit-bench-dashboard-") as tmp:
        for size in args.sizes:
            root = write_site(Path(tmp) / f"site-{size}", size)
            pubkit("index", cwd=root)
            first, again = [], []
            for _ in range(args.repeat):
                dashboard = Dashboard(root, lambda: DAY)
                start = time.perf_counter()
                dashboard.page()
                first.append(time.perf_counter() - start)
                start = time.perf_counter()
                dashboard.page()
                again.append(time.perf_counter() - start)
            rows.append((f"page of {size:,} articles, first", median(first)))
            rows.append((f"page of {size:,} articles, again", median(again)))

        sample = Path(tmp) / "sample"
        sample.mkdir()
        shutil.copy(REPO / "pubkit.toml", sample / "pubkit.toml")
        shutil.copytree(REPO / "content", sample / "content")
        pubkit("build", "-f", "pdf", cwd=sample)
        pdf = sample / "output" / "pdf" / "ketamine-pain-management.pdf"
        cold, warm = [], []
        for _ in range(args.repeat):
            thumbnail._cache.clear()
            start = time.perf_counter()
            thumbnail.first_page_png(pdf)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            thumbnail.first_page_png(pdf)
            warm.append(time.perf_counter() - start)
        rows.append(("sample handout's thumbnail, first", median(cold)))
        rows.append(("sample handout's thumbnail, again", median(warm)))
    print("| measure | median (spread) |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
