"""A no-op build imports no engine; one build at a time per output folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.batch.conftest import ALL, build, run_cli

ENGINES = (
    "weasyprint", "docx", "markdown_it", "css_inline", "segno", "rich", "dask", "distributed", "jinja2",
    "pubkit.source.markdown", "pubkit.renderers.html.page", "pubkit.renderers.pdf.renderer",
    "pubkit.renderers.docx.renderer", "pubkit.renderers.email.renderer", "pubkit.batch.worker",
)

NOOP = """
import json, sys
from pubkit.cli import main
sys.argv = ["pubkit", "build", "--site", sys.argv[1]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_noop_build_imports_no_engine(gen_site: Callable[..., Path]) -> None:
    root = gen_site(4)
    assert build(root, formats=ALL).exit_code == 0
    done = subprocess.run([sys.executable, "-c", NOOP, str(root)], capture_output=True, text=True,
                          timeout=120, check=True)
    data = json.loads(done.stdout.splitlines()[-1])
    assert data["code"] == 0
    assert "0 built" in done.stdout
    loaded = set(data["modules"])
    assert "pubkit.batch.jobs" in loaded  # the probe did run a build
    assert sorted(loaded & set(ENGINES)) == []


def test_second_build_exits_75_naming_the_holder(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from pubkit.batch.lock import BuildLock\n"
         "lock = BuildLock(Path(sys.argv[1])); lock.acquire(); print('held', flush=True);"
         " time.sleep(600)", str(root / "output")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        blocked = run_cli("build", "--site", str(root), "-f", "html", timeout=60)
        assert blocked.returncode == 75
        assert f"process {holder.pid}" in blocked.stderr
        assert not (root / "output/html").exists()
        # A killed holder leaves no lock behind: the kernel releases it.
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        again = run_cli("build", "--site", str(root), "-f", "html", timeout=120)
        assert again.returncode == 0, again.stderr
        assert (root / "output/html/sample.html").is_file()
    finally:
        holder.kill()
        holder.wait()
