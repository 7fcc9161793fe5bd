"""The ``pubkit`` command line."""

from __future__ import annotations

# Each module adds its command(s) to ``app`` when imported; all stay light at import.
from pubkit.cli import build, check, init, newsletter, preview, render, review, send  # noqa: F401
from pubkit.cli.app import app


def main() -> None:
    app()
