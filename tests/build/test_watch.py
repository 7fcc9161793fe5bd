"""``pubkit watch``: rebuilds on change and survives a broken configuration."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.build.sitegen import generate_site


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            found.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return found


def _until(lines: queue.Queue[str], needle: str, timeout: float = 60) -> list[str]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not seen in {seen}")


def test_watch_rebuilds_edits_and_waits_out_a_bad_config(tmp_path: Path) -> None:
    root = generate_site(tmp_path / "site", 3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pubkit", "watch", "--site", str(root), "-f", "html", "-j", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        lines = _lines(proc)
        first = _until(lines, "watching for changes")
        assert any(line.startswith("3 built") for line in first), first

        article = root / "content/article-0001.md"
        article.write_text(article.read_text().replace("Rest and ice", "Warm compress"))
        seen = _until(lines, "watching for changes")
        assert "built html content/article-0001.md" in "\n".join(seen)
        assert any(line.startswith("1 built, 2 up to date") for line in seen), seen
        assert b"Warm compress" in (root / "output/html/article-0001.html").read_bytes()

        config = root / "pubkit.toml"
        good = config.read_text()
        config.write_text("site_nam = 'typo'\n" + good)
        seen = _until(lines, "watching for changes")
        assert any("unknown setting 'site_nam'" in line for line in seen), seen
        assert proc.poll() is None  # still watching

        config.write_text(good.replace('site_name = "Pain Care Clinic"', 'site_name = "New Name"'))
        seen = _until(lines, "watching for changes")
        assert any(line.startswith("3 built") for line in seen), seen
        assert b"New Name" in (root / "output/html/sample.html").read_bytes()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
