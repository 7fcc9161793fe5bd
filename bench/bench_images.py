"""Images benchmark: a cold HTML build of generated articles with photos, with and without responsive
pictures, and a second cold build with the image cache kept.

    .venv/bin/python bench/bench_images.py [--articles 300] [--photos 40] [--rounds 3]

Each build is a whole ``pubkit build -f html --jobs 2 --json`` process on a
site whose articles each show two of ``--photos`` phone-sized photos
(1600x1200 JPEGs with GPS in their EXIF): its lead picture and one in its
body.  Every build is cold (no output folder, no manifest):

- ``responsive = false``: each photo published once, without its metadata;
- ``responsive = true``, cache emptied: every copy (3 widths x WebP and JPEG) encoded;
- ``responsive = true``, cache kept from the build before: nothing encoded.

Rounds alternate the three so load drifts hit each alike; medians are printed
as a Markdown table, with the copies made and reused from ``build-report.json``.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.corpus import write_photo_site  # noqa: E402

TOML = 'site_name = "Bench Clinic"\n[images]\nresponsive = {}\n'


def build(root: Path, responsive: bool, keep_cache: bool) -> dict[str, float]:
    shutil.rmtree(root / "output", ignore_errors=True)
    if not keep_cache:
        shutil.rmtree(root / ".pubkit" / "cache", ignore_errors=True)
    (root / "pubkit.toml").write_text(TOML.format(str(responsive).lower()), encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pubkit", "build", "--site", str(root), "--json",
                           "-f", "html", "--jobs", "2"], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pubkit build failed ({done.returncode}):\n{done.stderr[-2000:]}")
    summary = json.loads(done.stdout.splitlines()[-1])
    pictures = root / "output" / "html" / "images"
    size = sum(p.stat().st_size for p in pictures.iterdir())
    print(f"  responsive={responsive} cache={'kept' if keep_cache else 'empty'}: {wall:.2f} s, "
          f"{summary['images']}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    return {"wall": wall, "made": summary["images"]["made"], "reused": summary["images"]["reused"],
            "files": len(list(pictures.iterdir())), "mb": size / 1e6, "built": summary["built"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"off": [], "cold cache": [], "kept cache": []}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        root = write_photo_site(Path(tmp) / "site", args.articles, args.photos)
        source_mb = sum(p.stat().st_size for p in (root / "content/images").iterdir()) / 1e6
        for _ in range(args.rounds):
            runs["off"].append(build(root, responsive=False, keep_cache=False))
            runs["cold cache"].append(build(root, responsive=True, keep_cache=False))
            runs["kept cache"].append(build(root, responsive=True, keep_cache=True))
            load.append(os.getloadavg()[0])
    off = statistics.median(r["wall"] for r in runs["off"])
    names = {"off": "`responsive = false` (each photo once, metadata stripped)",
             "cold cache": "`responsive = true`, image cache empty",
             "kept cache": "`responsive = true`, image cache kept from the build before"}
    print(f"\n{args.articles} articles, {args.photos} photos of 1600x1200 ({source_mb:.1f} MB), "
          f"each article showing 2; `pubkit build -f html --jobs 2`, cold; median of {args.rounds}; "
          f"load {min(load):.1f}–{max(load):.1f}\n")
    print("| build | wall s (median) | min–max | vs. off | copies made | copies reused | "
          "picture files | MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for key, name in names.items():
        walls = [r["wall"] for r in runs[key]]
        last = runs[key][-1]
        print(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f}–{max(walls):.2f} | "
              f"{statistics.median(walls) / off:.2f}x | {int(last['made'])} | {int(last['reused'])} | "
              f"{int(last['files'])} | {last['mb']:.1f} |")


if __name__ == "__main__":
    main()
