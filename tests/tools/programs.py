"""Finding the test tools, failing by name when one is missing, and running them offline.

A missing tool fails the test, never skips it: a suite that skips what it
cannot run reports success for checks that never happened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

INSTALL = "install the test tools with `make test` (or `scripts/setup.sh test`)"

NPM_TOOLS = Path(os.environ.get("PUBKIT_TOOLS", Path.home() / ".cache" / "pubkit-tools")) / "node_modules"
"""Where ``scripts/setup.sh test`` installs the npm packages (``$PUBKIT_TOOLS``)."""

CLOSED_PORT = 9
"""The discard port on loopback: nothing listens there, so a proxy pointing at it refuses at once."""
DEAD_PROXY = f"http://127.0.0.1:{CLOSED_PORT}"

OFFLINE_ENV = {
    **os.environ,
    **{name: DEAD_PROXY for name in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy",
                                      "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY")},
    "no_proxy": "", "NO_PROXY": "",
}
"""The environment every tool runs in: any request it makes goes to a closed port and fails."""


def require(path: Path | str, what: str) -> Path:
    """The tool installed at ``path``; when it is not there the test fails, naming it and its installer."""
    p = Path(path)
    if not p.exists():
        pytest.fail(f"{what} is not installed (nothing at {p}): {INSTALL}", pytrace=False)
    return p


def program(name: str, what: str) -> str:
    """The program ``name`` on PATH; when it is not there the test fails, naming it and its installer."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{what} is not installed (no `{name}` on PATH): {INSTALL}", pytrace=False)
    return found


def run(command: list[str], timeout: float, stdin: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` offline; past ``timeout`` seconds its whole process group is killed and the test fails.

    A group, because LibreOffice and Chromium leave helper processes behind
    that would otherwise outlive a killed parent and hold the test up.
    """
    proc = subprocess.Popen(command, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=OFFLINE_ENV, cwd=cwd,
                            text=True, encoding="utf-8", errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{Path(command[0]).name} did not finish within {timeout:g} s: {' '.join(command)[:300]}",
                    pytrace=False)
    return subprocess.CompletedProcess(command, proc.returncode, out, err)
