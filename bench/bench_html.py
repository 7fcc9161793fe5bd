"""HTML benchmark: pubkit parse + render in one process against pandoc one process per file.

    .venv/bin/python bench/bench_html.py [--articles 1000] [--pandoc-files 200]

Prints a Markdown table; figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_site

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content" / "ketamine-pain-management.md"


def pubkit_batch(paths: list[Path], root: Path) -> float:
    """Seconds to parse and render every file in one process (after one warm-up)."""
    from pubkit.formats import article_renderer as get
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site
    from pubkit.source.reader import read_article

    site = open_site(root)
    ctx = RenderContext.for_site(site)
    renderer = get("html")
    renderer.render(read_article(paths[0], root), ctx)  # warm template and parser caches
    start = time.perf_counter()
    for p in paths:
        renderer.render(read_article(p, root), ctx)
    return time.perf_counter() - start


def pandoc_per_file(paths: list[Path], out: Path) -> float:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    start = time.perf_counter()
    for p in paths:
        subprocess.run(
            [pandoc, "-f", "commonmark_x", "-t", "html5", "--standalone", str(p),
             "-o", str(out / (p.stem + ".html"))],
            check=True, capture_output=True,
        )
    return time.perf_counter() - start


def whole_process(cmd: list[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--pandoc-files", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", args.articles)
        paths = sorted((root / "content").glob("*.md"))
        words = sum(len(p.read_text().split()) for p in paths) // len(paths)
        sample_root = Path(tmp) / "sample"
        (sample_root / "content").mkdir(parents=True)
        (sample_root / "content" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
        sample_paths = [sample_root / "content" / SAMPLE.name] * 200

        sample_s = pubkit_batch(sample_paths, sample_root) / len(sample_paths)
        batch_s = pubkit_batch(paths, root) / len(paths)
        out = Path(tmp) / "pandoc"
        out.mkdir()
        subset = paths[: args.pandoc_files]
        pandoc_s = pandoc_per_file(subset, out) / len(subset)
        pandoc_sample_s = pandoc_per_file([sample_paths[0]] * 20, out) / 20
        help_s = whole_process([str(REPO / ".venv" / "bin" / "pubkit"), "--help"])
        py_s = whole_process([sys.executable, "-c", "pass"])

    rows = [
        ("sample article, parse + HTML (pubkit, in a batch of 200)", sample_s * 1000),
        ("sample article, pandoc -> standalone HTML, one process", pandoc_sample_s * 1000),
        (f"{args.articles} generated articles (~{words} words), pubkit, per article", batch_s * 1000),
        (f"{len(subset)} of them, pandoc one process per file, per article", pandoc_s * 1000),
        ("`pubkit --help`, whole process (median of 15)", help_s * 1000),
        ("`python -c pass`, whole process (for scale)", py_s * 1000),
    ]
    print("| measurement | ms |\n|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
    print(f"\npandoc / pubkit per generated article: {pandoc_s / batch_s:.0f}x; "
          f"per sample article: {pandoc_sample_s / sample_s:.0f}x")


if __name__ == "__main__":
    main()
