"""Run every benchmark in one go, one after another: ``make bench``.

Each script prints its own Markdown table; this runner adds the machine's
load before each, since figures on a shared 2-core machine depend on it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ["bench_html", "bench_docx", "bench_pdf", "bench_newsletter", "bench_send", "bench_build",
           "bench_dask", "bench_index", "bench_check", "bench_dashboard", "bench_verify",
           "bench_images", "bench_site_pages", "bench_bigsite"]


def main() -> int:
    only = set(sys.argv[1:])
    failed = 0
    for name in SCRIPTS:
        if only and name not in only:
            continue
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n## {name} (load average {load})\n", flush=True)
        failed += subprocess.run([sys.executable, str(BENCH / f"{name}.py")]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
