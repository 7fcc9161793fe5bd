"""What every output of an article must say, taken from the model.

One :class:`Item` per heading, paragraph, list item, table cell, quote,
footnote, code block, callout (its title and its blocks) and any other block
node that holds blocks, plus the title, subtitle, review line and the site's
disclaimer.  Each item is cut into *pieces*: runs of the author's words that
no renderer puts anything inside.  A renderer may add something after a link
(the handout prints its address, the plain-text email its number), at a
footnote reference (its number) and at a picture, so the words on each side
of those are checked separately, each piece whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pubkit.model import nodes as n
from pubkit.model.visitor import NodeVisitor

if TYPE_CHECKING:
    from pubkit.i18n import Translations
    from pubkit.model.article import Article
    from pubkit.settings import Settings

SHOWN = 60
"""Characters of an item's text quoted in a message."""


@dataclass(frozen=True, slots=True)
class Item:
    """One thing every format must show, and where its source is."""

    kind: str
    """What it is, as messages name it (``paragraph``, ``list item``, ``review line``)."""
    line: int | None
    """The source line it starts on (None: front matter or the site's settings)."""
    text: str
    """Its readable text (for messages)."""
    pieces: tuple[str, ...]
    """Runs of its text each format must hold whole, in order."""

    @property
    def quoted(self) -> str:
        """The text as a message quotes it: one line, shortened."""
        text = " ".join(self.text.split())
        return text if len(text) <= SHOWN else text[: SHOWN - 1].rstrip() + "…"


@dataclass
class _Pieces:
    """Inline text being cut into pieces."""

    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.current.append(text)
        self.shown.append(text)

    def cut(self) -> None:
        piece = "".join(self.current)
        if any(c.isalnum() for c in piece):
            self.done.append(piece)
        self.current = []


class _Inlines(NodeVisitor[None]):
    """Cuts inline nodes into pieces (see the module's docstring)."""

    def __init__(self) -> None:
        self.out = _Pieces()

    def visit(self, node: n.Node) -> None:
        method = getattr(self, "visit_" + node.tagname, None)
        if method is not None:
            method(node)
            return
        # An inline node this module does not know: its children's words are
        # expected, whatever a renderer puts around them.
        self.out.cut()
        self.visit_all(getattr(node, "children", ()))
        self.out.cut()

    def visit_text(self, node: n.Text) -> None:
        self.out.add(node.text)

    def visit_inline_code(self, node: n.InlineCode) -> None:
        self.out.add(node.text)

    def visit_soft_break(self, node: n.SoftBreak) -> None:
        self.out.add(" ")

    def visit_hard_break(self, node: n.HardBreak) -> None:
        self.out.add(" ")

    def visit_emphasis(self, node: n.Emphasis) -> None:
        self.visit_all(node.children)

    def visit_strong(self, node: n.Strong) -> None:
        self.visit_all(node.children)

    def visit_strikethrough(self, node: n.Strikethrough) -> None:
        self.visit_all(node.children)

    def visit_link(self, node: n.Link) -> None:
        self.visit_all(node.children)
        self.out.cut()  # the handout prints the address after the words, the text part a number

    def visit_image(self, node: n.Image) -> None:
        self.out.cut()  # alt text is not body text in a page or a handout

    def visit_footnote_ref(self, node: n.FootnoteRef) -> None:
        self.out.cut()

    def visit_raw_inline(self, node: n.RawInline) -> None:
        self.out.cut()  # sanitised HTML: each format shows what it can of it


def pieces(inlines: list[n.Inline]) -> tuple[tuple[str, ...], str]:
    """The pieces of an inline sequence, and its readable text."""
    walker = _Inlines()
    walker.visit_all(inlines)
    walker.out.cut()
    return tuple(walker.out.done), "".join(walker.out.shown)


class Expectation(NodeVisitor[None]):
    """Walks an article's blocks into :class:`Item` records.

    A block node this class has no method for is walked as a container when
    it holds blocks (its items are named after it: a ``callout``), so a new
    container node is verified without a change here.
    """

    def __init__(self, t: Translations | None = None) -> None:
        self.items: list[Item] = []
        self._within: list[str] = []
        self.t = t
        """pubkit's words in the article's language (a callout's title), if they are expected."""

    def visit(self, node: n.Node) -> None:
        method = getattr(self, "visit_" + node.tagname, None)
        if method is not None:
            method(node)
            return
        children = getattr(node, "children", None)
        if isinstance(children, list) and all(isinstance(c, n.Block) for c in children):
            self._container(node.tagname.replace("_", " "), node)
            return
        raise NotImplementedError(f"pubkit verify does not know {node.tagname!r} nodes")

    # ---------------------------------------------------------------- helpers
    def _add(self, kind: str, line: int | None, inlines: list[n.Inline]) -> None:
        found, text = pieces(inlines)
        if found:
            self.items.append(Item(self._within[-1] if self._within else kind, line, text, found))

    def _container(self, kind: str, node: Any) -> None:
        self._within.append(kind)
        try:
            self.visit_all(node.children)
        finally:
            self._within.pop()

    # ----------------------------------------------------------------- blocks
    def visit_paragraph(self, node: n.Paragraph) -> None:
        self._add("paragraph", node.line, node.children)

    def visit_heading(self, node: n.Heading) -> None:
        found, text = pieces(node.children)
        if found:
            self.items.append(Item("heading", node.line, text, found))

    def visit_code_block(self, node: n.CodeBlock) -> None:
        if any(c.isalnum() for c in node.text):
            self.items.append(Item("code block", node.line, node.text, (node.text,)))

    def visit_bullet_list(self, node: n.BulletList) -> None:
        self.visit_all(node.items)

    def visit_ordered_list(self, node: n.OrderedList) -> None:
        self.visit_all(node.items)

    def visit_list_item(self, node: n.ListItem) -> None:
        self._container("list item", node)

    def visit_block_quote(self, node: n.BlockQuote) -> None:
        self._container("quote", node)

    def visit_footnote_def(self, node: n.FootnoteDef) -> None:
        self._container("footnote", node)

    def visit_callout(self, node: n.Callout) -> None:
        if self.t is not None:  # its title is pubkit's word ("Warning"), in the reader's language
            self.items.extend(_plain("callout title", self.t.gettext(n.CALLOUT_TITLES[node.kind]),
                                     node.line))
        self._container("callout", node)

    def visit_table(self, node: n.Table) -> None:
        for row in [node.header, *node.rows]:
            for cell in row.cells:
                found, text = pieces(cell.children)
                if found:
                    self.items.append(Item("table cell", cell.line or row.line or node.line, text, found))

    def visit_thematic_break(self, node: n.ThematicBreak) -> None:
        pass

    def visit_raw_block(self, node: n.RawBlock) -> None:
        pass  # sanitised HTML: each format shows what it can of it


def _plain(kind: str, text: str | None, line: int | None = None) -> list[Item]:
    if not text or not any(c.isalnum() for c in text):
        return []
    return [Item(kind, line, text, (text,))]


def expected_items(article: Article, settings: Settings, t: Translations) -> list[Item]:
    """Everything each format of ``article`` must show, in reading order.

    ``t`` is pubkit's words in the article's language (the review line and,
    when the site sets none, the disclaimer are pubkit's words).
    """
    from pubkit.renderers.page_data import disclaimer, review_line

    walker = Expectation(t)
    walker.visit_all(article.body)
    walker.visit_all(article.footnotes)
    return [
        *_plain("title", article.title),
        *_plain("subtitle", article.meta.subtitle),
        *_plain("review line", review_line(article, settings, t)),
        *walker.items,
        *_plain("disclaimer", disclaimer(settings.brand, t)),
    ]
