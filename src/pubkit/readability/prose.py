"""The body prose of a section, as plain text that remembers its source lines.

Only what a patient reads as running text counts: paragraphs, list items,
block quotes and callouts (their body; the title is pubkit's label).
Headings, code, tables, raw HTML, images, footnote markers and URLs are
left out, as is the byline (it is not in the body at all).  Each paragraph
becomes one :class:`Passage`, so no sentence runs across two paragraphs or
list items.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from pubkit.model import nodes as n

_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
"""URLs and addresses that linkify left as text; blanked out, keeping every offset."""
WORD = re.compile(r"\w+(?:['’-]\w+)*")
"""A word of prose: letters (or digits) with inner apostrophes or hyphens (``we'll``,
``follow-up``).  The reading level counts these (those holding a digit or underscore
count no syllables and are dropped there) and the word list looks them up."""


class Passage(NamedTuple):
    """One paragraph's prose; ``breaks`` are the offsets where a new source line starts.

    A named tuple: an article has dozens, and a frozen dataclass costs more to make.
    """

    text: str
    line: int
    breaks: tuple[int, ...] = ()

    def line_at(self, offset: int) -> int:
        """The source line of the character at ``offset``."""
        return self.line + bisect.bisect_right(self.breaks, offset)


def passages(blocks: Iterable[n.Block]) -> Iterator[Passage]:
    """The prose passages below ``blocks``, in document order."""
    for block in blocks:
        if isinstance(block, n.Paragraph):
            passage = _passage(block)
            if passage is not None:
                yield passage
        elif isinstance(block, n.BulletList | n.OrderedList):
            for item in block.items:
                yield from passages(item.children)
        elif isinstance(block, n.ListItem | n.BlockQuote | n.Callout):
            yield from passages(block.children)
        # Headings, code, tables, raw HTML, rules and notes are not running prose.


def _passage(block: n.Paragraph) -> Passage | None:
    parts: list[str] = []
    breaks: list[int] = []
    _collect(block.children, parts, breaks, 0)
    text = "".join(parts)
    if not text.strip():
        return None
    return Passage(text, block.line or 0, tuple(breaks))


def _collect(nodes: Iterable[n.Inline], parts: list[str], breaks: list[int], size: int) -> int:
    """Append the words of ``nodes`` to ``parts`` (``size`` characters so far); the new size.

    A plain recursive function, not a closure: a closure that calls itself is a reference
    cycle, garbage the collector has to find, 22 of them per article.
    """
    for node in nodes:
        if isinstance(node, n.Text):
            text = node.text
            if "://" in text or "www." in text.lower() or "@" in text:
                text = _URL.sub(lambda m: " " * len(m.group()), text)
            parts.append(text)
            size += len(text)
        elif isinstance(node, n.SoftBreak | n.HardBreak):
            parts.append(" ")
            size += 1
            breaks.append(size)
        elif isinstance(node, n.Link):
            if not _is_bare_url(node):
                size = _collect(node.children, parts, breaks, size)
        elif isinstance(node, n.Emphasis | n.Strong | n.Strikethrough):
            size = _collect(node.children, parts, breaks, size)
        elif isinstance(node, n.RawInline):
            parts.append(node.text)
            size += len(node.text)
        # Inline code, images and footnote markers are not words a patient reads aloud.
    return size


def _is_bare_url(link: n.Link) -> bool:
    """An autolink (``<https://…>``, or a bare URL GFM linked): its text is its address."""
    shown = "".join(c.text for c in link.children if isinstance(c, n.Text)).strip()
    if not shown or len(link.children) != 1:
        return False
    if "://" in shown or shown.lower().startswith("www."):
        return True
    return link.url in (shown, f"mailto:{shown}", f"tel:{shown}", f"http://{shown}")
