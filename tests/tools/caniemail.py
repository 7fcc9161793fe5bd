"""caniemail.com's data on what mail clients support, applied to an email's HTML (npm caniemail on Node)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import pytest

from tests.tools.programs import NPM_TOOLS, program, require, run

SCRIPT = Path(__file__).parent / "js" / "caniemail.mjs"
CLIENTS = ("gmail.desktop-webmail", "outlook.windows", "apple-mail.macos")
"""Gmail on the web, Outlook for Windows and Apple Mail on the Mac: most of the clinic's readers."""


class Support(TypedDict):
    unsupported: list[str]
    """Titles of the features the client does not support (caniemail's "errors")."""
    partial: list[str]
    """Titles of the features it supports only in part (caniemail's "warnings")."""


def caniemail(documents: dict[str, str], clients: tuple[str, ...] = CLIENTS) -> dict[str, dict[str, Support]]:
    """For each named HTML document, what each client lacks, by feature title (one Node run for all)."""
    node = program("node", "Node.js (Debian package nodejs)")
    require(NPM_TOOLS / "caniemail" / "package.json", "caniemail (npm)")
    proc = run([node, str(SCRIPT), str(NPM_TOOLS), *clients], timeout=120, stdin=json.dumps(documents))
    if proc.returncode != 0:
        pytest.fail(f"caniemail failed (exit {proc.returncode}): {proc.stderr[-800:]}")
    found: dict[str, dict[str, Support]] = json.loads(proc.stdout)
    return found
