"""The document tree as WordprocessingML: one ``visit_<node>`` method per node type.

Every construct becomes real Word structure named by a style of the
reference document: ``Heading N``, ``Quote``, ``Callout Title`` and
``Callout`` (a bordered box), ``Source Code``, list
paragraphs carrying numbering, tables with a repeating header row,
hyperlinks, inline pictures and footnote references.  Block visits (here)
return ``w:p``/``w:tbl`` XML; inline visits (:mod:`docx_inlines`) return runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pubkit.i18n import Translations, translations
from pubkit.model import nodes as n
from pubkit.model.text import BALLOT_BOX
from pubkit.renderers.docx.inlines import DocxInlines, LinkTarget
from pubkit.renderers.docx.numbering import INDENT_STEP, LEVELS, Numbering, level_indent
from pubkit.renderers.docx.xml import paragraph, rpr, text_run

QUOTE_INDENT = 720
MAX_NESTED_INDENT = 4320
"""Deeper nesting stops indenting at three inches, so text keeps room on the page."""
_ALIGN = {"left": "left", "center": "center", "right": "right"}


class DocxWriter(DocxInlines):
    """Renders the blocks of one article into body XML.

    Containers (quotes, list items, table cells, footnotes) set the style and
    indent their paragraphs take; a list item's numbering and a footnote's
    number wait for the next paragraph written.
    """

    def __init__(
        self,
        part: Any,
        numbering: Numbering,
        text_width: int,
        image: Callable[[n.Image, Any, int, int | None], str | None],
        link: Callable[[str], LinkTarget | None],
        footnote_ref: Callable[[n.FootnoteRef], str],
        warn: Callable[[int | None, str], None],
        bookmarks: dict[str, str],
        rtl: bool = False,
        t: Translations | None = None,
    ) -> None:
        super().__init__(part, text_width, image, link, footnote_ref, warn)
        self.t = t or translations("en")
        """pubkit's own words (callout titles) in the article's language."""
        self.numbering = numbering
        self.bookmarks = bookmarks
        self.rtl = rtl
        self.style: str | None = None  # paragraph style of the current container
        self.indent = 0
        self.lead = ""  # runs the next paragraph starts with (a footnote's number)
        self._pending: tuple[int, int] | None = None  # numbering of the next paragraph
        self._depth = 0
        self._quotes = 0
        self._callouts = 0  # callouts the current block sits in
        self._bookmark_id = 0

    # ------------------------------------------------------------ helpers
    def blocks(self, blocks: list[n.Block]) -> str:
        return "".join([self.visit(b) for b in blocks])

    def _para(self, runs: str, style: str | None = None, align: str | None = None) -> str:
        num, self._pending = self._pending, None
        lead, self.lead = self.lead, ""
        if num is not None:
            # In a callout, list paragraphs keep the callout's border.
            style = "Callout" if self._callouts else "ListParagraph"
            return paragraph(lead + runs, style, num, bidi=self.rtl, align=align)
        return paragraph(lead + runs, style or self.style, None, self.indent, align, self.rtl)

    def flush_pending(self) -> str:
        """An empty numbered paragraph, when an item starts with something else than text."""
        if self._pending is None and not self.lead:
            return ""
        return self._para("")
    # ------------------------------------------------------------ blocks
    def visit_paragraph(self, node: n.Paragraph) -> str:
        self.line = node.line
        kids = node.children
        if len(kids) == 1 and isinstance(kids[0], n.Image) and self._pending is None:
            figure = self._para(self.inlines(kids), "Figure" if not self.style else None)
            if kids[0].title:
                figure += paragraph(self._caption(kids[0].title), "Caption", bidi=self.rtl)
            return figure
        return self._para(self.inlines(kids))

    def _caption(self, title: str) -> str:
        return text_run(self.text(title))

    def visit_heading(self, node: n.Heading) -> str:
        self.line = node.line
        runs = self.inlines(node.children)
        name = self.bookmarks.get(node.id)
        if name:
            self._bookmark_id += 1
            bid = self._bookmark_id
            runs = (f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/>{runs}'
                    f'<w:bookmarkEnd w:id="{bid}"/>')
        lead, self.lead = self.lead, ""
        before = self.flush_pending()
        return before + paragraph(lead + runs, f"Heading{min(max(node.level, 1), 6)}",
                                  bidi=self.rtl)

    def visit_bullet_list(self, node: n.BulletList) -> str:
        return self._list(node.items, False, 1)

    def visit_ordered_list(self, node: n.OrderedList) -> str:
        return self._list(node.items, True, node.start)

    def _list(self, items: list[n.ListItem], ordered: bool, start: int) -> str:
        before = self.flush_pending()
        depth = min(self._depth, LEVELS - 1)
        num_id = self.numbering.new_list(ordered, depth, start)
        return before + "".join([self._item(item, (num_id, depth)) for item in items])

    def _item(self, item: n.ListItem, num: tuple[int, int]) -> str:
        saved = (self.style, self.indent, self._depth)
        self._pending = num
        self.style = "Callout" if self._callouts else "ListContinue"
        self.indent, self._depth = level_indent(num[1]), num[1] + 1
        try:
            out = self.visit(item)
            return out + self.flush_pending()
        finally:
            self.style, self.indent, self._depth = saved
            self._pending = None

    def visit_list_item(self, node: n.ListItem) -> str:
        self.line = node.line
        if node.checked is not None:  # a task: its box leads the item's first paragraph
            self.lead = text_run(BALLOT_BOX[node.checked] + " ")
        first = node.children[0] if node.children else None
        if first is not None and not isinstance(first, n.Paragraph | n.Heading):
            return self.flush_pending() + self.blocks(node.children)
        return self.blocks(node.children)

    def visit_block_quote(self, node: n.BlockQuote) -> str:
        before = self.flush_pending()
        saved = (self.style, self.indent)
        self._quotes += 1
        if (self._quotes > 1 or self.indent) and self.indent < MAX_NESTED_INDENT:
            self.indent = (self.indent or QUOTE_INDENT) + INDENT_STEP
        self.style = "Quote" if self.style in (None, "ListContinue", "Quote") else self.style
        try:
            return before + self.blocks(node.children)
        finally:
            self._quotes -= 1
            self.style, self.indent = saved

    def visit_callout(self, node: n.Callout) -> str:
        """The title in ``Callout Title``, the body in ``Callout``: one bordered box in Word.

        Word draws adjacent paragraphs with the same border and indent as one box (a list
        inside, indented by its numbering, gets a box of its own within it); the spacer
        after it keeps two callouts in a row from merging into one.
        """
        self.line = node.line
        before = self.flush_pending()
        title = self.t.gettext(n.CALLOUT_TITLES[node.kind])
        head = paragraph(text_run(self.text(title)), "CalloutTitle", indent=self.indent, bidi=self.rtl)
        saved = self.style
        self.style = "Callout"
        self._callouts += 1
        try:
            body = self.blocks(node.children)
        finally:
            self._callouts -= 1
            self.style = saved
        return before + head + body + paragraph("", "Spacer", bidi=self.rtl)

    def visit_code_block(self, node: n.CodeBlock) -> str:
        self.line = node.line
        before = self.flush_pending()
        lines = node.text[:-1].split("\n") if node.text.endswith("\n") else node.text.split("\n")
        code = rpr("VerbatimChar")
        runs = "<w:r><w:br/></w:r>".join(text_run(self.text(t), code) if t else "" for t in lines)
        # Code reads left to right even in a right-to-left article: no w:bidi.
        return before + paragraph(runs, "SourceCode", indent=self.indent)

    def visit_thematic_break(self, node: n.ThematicBreak) -> str:
        return self.flush_pending() + paragraph("", "HorizontalLine", indent=self.indent, bidi=self.rtl)

    def visit_table(self, node: n.Table) -> str:
        self.line = node.line
        before = self.flush_pending()
        columns = max([len(node.header.cells)] + [len(r.cells) for r in node.rows])
        width = max(self.text_width - self.indent * 635, self.text_width // 2) // 635
        col = max(width // max(columns, 1), 1)
        grid = "".join(f'<w:gridCol w:w="{col}"/>' for _ in range(columns))
        indent = f'<w:tblInd w:w="{self.indent}" w:type="dxa"/>' if self.indent else ""
        bidi = "<w:bidiVisual/>" if self.rtl else ""
        head = (
            f'<w:tblPr><w:tblStyle w:val="ArticleTable"/>{bidi}<w:tblW w:w="5000" w:type="pct"/>'
            f'{indent}<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        )
        saved = (self.style, self.indent, self._max_image)
        self.style, self.indent, self._max_image = "TableText", 0, col * 635
        try:
            rows = [self._row(node.header, node.aligns, columns, col, True)]
            rows += [self._row(r, node.aligns, columns, col, False) for r in node.rows]
        finally:
            self.style, self.indent, self._max_image = saved
        return before + f"<w:tbl>{head}{''.join(rows)}</w:tbl>" + paragraph("", "Spacer", bidi=self.rtl)

    def _row(self, row: n.TableRow, aligns: list[n.Align], columns: int, col: int,
             header: bool) -> str:
        cells = []
        for i in range(columns):
            cell = row.cells[i] if i < len(row.cells) else None
            align = _ALIGN.get(aligns[i] or "") if i < len(aligns) else None
            runs = self.inlines(cell.children) if cell is not None else ""
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{col}" w:type="dxa"/></w:tcPr>'
                         f"{self._para(runs, align=align)}</w:tc>")
        props = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else \
            "<w:trPr><w:cantSplit/></w:trPr>"
        return f"<w:tr>{props}{''.join(cells)}</w:tr>"

    def visit_table_row(self, node: n.TableRow) -> str:
        return "".join(self.visit(c) for c in node.cells)

    def visit_table_cell(self, node: n.TableCell) -> str:
        return self._para(self.inlines(node.children))

    def visit_raw_block(self, node: n.RawBlock) -> str:
        self.line = node.line
        lines = [t.strip() for t in node.text.split("\n") if t.strip()]
        return "".join(self._para(text_run(self.text(t))) for t in lines)

    def visit_footnote_def(self, node: n.FootnoteDef) -> str:
        return self.blocks(node.children)
