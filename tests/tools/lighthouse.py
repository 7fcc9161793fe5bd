"""Lighthouse (npm ``lighthouse``, pinned at 12.2.3) in Debian's Chromium, offline.

Lighthouse 13 needs Node 22; the test machines have Node 20, so the pin is 12.2.3
(``scripts/setup.sh`` installs it into ``$PUBKIT_TOOLS``). The Chromium is
started here, once for every page of a call, headless, with the switches that
keep it off the network (``tests/tools/browser.py``), and Lighthouse drives it
through its debugging port, page after page (``js/lighthouse.mjs``). Starting
it here rather than from Lighthouse's own launcher keeps it in a process group
the test can kill when it overruns.

Each page is audited in a browser context of its own (no cache, cookies or
storage from the page before). One thing Chromium keeps for the whole browser:
an icon it failed to fetch is not asked for again, so a missing icon fails
the first page audited only (still failing the run).

Only the categories that need no network are run: accessibility, best
practices and SEO (performance is for the real host, not a loopback server on
a loaded machine). Every audit in them runs as shipped; none is skipped: all
of them run on loopback (``robots-txt`` asks the page's own server).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.tools.browser import CHROMIUM, CHROMIUM_ARGS
from tests.tools.programs import INSTALL, NPM_TOOLS, OFFLINE_ENV, program, require, run

VERSION = "12.2.3"
SCRIPT = Path(__file__).parent / "js" / "lighthouse.mjs"
CATEGORIES = ("accessibility", "best-practices", "seo")
START_TIMEOUT = 60.0
"""Seconds Chromium may take to open its debugging port (the machine is shared and loaded)."""
PAGE_TIMEOUT = 120.0
"""Seconds per page for Lighthouse (about 5 on a quiet machine)."""


@dataclass(frozen=True)
class Audit:
    id: str
    title: str
    score: float | None
    mode: str
    """Lighthouse's ``scoreDisplayMode``: binary, numeric, notApplicable, informative, manual, error."""
    explanation: str | None
    items: list[str]
    """What the audit points at (element snippets, URLs, messages), the first few."""

    def __str__(self) -> str:
        why = f": {self.explanation}" if self.explanation else ""
        shown = f" {self.items}" if self.items else ""
        return f"{self.id} ({self.title}, score {self.score}){why}{shown}"


@dataclass(frozen=True)
class Report:
    """Lighthouse's verdict on one page."""

    url: str
    version: str
    runtime_error: str | None
    warnings: list[str]
    scores: dict[str, float | None]
    failing: dict[str, list[Audit]]
    """Per category, the audits that count towards its score and did not pass (or did not run)."""

    def summary(self) -> str:
        """Scores, then every failing audit by id and title, for a test's failure message."""
        lines = [f"{self.url}: " + ", ".join(f"{c} {s}" for c, s in self.scores.items())]
        if self.runtime_error:
            lines.append(f"  Lighthouse could not audit the page: {self.runtime_error}")
        lines += [f"  {category}: {audit}" for category, audits in self.failing.items() for audit in audits]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _report(url: str, raw: dict[str, Any]) -> Report:
    audits = {id_: Audit(id_, a["title"], a["score"], a["mode"], a["explanation"] or a["error"], a["items"])
              for id_, a in raw["audits"].items()}
    failing = {}
    for category, c in raw["categories"].items():
        counted = [audits[id_] for id_ in c["audits"]]
        # An audit that errored has no score and would silently drop out of the average.
        failing[category] = [a for a in counted if a.mode == "error"
                             or (a.mode in ("binary", "numeric") and (a.score is None or a.score < 1))]
    return Report(url, raw["version"], raw["runtimeError"], list(raw["runWarnings"]),
                  {category: c["score"] for category, c in raw["categories"].items()}, failing)


def _installed(tools: Path) -> Path:
    package = require(tools / "lighthouse" / "package.json", f"Lighthouse {VERSION} (npm lighthouse)")
    found = json.loads(package.read_text(encoding="utf-8")).get("version")
    if found != VERSION:
        pytest.fail(f"Lighthouse {found} is installed, the tests expect {VERSION}: {INSTALL}", pytrace=False)
    return package


def _debugging_port(profile: Path, chromium: subprocess.Popen[bytes]) -> int:
    """The port Chromium chose, from the file it writes into its profile once it listens."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if chromium.poll() is not None:
            pytest.fail(f"Chromium exited ({chromium.returncode}) before opening its debugging port",
                        pytrace=False)
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(marker.read_text(encoding="ascii").splitlines()[0])
        time.sleep(0.05)
    pytest.fail(f"Chromium did not open its debugging port within {START_TIMEOUT:g} s", pytrace=False)


def lighthouse(urls: Sequence[str], categories: Sequence[str] = CATEGORIES,
               tools: Path = NPM_TOOLS) -> dict[str, Report]:
    """Lighthouse's report on each of ``urls``, all in one fresh headless Chromium."""
    _installed(tools)
    node = program("node", "Node.js (Debian package nodejs)")
    require(CHROMIUM, "Chromium (Debian package chromium)")
    with tempfile.TemporaryDirectory(prefix="pubkit-lighthouse-") as profile:
        chromium = subprocess.Popen(
            [CHROMIUM, "--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={profile}",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=OFFLINE_ENV, start_new_session=True)
        try:
            port = _debugging_port(Path(profile), chromium)
            proc = run([node, str(SCRIPT), str(tools), str(port), ",".join(categories), *urls],
                       timeout=PAGE_TIMEOUT * len(urls))
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(chromium.pid, signal.SIGKILL)
            chromium.wait()
    if proc.returncode != 0:
        pytest.fail(f"Lighthouse failed (exit {proc.returncode}): {proc.stderr[-1500:]}", pytrace=False)
    raw: dict[str, Any] = json.loads(proc.stdout)
    return {url: _report(url, raw[url]) for url in urls}
