"""PDF benchmark: pubkit's handout against WeasyPrint alone (the engine's floor) and pandoc.

    .venv/bin/python bench/bench_pdf.py [--batch 100] [--memory 1000] [--pandoc-files 10]

In one run, on the same articles: pubkit's time per article for the sample,
a generated 15,000-word article and a batch of generated articles in one
process; WeasyPrint alone writing pubkit's own print HTML at its best (one
shared FontConfiguration, stylesheets parsed once) and as most scripts call
it (both rebuilt per document); pandoc with ``--pdf-engine=weasyprint``, one
process per file; and the peak resident memory of a fresh worker process
rendering ``--memory`` articles.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import article as generated_article
from corpus import write_site

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content" / "ketamine-pain-management.md"
VENV_BIN = Path(sys.executable).parent


def _site(root: Path, batch: int) -> dict[str, list[Path]]:
    write_site(root, batch)
    shutil.copy(SAMPLE, root / "content" / SAMPLE.name)
    (root / "content" / "long-15000.md").write_text(generated_article(99_999, 15_000),
                                                     encoding="utf-8")
    content = root / "content"
    return {
        "sample": [content / SAMPLE.name],
        "long": [content / "long-15000.md"],
        "batch": sorted(content.glob("article-*.md")),
    }


def _context(root: Path):  # type: ignore[no-untyped-def]
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site

    return RenderContext.for_site(open_site(root))


def pubkit_render(root: Path):  # type: ignore[no-untyped-def]
    """One article through pubkit: parse, print HTML, WeasyPrint (shared engine)."""
    from pubkit.formats import article_renderer as get
    from pubkit.source.reader import read_article

    ctx, renderer = _context(root), get("pdf")

    def one(p: Path) -> None:
        ctx.warnings.clear()
        renderer.render(read_article(p, root), ctx)

    return one


def weasyprint_render(paths: list[Path], root: Path, shared: bool):  # type: ignore[no-untyped-def]
    """WeasyPrint alone on pubkit's print HTML (made beforehand), same fetcher and options."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from pubkit.renderers.pdf.fetch import THEME, SiteFetcher
    from pubkit.renderers.pdf.renderer import PAGE_STYLESHEET, STYLESHEET, VARIANTS, PdfRenderer
    from pubkit.source.reader import read_article

    ctx = _context(root)
    html_of = {p: PdfRenderer().print_html(read_article(p, root), ctx) for p in paths}
    css_text = ctx.theme.read_text(STYLESHEET)
    page_css = ctx.theme.template(PAGE_STYLESHEET).render(pdf=ctx.settings.pdf,
                                                          brand=ctx.settings.brand)
    options = VARIANTS[ctx.settings.pdf.variant]

    def parse(fonts: FontConfiguration, fetcher: SiteFetcher) -> list[CSS]:
        return [CSS(string=css_text, base_url=THEME + "pdf/handout.css", url_fetcher=fetcher,
                    font_config=fonts),
                CSS(string=page_css, base_url=THEME + "pdf/page.css", url_fetcher=fetcher,
                    font_config=fonts)]

    def fetcher_for(generated: dict) -> SiteFetcher:  # type: ignore[type-arg]
        return SiteFetcher(ctx.resources, lambda url, why: None, generated,
                           find_theme=ctx.theme.find, system_fonts=True)

    state = {"fonts": FontConfiguration()}
    state["sheets"] = parse(state["fonts"], fetcher_for({}))

    def one(p: Path) -> None:
        html, writer, generated = html_of[p]
        fetcher = fetcher_for(generated)
        if not shared:
            state["fonts"] = FontConfiguration()
            state["sheets"] = parse(state["fonts"], fetcher)
        HTML(string=html, base_url=writer.base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=state["sheets"], font_config=state["fonts"], pdf_identifier=True,
            **options)

    return one


def interleaved(paths: list[Path], modes: dict, repeat: int) -> dict[str, list[float]]:  # type: ignore[type-arg]
    """Seconds per article for each mode; the modes take turns (order rotating every
    round, garbage collected between passes) so load drifts and one mode's leftovers
    don't land on another."""
    for one in modes.values():
        one(paths[0])  # warm-up
    names = list(modes)
    times: dict[str, list[float]] = {name: [] for name in modes}
    for rnd in range(repeat):
        for name in names[rnd % len(names):] + names[: rnd % len(names)]:
            gc.collect()
            for p in paths:
                start = time.perf_counter()
                modes[name](p)
                times[name].append(time.perf_counter() - start)
    return times


def pandoc_times(paths: list[Path], out: Path) -> list[float]:
    """pandoc -> weasyprint, one pandoc process (and one weasyprint process) per file."""
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    times = []
    for p in paths:
        start = time.perf_counter()
        subprocess.run([pandoc, str(p), "-f", "markdown", "--standalone", "--pdf-engine=weasyprint",
                        "-o", str(out / f"{p.stem}.pdf")], check=True, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def memory_worker(root: Path, count: int) -> None:
    """Render ``count`` articles in this (fresh) process; print RSS checkpoints as JSON."""
    import psutil

    from pubkit.formats import article_renderer as get
    from pubkit.source.reader import read_article

    proc = psutil.Process()
    ctx, renderer = _context(root), get("pdf")
    paths = [*sorted((root / "content").glob("article-*.md")), root / "content" / SAMPLE.name]
    start_rss = proc.memory_info().rss
    checkpoints, peak = [], start_rss
    t0 = time.perf_counter()
    for i in range(count):
        ctx.warnings.clear()
        renderer.render(read_article(paths[i % len(paths)], root), ctx)
        rss = proc.memory_info().rss
        peak = max(peak, rss)
        if (i + 1) % 100 == 0:
            checkpoints.append([i + 1, rss])
    elapsed = time.perf_counter() - t0
    print(json.dumps({"start": start_rss, "peak": peak, "checkpoints": checkpoints,
                      "seconds": elapsed, "count": count}))


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--memory", type=int, default=1000)
    parser.add_argument("--pandoc-files", type=int, default=10)
    parser.add_argument("--memory-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_worker:
        memory_worker(args.memory_worker, args.memory)
        return

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        sets = _site(root, args.batch)
        rows = []
        for label, key, repeat in (("sample article", "sample", 20), ("15,000-word article", "long", 4),
                                   (f"{args.batch} articles in one process", "batch", 4)):
            paths = sets[key]
            t = interleaved(paths, {"pubkit": pubkit_render(root),
                                    "floor": weasyprint_render(paths, root, shared=True)}, repeat)
            # Rebuilding per document churns fonts: measured on its own, after the others.
            naive = interleaved(paths, {"naive": weasyprint_render(paths, root, shared=False)},
                                max(1, repeat // 2))
            rows.append((label, t["pubkit"], t["floor"], naive["naive"]))
        pandoc_sets = {"sample": sets["sample"], "long": sets["long"],
                       "batch": sets["batch"][: args.pandoc_files]}
        out = Path(tmp) / "pandoc"
        out.mkdir()
        pandoc = {k: pandoc_times(v, out) for k, v in pandoc_sets.items()}
        pages = subprocess.run(["pdfinfo", str(out / "long-15000.pdf")], capture_output=True,
                               text=True).stdout
        mem = json.loads(subprocess.run(
            [sys.executable, __file__, "--memory-worker", str(root), "--memory", str(args.memory)],
            check=True, capture_output=True, text=True).stdout)

    print(f"PDF handouts, per article (median); {os.cpu_count()} cores; WeasyPrint floor = same HTML,")
    print("one shared FontConfiguration and stylesheets parsed once.\n")
    print("| input | pubkit | WeasyPrint floor | pubkit / floor | WeasyPrint rebuilt per doc "
          "| pandoc + weasyprint (process per file) |")
    print("|---|---|---|---|---|---|")
    for (label, pk, floor, naive), key in zip(rows, ("sample", "long", "batch"), strict=True):
        ratio = statistics.median(pk) / statistics.median(floor)
        note = f" ({len(pandoc[key])} files)" if key == "batch" else ""
        print(f"| {label} | {_ms(pk)} | {_ms(floor)} | {ratio:.2f}x | {_ms(naive)} "
              f"| {_ms(pandoc[key])}{note} |")
    mb = 1024 * 1024
    print(f"\nMemory, fresh worker rendering {mem['count']} articles: start {mem['start'] / mb:.0f} MB, "
          f"peak {mem['peak'] / mb:.0f} MB, end {mem['checkpoints'][-1][1] / mb:.0f} MB "
          f"({mem['seconds'] / mem['count'] * 1000:.0f} ms per article).")
    print("RSS every 100 renders (MB): "
          + ", ".join(f"{n}: {rss / mb:.0f}" for n, rss in mem["checkpoints"]))
    if "Pages:" in pages:
        print(f"\n(pandoc's 15,000-word PDF: {pages.split('Pages:')[1].split()[0]} pages)")


if __name__ == "__main__":
    main()
