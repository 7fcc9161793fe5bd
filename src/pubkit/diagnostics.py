"""Diagnostics: the ``path:line: message`` records every stage reports.

A :class:`Diagnostic` is a value (so worker processes can return it), and
:class:`SourceError` is the exception that carries one out of a failing stage.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters that would end a line of output, move the cursor or colour a terminal."""


def printable(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\n``, ``\\x1b``).

    A file name may hold a newline: printed as it is, ``x\\ncontent/a.md:1: error: ...``
    would add a line of its own to the output, one that tools reading ``path:line:`` take
    for pubkit's.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def location(path: str, line: int | None = None) -> str:
    """``path:line`` as every message prints a place (the path :func:`printable`)."""
    shown = printable(path)
    return f"{shown}:{line}" if line else shown


class Diagnostic(NamedTuple):
    """One message about one place in one file.

    A named tuple, not a dataclass: ``pubkit check`` makes, pickles and reads
    back tens of thousands (a few dozen per article), and a frozen dataclass
    costs about twice as much to make, and more to unpickle.
    """

    path: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = location(self.path, self.line)
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class SourceError(Exception):
    """A file cannot be turned into an article; carries the diagnostic."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.diagnostic = Diagnostic(str(path), line, message)
        super().__init__(str(self.diagnostic))


class ConfigError(Exception):
    """The site configuration or a command line is unusable (exit code 2)."""


def describe_os_error(exc: OSError) -> str:
    """``path: reason`` for a system error, in words (``output/html: Permission denied``)."""
    reason = exc.strerror or type(exc).__name__
    if exc.filename is None:
        return reason
    where = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else f"{exc.filename}"
    return f"{where}: {reason}"
