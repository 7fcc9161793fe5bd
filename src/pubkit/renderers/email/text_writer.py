"""The document tree as plain text, for the text part of an email.

Rendered from the model, never converted from HTML: headings underlined,
lists indented with their markers, links numbered (``text [1]``) with the
addresses listed once at the end, tables as aligned columns (or as
"Header: value" records when too wide), callouts led by their title in
capitals (``WARNING: ...``, body indented under it), footnotes as ``[^1]``
with their text under "Notes".  Paragraphs wrap at :data:`WIDTH` columns.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable

from pubkit.i18n import Translations, translations
from pubkit.model import nodes as n
from pubkit.model.text import BALLOT_BOX
from pubkit.model.visitor import NodeVisitor
from pubkit.renderers.alt import MissingAlt, alt_text

WIDTH = 72
UNDERLINES = {1: "=", 2: "-"}
LinkResolver = Callable[[str], str | None]
MAX_LABEL_INDENT = 16
"""Widest callout title ("ADVERTENCIA: ") the callout's text is indented under."""
HARD_BREAK = "\u2028"
"""Marks a hard line break inside a paragraph until the paragraph is wrapped."""


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (wide East Asian letters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c)
               else 1 for c in text)


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width=max(width, 20),
                                   break_long_words=False, break_on_hyphens=False))


def indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0], *[(rest + ln) if ln else ln for ln in lines[1:]]])


class TextWriter(NodeVisitor[str]):
    """Renders blocks to wrapped text; one writer per message numbers its links."""

    def __init__(self, resolve_link: LinkResolver | None = None, width: int = WIDTH,
                 t: Translations | None = None, missing_alt: MissingAlt = "decorative") -> None:
        self.resolve_link = resolve_link or (lambda url: url)
        self.missing_alt = missing_alt
        self.width = width
        self.links: list[str] = []
        self.t = t or translations("en")
        """pubkit's own words ("Notes", "[Image: ...]") in the reader's language."""

    def blocks(self, blocks: list[n.Block], separator: str = "\n\n") -> str:
        parts = [self.visit(b).rstrip("\n") for b in blocks]
        return separator.join(p for p in parts if p)

    def inlines(self, inlines: list[n.Inline]) -> str:
        return "".join(self.visit(i) for i in inlines)

    def link_number(self, url: str) -> int:
        if url not in self.links:
            self.links.append(url)
        return self.links.index(url) + 1

    def link_list(self) -> str:
        return "\n".join(f"[{i}] {url}" for i, url in enumerate(self.links, start=1))

    def _narrow(self, by: int, blocks: list[n.Block], separator: str = "\n\n") -> str:
        saved, self.width = self.width, self.width - by
        try:
            return self.blocks(blocks, separator)
        finally:
            self.width = saved

    # ------------------------------------------------------------ blocks
    def visit_paragraph(self, node: n.Paragraph) -> str:
        lines = self.inlines(node.children).split(HARD_BREAK)
        return "\n".join(wrap(line, self.width) for line in lines)

    def visit_heading(self, node: n.Heading) -> str:
        text = " ".join(self.inlines(node.children).split())
        line = UNDERLINES.get(node.level, "~") * max(display_width(text), 3)
        return f"{text}\n{line}"

    def visit_bullet_list(self, node: n.BulletList) -> str:
        return self._list(node.items, ["- "] * len(node.items), node.tight)

    def visit_ordered_list(self, node: n.OrderedList) -> str:
        numbers = [f"{node.start + i}. " for i in range(len(node.items))]
        size = max(len(s) for s in numbers) if numbers else 3
        return self._list(node.items, [s.ljust(size) for s in numbers], node.tight)

    def _list(self, items: list[n.ListItem], markers: list[str], tight: bool) -> str:
        out = []
        for item, marker in zip(items, markers, strict=True):
            if item.checked is not None:
                marker += BALLOT_BOX[item.checked] + " "
            body = self._narrow(len(marker), item.children, "\n" if tight else "\n\n")
            out.append(indent(body, marker, " " * len(marker)))
        return ("\n" if tight else "\n\n").join(out)

    def visit_list_item(self, node: n.ListItem) -> str:
        return self.blocks(node.children)

    def visit_block_quote(self, node: n.BlockQuote) -> str:
        body = self._narrow(2, node.children)
        return "\n".join(("> " + ln) if ln else ">" for ln in body.split("\n"))

    def visit_callout(self, node: n.Callout) -> str:
        label = self.t.upper(self.t.gettext(n.CALLOUT_TITLES[node.kind])) + ":"
        width = display_width(label) + 1
        if width > MAX_LABEL_INDENT:  # a long reworded title stands on its own line
            return label + "\n" + self.blocks(node.children)
        body = self._narrow(width, node.children)
        return indent(body, label + " ", " " * width) if body else label

    def visit_code_block(self, node: n.CodeBlock) -> str:
        return indent(node.text.rstrip("\n"), "    ", "    ")

    def visit_thematic_break(self, node: n.ThematicBreak) -> str:
        return "* * *"

    def visit_table(self, node: n.Table) -> str:
        rows = [[" ".join(self.inlines(c.children).split()) for c in r.cells]
                for r in [node.header, *node.rows]]
        columns = max(len(r) for r in rows)
        rows = [r + [""] * (columns - len(r)) for r in rows]
        widths = [max(display_width(r[i]) for r in rows) for i in range(columns)]
        if sum(widths) + 3 * (columns - 1) > self.width:
            return self._records(rows)
        aligns = [*node.aligns, *[None] * columns][:columns]
        lines = [" | ".join(_pad(c, w, a) for c, w, a in zip(r, widths, aligns, strict=True)).rstrip()
                 for r in rows]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(lines)

    def _records(self, rows: list[list[str]]) -> str:
        header, body = rows[0], rows[1:]
        records = []
        for row in body:
            lines = [wrap(f"{h}: {v}", self.width) for h, v in zip(header, row, strict=True) if v]
            records.append("\n".join(lines))
        return "\n\n".join(records)

    def visit_table_row(self, node: n.TableRow) -> str:
        return " | ".join(self.visit(c) for c in node.cells)

    def visit_table_cell(self, node: n.TableCell) -> str:
        return self.inlines(node.children)

    def visit_raw_block(self, node: n.RawBlock) -> str:
        return wrap(node.text, self.width)

    def visit_footnote_def(self, node: n.FootnoteDef) -> str:
        marker = f"[^{node.number}] "
        return indent(self._narrow(len(marker), node.children), marker, " " * len(marker))

    def footnotes(self, defs: list[n.FootnoteDef]) -> str:
        if not defs:
            return ""
        heading = self.visit(n.Heading(2, children=[n.Text(self.t.gettext("Notes"))]))
        return heading + "\n\n" + "\n\n".join(self.visit(d) for d in defs)

    # ----------------------------------------------------------- inlines
    def visit_text(self, node: n.Text) -> str:
        return node.text

    def visit_emphasis(self, node: n.Emphasis) -> str:
        return self.inlines(node.children)

    def visit_strong(self, node: n.Strong) -> str:
        return self.inlines(node.children)

    def visit_strikethrough(self, node: n.Strikethrough) -> str:
        return self.inlines(node.children)

    def visit_inline_code(self, node: n.InlineCode) -> str:
        return node.text

    def visit_link(self, node: n.Link) -> str:
        text = self.inlines(node.children)
        url = self.resolve_link(node.url)
        if url is None:
            return text
        shown = text.strip()
        if shown in (url, node.url, url.removeprefix("mailto:"), url.partition("://")[2]):
            # An autolink already shows its address: an e-mail address as written, a web one whole.
            return shown if url.startswith("mailto:") else url
        return f"{text} [{self.link_number(url)}]"

    def visit_image(self, node: n.Image) -> str:
        words = alt_text(node, self.missing_alt, self.t)
        return "[" + self.t.format("Image: %(alt)s", alt=words) + "]" if words else ""

    def visit_soft_break(self, node: n.SoftBreak) -> str:
        return " "

    def visit_hard_break(self, node: n.HardBreak) -> str:
        return HARD_BREAK

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        return f"[^{node.number}]"

    def visit_raw_inline(self, node: n.RawInline) -> str:
        return node.text


def _pad(text: str, width: int, align: n.Align) -> str:
    gap = width - display_width(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap
