"""Plain-text views of the tree: readable text, word counts and slugs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from pubkit.model.nodes import Node

BALLOT_BOX = {False: "\u2610", True: "\u2611"}
"""☐ and ☑: a task item's state in media without checkboxes (paper, Word, plain text)."""

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_JOIN = re.compile(r"[\s_-]+")


def plain_text(nodes: Iterable[Node]) -> str:
    """The readable text of inline nodes (alt text for images, no markup)."""
    out: list[str] = []
    _plain(nodes, out)
    return "".join(out)


_TEXT, _SPACE, _ALT, _NOTHING, _INSIDE = range(5)
_READ: dict[type, int] = {}
"""Node class -> what its readable text is (decided once per class: this runs for every
inline node of every article an index reads)."""


def _reading(kind: type) -> int:
    from pubkit.model import nodes as n

    if issubclass(kind, n.Text | n.InlineCode | n.RawInline):
        return _TEXT
    if issubclass(kind, n.SoftBreak | n.HardBreak):
        return _SPACE
    if issubclass(kind, n.Image):
        return _ALT
    if issubclass(kind, n.FootnoteRef):
        return _NOTHING
    return _INSIDE


def _plain(nodes: Iterable[Node], out: list[str]) -> None:
    for node in nodes:
        kind = type(node)
        how = _READ.get(kind)
        if how is None:
            how = _READ[kind] = _reading(kind)
        if how == _TEXT:
            out.append(node.text)  # type: ignore[attr-defined]
        elif how == _SPACE:
            out.append(" ")
        elif how == _ALT:
            out.append(node.alt)  # type: ignore[attr-defined]
        elif how == _INSIDE:
            _plain(getattr(node, "children", ()), out)


def block_text(nodes: Iterable[Node]) -> str:
    """Readable text of a block sequence, one paragraph per line."""
    out: list[str] = []
    for node in nodes:
        tag = node.tagname
        if tag in ("paragraph", "heading", "table_cell"):
            out.append(plain_text(node.children))  # type: ignore[attr-defined]
        elif tag == "code_block" or tag == "raw_block":
            out.append(node.text)  # type: ignore[attr-defined]
        elif tag in ("bullet_list", "ordered_list"):
            for item in node.items:  # type: ignore[attr-defined]
                out.append(block_text(item.children))
        elif tag in ("block_quote", "callout", "list_item", "footnote_def"):
            out.append(block_text(node.children))  # type: ignore[attr-defined]
        elif tag == "table":
            for row in [node.header, *node.rows]:  # type: ignore[attr-defined]
                out.append(" ".join(plain_text(c.children) for c in row.cells))
    return "\n".join(s for s in out if s)


_RUN = re.compile(r"\w+")
_JOIN = re.compile(r"(?<=\w)['’](?=\w)")


def count_words(text: str) -> int:
    """The matches of :data:`_WORD` in ``text``, counted without making them.

    A match is a run of word characters, joined to the next run by a single
    apostrophe between them: the runs, less the apostrophes that join two.
    """
    joins = len(_JOIN.findall(text)) if "'" in text or "’" in text else 0
    return len(_RUN.findall(text)) - joins


def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase ASCII-ish slug: ``The Role of X`` -> ``the-role-of-x``.

    Letters outside ASCII are kept (as GitHub does for heading anchors) but
    accents are folded, so ``Café`` becomes ``cafe``.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _SLUG_DROP.sub("", folded.lower())
    slug = _SLUG_JOIN.sub("-", folded).strip("-")
    return slug[:max_length].rstrip("-")


class UniqueNames:
    """Names made unique by numbering: ``base``, then ``number(base, 2)``, ``number(base, 3)``...

    Each base's numbering counts on from the last number it was given: names are
    never given back, so those below it are all taken (counting from 1 each time
    made a thousand equal headings cost half a million lookups).
    """

    __slots__ = ("_next", "_number", "taken")

    def __init__(self, number: Callable[[str, int], str]) -> None:
        self._number = number
        self._next: dict[str, int] = {}
        self.taken: set[str] = set()

    def __call__(self, base: str) -> str:
        i = self._next.get(base, 1)
        name = base if i == 1 else self._number(base, i)
        while name in self.taken:
            i += 1
            name = self._number(base, i)
        self.taken.add(name)
        self._next[base] = i
        return name
