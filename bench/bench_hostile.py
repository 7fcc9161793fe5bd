"""Hostile markup: how parse and check time grow with the size of a paragraph written to exhaust them.

    .venv/bin/python bench/bench_hostile.py [--against OTHER/src] [--sizes 10000 40000]

For each class of input (``CASES``), the paragraph is built at each size and
parsed (``parse_article``) and checked (reading level, word list) in this
process; the table gives the medians of three runs and the growth from the
smallest size to the largest.  Linear work grows by the size ratio (4x for
10 kB -> 40 kB); work in the square of the size grows by its square (16x).
``--against`` runs the same cases with another tree's ``src`` (``git worktree
add /tmp/before REV``) in a child process, side by side.  An input the other
tree refuses, or crashes on, is shown as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CASES: dict[str, Callable[[int], str]] = {
    "a:": lambda n: "a:" * (n // 2),
    "9:30 clock times": lambda n: "Open 9:30 to 17:45, " * (n // 20),
    "abbreviations": lambda n: "Dr. Smith e.g. Mr. Jones vs. Mrs. Lee i.e. St. " * (n // 48),
    "full stops": lambda n: ". " * (n // 2),
    "<script> never closed": lambda n: "<div>" + "<script></b>" * (n // 12),
    "nested <div>": lambda n: "<div>" * (n // 5),
    "nested **": lambda n: "**" * (n // 4) + "a" + "**" * (n // 4),
    "[ and ![": lambda n: "[![" * (n // 3),
}
"""Each class of input, as a paragraph of about ``n`` characters."""


def measure(sizes: list[int], runs: int) -> dict[str, dict[int, object]]:
    from pubkit.article_check import CheckOptions
    from pubkit.cli.check import check_files
    from pubkit.site import open_site

    root = Path("/tmp/pubkit-bench-hostile")
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "pubkit.toml").write_text('site_name = "Bench"\n', encoding="utf-8")
    site = open_site(root)
    options = CheckOptions(dt.date(2025, 6, 1), False, False)
    out: dict[str, dict[int, object]] = {}
    for name in CASES:
        out[name] = {}
        for size in sizes:
            path = root / "content" / "a.md"
            path.write_text(f"---\ntitle: A\n---\n\n{CASES[name](size)}\n", encoding="utf-8")
            times = []
            try:
                for _ in range(runs):
                    start = time.perf_counter()
                    results, _notes = check_files(site, [path], options, {}, 1)
                    times.append(time.perf_counter() - start)
                refused = any("levels deep" in d.message for r in results for d in r.diagnostics)
                out[name][size] = "refused" if refused else statistics.median(times)
            except RecursionError:
                out[name][size] = "RecursionError"
            if isinstance(out[name][size], float) and out[name][size] > 30:  # type: ignore[operator]
                break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another tree's src folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.sizes, args.runs)))
        return
    trees = {"this": REPO / "src", **({"other": args.against} if args.against else {})}
    found = {}
    for label, src in trees.items():
        done = subprocess.run([sys.executable, __file__, "--json", "--runs", str(args.runs), "--sizes",
                               *map(str, args.sizes)], env={"PYTHONPATH": str(src), "PATH": "/usr/bin"},
                              capture_output=True, text=True, timeout=3600)
        if done.returncode:
            sys.exit(f"{label}: {done.stderr[-2000:]}")
        found[label] = json.loads(done.stdout)
    small, large = str(min(args.sizes)), str(max(args.sizes))

    def shown(value: object) -> str:
        return f"{value * 1000:.0f} ms" if isinstance(value, float) else str(value or "not run (slow)")

    print(f"parse + check of one paragraph, median of {args.runs}; growth {small} -> {large} characters\n")
    print("| input | " + " | ".join(f"{label} {s} | {label} {large}" for label in found
                                      for s in [small]) + " | growth (this) |")
    print("|---|" + "---:|---:|" * len(found) + "---:|")
    for name in CASES:
        row = [shown(found[label][name].get(size)) for label in found for size in (small, large)]
        a, b = found["this"][name].get(small), found["this"][name].get(large)
        growth = f"{b / a:.1f}x" if isinstance(a, float) and isinstance(b, float) else "-"
        print(f"| {name} | " + " | ".join(row) + f" | {growth} |")


if __name__ == "__main__":
    main()
