"""Matching expected items against a format's text, and verifying whole articles.

Text is compared as a sequence of words, blind to everything a format may
change without changing what a reader reads: case, Unicode compatibility forms
(ligatures such as "ﬁ"), whitespace and line breaks, punctuation, and the
hyphen a handout adds where it breaks a word at the end of a line.  Both
sides are reduced the same way: each letter run and each digit run is a word
("COVID-19" is "covid", "19"; "pain1", a footnote number after a word, is
"pain", "1"), and the words are joined without separators, remembering where
each one starts and ends.  A piece is found where its joined words occur
starting and ending on a word boundary of the text, so "manage-\\nment" in a
handout matches "management" while "pain" never matches inside "painful".

Items are looked for in reading order, each from where the one before it was
found, and anywhere else when not there (the formats place the review line,
footnotes and the disclaimer differently); a short item that also occurs
elsewhere (a table cell "Yes") can therefore be found there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit.diagnostics import location
from pubkit.verify.expected import Item

if TYPE_CHECKING:
    from pubkit.verify.extract import Extractor

_WORD = re.compile(r"[^\W\d_]+|\d+")


def words(text: str) -> list[str]:
    """The words of ``text`` as compared (see the module's docstring)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


class Haystack:
    """One format's text, reduced for matching."""

    __slots__ = ("_bounds", "joined")

    def __init__(self, text: str) -> None:
        parts = words(text)
        self.joined = "".join(parts)
        bounds = bytearray(len(self.joined) + 1)
        at = 0
        bounds[0] = 1
        for part in parts:
            at += len(part)
            bounds[at] = 1
        self._bounds = bounds

    def find(self, needle: str, start: int = 0) -> int:
        """Where ``needle`` (already joined) starts at or after ``start`` on word boundaries, or -1."""
        joined, bounds = self.joined, self._bounds
        at = joined.find(needle, start)
        while at != -1:
            if bounds[at] and bounds[at + len(needle)]:
                return at
            at = joined.find(needle, at + 1)
        return -1


Needles = list[tuple[Item, list[str]]]
"""Each item with its pieces reduced as the text is (made once, looked for in every format)."""


def needles(items: list[Item]) -> Needles:
    return [(item, [joined for p in item.pieces if (joined := "".join(words(p)))]) for item in items]


def missing_items(items: list[Item], text: str) -> list[Item]:
    """The items ``text`` does not hold (each piece whole, in order when it can be)."""
    return missing_needles(needles(items), text)


def missing_needles(wanted: Needles, text: str) -> list[Item]:
    """:func:`missing_items` with the pieces already reduced."""
    hay = Haystack(text)
    cursor = 0
    missing = []
    for item, joined in wanted:
        found = True
        for needle in joined:
            at = hay.find(needle, cursor)
            if at == -1:
                at = hay.find(needle)
            if at == -1:
                found = False
                break
            cursor = at + len(needle)
        if not found:
            missing.append(item)
    return missing


@dataclass
class Problem:
    """Something missing from one format of one article."""

    source: str
    format: str
    """The format's part (``pdf``, ``email-text`` ...)."""
    line: int | None
    kind: str
    """The item's kind, or ``output`` when the file itself is missing or unreadable."""
    text: str
    output: str
    """The output file, relative to the output folder."""

    def __str__(self) -> str:
        where = location(self.source, self.line)
        if self.kind == "output":
            return f"{where}: {self.format}: {self.text}"
        return f"{where}: {self.format}: missing {self.kind} \"{self.text}\""

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "line": self.line, "kind": self.kind,
                "text": self.text, "output": self.output}


@dataclass
class ArticleResult:
    """What verifying one article found."""

    source: str
    items: int = 0
    """Expected items (each is checked in every format)."""
    checked: dict[str, int] = field(default_factory=dict)
    """Format part -> items checked in it."""
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    """The article itself could not be read (``path:line: message``)."""


def verify_article(source: str, items: list[Item], outputs: dict[str, tuple[str, Path]],
                   extractors: dict[str, Extractor]) -> ArticleResult:
    """Check ``items`` in each output: ``outputs`` maps a format to (shown path, file)."""
    from pubkit.verify.extract import Unextractable, parts_of

    result = ArticleResult(source, len(items))
    wanted = needles(items)
    for fmt, (shown, path) in outputs.items():
        try:
            texts = extractors[fmt](path)
        except FileNotFoundError:
            texts, why = [], f"no output ({shown}): build it first"
        except OSError as exc:  # safeio's Unreadable too (a folder, a FIFO)
            texts, why = [], f"cannot read {shown}: {exc.strerror or exc}"
        except Unextractable as exc:
            texts, why = [], f"cannot read {shown}: {exc}"
        if not texts:
            for part in parts_of(fmt):
                result.problems.append(Problem(source, part, None, "output", why, shown))
            continue
        for part, text in texts:
            result.checked[part] = len(items)
            for item in missing_needles(wanted, text):
                result.problems.append(Problem(source, part, item.line, item.kind, item.quoted, shown))
    return result
