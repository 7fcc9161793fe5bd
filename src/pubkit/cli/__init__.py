"""The ``pubkit`` command line."""

from __future__ import annotations

# Each module adds its command(s) to ``app`` when imported; all stay light at import.
from pubkit.cli import (  # noqa: F401
    build,
    check,
    index,
    init,
    newsletter,
    preview,
    render,
    review,
    send,
    suppress,
    unsubscribe,
    verify,
)
from pubkit.cli.app import app


def main() -> None:
    app()
