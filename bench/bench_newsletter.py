"""Email benchmark: compose once, personalise 10,000 messages; css-inline against premailer.

    .venv/bin/python bench/bench_newsletter.py [--recipients 10000] [--inline-runs 50]

Rows, in one run on this machine:

- composing ``newsletters/sample.md`` (read, render HTML and text, inline CSS);
- personalising it for N recipients as ``.eml`` bytes (``message_for(r).as_bytes()``,
  the dry run's work without the disk), and the same writing one file each;
- the same for the sample article in full (a larger message);
- css-inline (what pubkit uses) against premailer inlining the same HTML.

Recipients are synthetic: a third have no first name (the default applies),
every tenth has a name outside ASCII (an encoded To header).  Prints a
Markdown table; the figures go into bench/results/email.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_site(root: Path, full: bool) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pubkit.toml", root / "pubkit.toml")
    (root / "newsletters").mkdir()
    text = (REPO / "newsletters" / "sample.md").read_text(encoding="utf-8")
    if full:
        text = text.replace("layout: teasers", "layout: full")
    (root / "newsletters" / "sample.md").write_text(text, encoding="utf-8")
    return root


def recipients(count: int) -> list:  # type: ignore[type-arg]
    from pubkit.send.recipients import Recipient

    out = []
    for i in range(count):
        first = "" if i % 3 == 0 else ("José" if i % 10 == 1 else f"Pat{i}")
        address = f"reader{i}@example.org"
        out.append(Recipient(address, f"{first} Doe".strip(),
                             {"email": address, "first_name": first}, i + 2))
    return out


def compose(root: Path, runs: int = 5):  # type: ignore[no-untyped-def]
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.newsletter import compose_newsletter
    from pubkit.site import open_site

    site = open_site(root)
    times = []
    composed = None
    for _ in range(runs):
        ctx = RenderContext.for_site(site)
        start = time.perf_counter()
        composed = compose_newsletter(site.newsletters_dir / "sample.md", ctx)
        times.append(time.perf_counter() - start)
    return composed, statistics.median(times)


def personalise(composed, people: list, out: Path | None) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds to build (and write) every message; mean message size."""
    start, cpu = time.perf_counter(), time.process_time()
    size = 0
    for r in people:
        data = composed.message_for(r).as_bytes()
        size += len(data)
        if out is not None:
            (out / f"{r.line:06d}.eml").write_bytes(data)
    return time.perf_counter() - start, time.process_time() - cpu, size // len(people)


def inliners(html: str, runs: int) -> list[tuple[str, float, int]]:
    from importlib.metadata import version

    import css_inline
    import premailer

    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    rows = []
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    for name, fn in (
        (f"css-inline {version('css-inline')}", inliner.inline),
        (f"premailer {version('premailer')}", lambda h: premailer.Premailer(
            h, disable_validation=True, remove_classes=False, allow_network=False,
            cssutils_logging_level=logging.CRITICAL).transform()),
    ):
        fn(html)  # warm-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = fn(html)
            times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(times), len(result.encode())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--inline-runs", type=int, default=50)
    args = parser.parse_args()
    people = recipients(args.recipients)
    n = len(people)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}\n")
    print("| step | input | wall time | CPU time | per message (wall) | messages/s | size |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    page_source = ""
    for label, full in (("sample newsletter (teasers)", False), ("sample article in full", True)):
        with tempfile.TemporaryDirectory() as tmp:
            composed, seconds = compose(make_site(Path(tmp) / "site", full))
            if not full:
                page_source = composed.page_source
            html_kb = len(composed.preview_files()["newsletter.html"]) / 1024
            print(f"| compose (read, render, inline CSS) | {label} | {seconds * 1000:.1f} ms | "
                  f"| | | HTML {html_kb:.1f} KB |")
            composed.message_for(people[0]).as_bytes()  # warm-up
            out = Path(tmp) / "eml"
            out.mkdir()
            for step, target in ((f"personalise {n:,} as .eml bytes", None),
                                 (f"personalise {n:,} and write .eml files", out)):
                wall, cpu, size = personalise(composed, people, target)
                print(f"| {step} | {label} | {wall:.2f} s | {cpu:.2f} s | "
                      f"{wall / n * 1000:.3f} ms | {n / wall:,.0f} | {size / 1024:.1f} KB |")
    print("\n| CSS inliner | input | median time | output |")
    print("| --- | --- | ---: | ---: |")
    kb = len(page_source.encode()) / 1024
    for name, seconds, size in inliners(page_source, args.inline_runs):
        print(f"| {name} | sample newsletter page, {kb:.1f} KB | {seconds * 1000:.2f} ms | "
              f"{size / 1024:.1f} KB |")


if __name__ == "__main__":
    main()
