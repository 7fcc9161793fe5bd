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

from tests.batch.sitegen import generate_site


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


def test_watch_sees_folders_that_other_tools_call_build_output(tmp_path: Path) -> None:
    """Only pubkit's own folders are ignored: ``content/build/`` and ``assets/dist/`` are inputs."""
    from pubkit.batch.watch import source_filter
    from pubkit.site import open_site

    root = generate_site(tmp_path / "site", 1)
    site = open_site(root)
    accept = source_filter(site)
    for name in ("content/build/a.md", "content/dist/b.md", "assets/dist/logo.png",
                 "content/node_modules/c.md", "templates/html/page.html.j2", "pubkit.toml"):
        assert accept(None, str(root / name)), name
    for name in ("output/html/a.html", ".pubkit/send-ledger.sqlite",
                 "content/.pubkit-0123456789abcdef01234567.tmp", "content/.a.md.swp", "notes.txt"):
        assert not accept(None, str(root / name)), name
