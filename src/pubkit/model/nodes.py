"""The format-neutral document tree every renderer walks.

Like pandoc's AST: blocks hold blocks or inlines, inlines hold inlines, and no
node knows about any output format.  ``tagname`` names the visitor method
(``visit_<tagname>``) that renders it, as in Sphinx's node classes.
Each block records the 1-based source line it starts on, for diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pubkit.i18n import N_

Align = Literal["left", "center", "right"] | None
CalloutKind = Literal["note", "tip", "important", "warning", "caution"]
CALLOUT_TITLES: dict[CalloutKind, str] = {
    "note": N_("Note"),
    "tip": N_("Tip"),
    "important": N_("Important"),
    "warning": N_("Warning"),
    "caution": N_("Caution"),
}
"""Each callout kind, in the order GitHub lists them, with its title (a catalogue msgid)."""


@dataclass(slots=True)
class Node:
    tagname: ClassVar[str] = "node"


# --------------------------------------------------------------------- inlines
@dataclass(slots=True)
class Inline(Node):
    pass


@dataclass(slots=True)
class Text(Inline):
    tagname: ClassVar[str] = "text"
    text: str


@dataclass(slots=True)
class Emphasis(Inline):
    tagname: ClassVar[str] = "emphasis"
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Strong(Inline):
    tagname: ClassVar[str] = "strong"
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Strikethrough(Inline):
    tagname: ClassVar[str] = "strikethrough"
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class InlineCode(Inline):
    tagname: ClassVar[str] = "inline_code"
    text: str


@dataclass(slots=True)
class Link(Inline):
    tagname: ClassVar[str] = "link"
    url: str
    title: str | None = None
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Image(Inline):
    tagname: ClassVar[str] = "image"
    src: str
    alt: str = ""
    title: str | None = None
    line: int | None = None


@dataclass(slots=True)
class SoftBreak(Inline):
    tagname: ClassVar[str] = "soft_break"


@dataclass(slots=True)
class HardBreak(Inline):
    tagname: ClassVar[str] = "hard_break"


@dataclass(slots=True)
class FootnoteRef(Inline):
    """A reference to footnote number ``number`` (1-based, in order of first use)."""

    tagname: ClassVar[str] = "footnote_ref"
    label: str
    number: int
    ref_index: int = 0  # the n-th reference to the same note (for back-links)


@dataclass(slots=True)
class RawInline(Inline):
    """Inline raw HTML, already sanitised; ``text`` is its readable text."""

    tagname: ClassVar[str] = "raw_inline"
    html: str
    text: str = ""


# ---------------------------------------------------------------------- blocks
@dataclass(slots=True)
class Block(Node):
    line: int | None = field(default=None, kw_only=True)


@dataclass(slots=True)
class Paragraph(Block):
    tagname: ClassVar[str] = "paragraph"
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Heading(Block):
    tagname: ClassVar[str] = "heading"
    level: int
    id: str = ""
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class ListItem(Block):
    """A list item; ``checked`` is True or False for a task (``- [x]``/``- [ ]``), else None."""

    tagname: ClassVar[str] = "list_item"
    children: list[Block] = field(default_factory=list)
    checked: bool | None = None


@dataclass(slots=True)
class BulletList(Block):
    tagname: ClassVar[str] = "bullet_list"
    items: list[ListItem] = field(default_factory=list)
    tight: bool = True


@dataclass(slots=True)
class OrderedList(Block):
    tagname: ClassVar[str] = "ordered_list"
    items: list[ListItem] = field(default_factory=list)
    start: int = 1
    tight: bool = True


@dataclass(slots=True)
class BlockQuote(Block):
    tagname: ClassVar[str] = "block_quote"
    children: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Callout(Block):
    """A titled box for the reader (GitHub's ``> [!WARNING]`` alert) holding blocks.

    ``kind`` decides its title (:data:`CALLOUT_TITLES`, in the reader's
    language) and its look; the title is pubkit's word, not the author's text.
    """

    tagname: ClassVar[str] = "callout"
    kind: CalloutKind
    children: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class CodeBlock(Block):
    tagname: ClassVar[str] = "code_block"
    text: str
    language: str | None = None


@dataclass(slots=True)
class ThematicBreak(Block):
    tagname: ClassVar[str] = "thematic_break"


@dataclass(slots=True)
class TableCell(Block):
    tagname: ClassVar[str] = "table_cell"
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class TableRow(Block):
    tagname: ClassVar[str] = "table_row"
    cells: list[TableCell] = field(default_factory=list)


@dataclass(slots=True)
class Table(Block):
    """A table: ``header`` is its heading row; ``aligns`` one entry per column."""

    tagname: ClassVar[str] = "table"
    header: TableRow
    rows: list[TableRow] = field(default_factory=list)
    aligns: list[Align] = field(default_factory=list)


@dataclass(slots=True)
class RawBlock(Block):
    """Block-level raw HTML, already sanitised; ``text`` is its readable text."""

    tagname: ClassVar[str] = "raw_block"
    html: str
    text: str = ""


@dataclass(slots=True)
class FootnoteDef(Block):
    """The body of footnote ``number``; lives in :attr:`Article.footnotes`."""

    tagname: ClassVar[str] = "footnote_def"
    label: str
    number: int
    children: list[Block] = field(default_factory=list)
    ref_count: int = 1
