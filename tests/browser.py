"""Real third-party checkers for pages: Chromium (via Playwright), axe-core, the Nu HTML checker.

The Node packages are installed by ``scripts/setup.sh test`` into
``$PUBKIT_TOOLS`` (default ``~/.cache/pubkit-tools``); the browser is
Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

TOOLS = Path(os.environ.get("PUBKIT_TOOLS", Path.home() / ".cache" / "pubkit-tools")) / "node_modules"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
]


def require(path: Path | str, what: str) -> Path:
    """The tool at ``path``; in CI a missing tool fails the test instead of skipping it."""
    p = Path(path)
    if not p.exists():
        message = f"{what} not installed at {p}: run scripts/setup.sh test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return p


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    require(CHROMIUM, "Chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def axe_source() -> str:
    return require(TOOLS / "axe-core" / "axe.min.js", "axe-core").read_text(encoding="utf-8")


def nu_check(files: list[Path]) -> list[dict[str, Any]]:
    """Errors the Nu HTML checker reports for ``files``."""
    jar = require(TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar", "the Nu HTML checker")
    java = require(shutil.which("java") or "/usr/bin/java", "Java")
    proc = subprocess.run(
        [str(java), "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(proc.stderr or proc.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m.get("type") == "error"]
