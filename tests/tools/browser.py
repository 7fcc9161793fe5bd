"""Real third-party checkers for pages: Chromium (via Playwright), axe-core, the Nu HTML checker.

The npm packages are installed by ``scripts/setup.sh test`` into
``$PUBKIT_TOOLS`` (default ``~/.cache/pubkit-tools``); the browser is
Debian's ``/usr/bin/chromium``. Both run offline: Chromium sends every
request for the network to a closed loopback port (loopback itself, where
``pubkit serve`` listens, stays reachable), and so does Java.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.tools.programs import CLOSED_PORT, DEAD_PROXY, NPM_TOOLS, program, require, run

TOOLS = NPM_TOOLS
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
    # Given as a switch, not as Playwright's proxy option: Playwright would send loopback
    # through the proxy too, and the preview tests browse a server on 127.0.0.1.
    f"--proxy-server={DEAD_PROXY}",
]
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA_OFFLINE = [f"-D{scheme}.proxy{part}" for scheme in ("http", "https")
                for part in ("Host=127.0.0.1", f"Port={CLOSED_PORT}")]

__all__ = ["axe", "axe_source", "browser", "nu_check", "require"]


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium for the length of the ``with`` block (start it once per module)."""
    from playwright.sync_api import sync_playwright

    require(CHROMIUM, "Chromium (Debian package chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def axe_source() -> str:
    return require(TOOLS / "axe-core" / "axe.min.js", "axe-core (npm)").read_text(encoding="utf-8")


def axe(page: Any) -> dict[str, Any]:
    """axe-core's full result for the page loaded in ``page``."""
    page.add_script_tag(content=axe_source())
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return result


def nu_check(files: list[Path]) -> list[dict[str, Any]]:
    """Errors the Nu HTML checker reports for ``files`` (one Java process for all of them)."""
    jar = require(VNU_JAR, "the Nu HTML checker (npm vnu-jar)")
    java = program("java", "Java (Debian package default-jre-headless)")
    proc = run([java, *JAVA_OFFLINE, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json",
                *map(str, files)], timeout=300)
    try:
        report = json.loads(proc.stderr or proc.stdout or '{"messages": []}')
    except ValueError:
        pytest.fail(f"the Nu HTML checker failed (exit {proc.returncode}): {proc.stderr[-600:]}")
    # A file it could not read or parse is a "non-document-error": as bad as an error.
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
