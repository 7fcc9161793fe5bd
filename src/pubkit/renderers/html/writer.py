"""The document tree as HTML: one ``visit_<node>`` method per node type.

Shared by the web page, the PDF handout and the email body; each of those
subclasses it only where its medium differs (how images resolve, how
footnotes link).  Output follows markdown-it's shape so that CommonMark's
reference HTML can be compared with it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pubkit.i18n import Translations, translations
from pubkit.model import nodes as n
from pubkit.model.visitor import NodeVisitor
from pubkit.renderers.alt import MissingAlt, alt_text

ImageResolver = Callable[[n.Image], str | None]
LinkResolver = Callable[[str], str | None]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _attr(name: str, value: str | None) -> str:
    return "" if value is None else f' {name}="{escape(value)}"'


class HtmlWriter(NodeVisitor[str]):
    """Renders blocks and inlines to an HTML fragment."""

    callout_element = "aside"
    """The element of a callout box (print uses ``div``, which WeasyPrint tags)."""

    def __init__(
        self,
        resolve_image: ImageResolver | None = None,
        resolve_link: LinkResolver | None = None,
        heading_ids: bool = True,
        lang: str = "en",
        t: Translations | None = None,
        missing_alt: MissingAlt = "decorative",
        class_prefix: str = "",
    ) -> None:
        self.resolve_image = resolve_image or (lambda image: image.src)
        self.resolve_link = resolve_link or (lambda url: url)
        self.heading_ids = heading_ids
        self.lang = lang
        self.t = t or translations(lang)
        """pubkit's own words (labels read out by screen readers) in the article's language."""
        self.missing_alt = missing_alt
        """What a picture without alt text says (``[images] missing_alt``, :mod:`pubkit.renderers.alt`)."""
        self.class_prefix = class_prefix
        """Put before every class name (``pubkit-``), for HTML pasted into another site's page."""
        self._tight = False
        self._marker = ""
        """A task item's checkbox, waiting for the item's first paragraph."""
        self._callouts = 0
        """Callouts written so far: each one's title gets an id of its own."""

    def cls(self, names: str) -> str:
        """``names`` (space-separated class names) with :attr:`class_prefix`."""
        return " ".join(self.class_prefix + name for name in names.split())

    def blocks(self, blocks: Sequence[n.Block], tight: bool | None = None) -> str:
        """``blocks`` written in turn; ``tight`` (when given) says, while they are, whether
        paragraphs drop their ``<p>`` (a tight list's items), as the block holding them decides:
        a quote, callout or footnote inside a tight item is loose again."""
        if tight is None:
            return "".join(self.visit(b) for b in blocks)
        saved, self._tight = self._tight, tight
        try:
            return "".join(self.visit(b) for b in blocks)
        finally:
            self._tight = saved

    def inlines(self, inlines: list[n.Inline]) -> str:
        return "".join(self.visit(i) for i in inlines)

    # ------------------------------------------------------------ blocks
    def visit_paragraph(self, node: n.Paragraph) -> str:
        marker, self._marker = self._marker, ""
        if self._tight:
            return marker + self.inlines(node.children) + "\n"
        return f"<p>{marker}{self.inlines(node.children)}</p>\n"

    def visit_heading(self, node: n.Heading) -> str:
        ident = _attr("id", node.id) if self.heading_ids and node.id else ""
        return f"<h{node.level}{ident}>{self.inlines(node.children)}</h{node.level}>\n"

    def visit_bullet_list(self, node: n.BulletList) -> str:
        return f"<ul>\n{self._items(node.items, node.tight)}</ul>\n"

    def visit_ordered_list(self, node: n.OrderedList) -> str:
        start = f' start="{node.start}"' if node.start != 1 else ""
        return f"<ol{start}>\n{self._items(node.items, node.tight)}</ol>\n"

    def _items(self, items: list[n.ListItem], tight: bool) -> str:
        return self.blocks(items, tight)

    def task_marker(self, checked: bool) -> str:
        """What stands for a task item's ``[ ]`` or ``[x]``: a checkbox nobody can tick."""
        label = escape(self.t.gettext("done") if checked else self.t.gettext("not done"))
        state = ' checked=""' if checked else ""
        return f'<input type="checkbox" disabled=""{state} aria-label="{label}"> '

    def visit_list_item(self, node: n.ListItem) -> str:
        opening = "<li>"
        if node.checked is not None:
            self._marker = self.task_marker(node.checked)
            opening = f'<li class="{self.cls("task-list-item")}">'  # its box stands in for the bullet
        inner = self.blocks(node.children)
        if self._tight:
            inner = inner.rstrip("\n")
            return f"{opening}{inner}</li>\n"
        return f"{opening}\n{inner}</li>\n" if inner else f"{opening}</li>\n"

    def visit_block_quote(self, node: n.BlockQuote) -> str:
        return f"<blockquote>\n{self.blocks(node.children, tight=False)}</blockquote>\n"

    def callout_title(self, node: n.Callout) -> str:
        """The callout's title in the reader's language: "Warning", "Advertencia"."""
        return self.t.gettext(n.CALLOUT_TITLES[node.kind])

    def visit_callout(self, node: n.Callout) -> str:
        # A note box named by its title, not a heading: the title is pubkit's label, and as a
        # heading it would enter the outline, the table of contents and the PDF bookmarks.
        self._callouts += 1
        ident = f"callout-{self._callouts}"
        body = self.blocks(node.children, tight=False)
        tag = self.callout_element
        return (
            f'<{tag} class="{self.cls("callout callout-" + node.kind)}" role="note" '
            f'aria-labelledby="{ident}">\n'
            f'<p class="{self.cls("callout-title")}" id="{ident}">{escape(self.callout_title(node))}</p>\n'
            f"{body}</{tag}>\n"
        )

    def visit_code_block(self, node: n.CodeBlock) -> str:
        lang = _attr("class", f"language-{node.language}") if node.language else ""
        return f"<pre><code{lang}>{escape(node.text)}</code></pre>\n"

    def visit_thematic_break(self, node: n.ThematicBreak) -> str:
        return "<hr>\n"

    def visit_table(self, node: n.Table) -> str:
        head = self._row(node.header, node.aligns, "th")
        body = "".join(self._row(r, node.aligns, "td") for r in node.rows)
        tbody = f"<tbody>\n{body}</tbody>\n" if body else ""
        return f"<table>\n<thead>\n{head}</thead>\n{tbody}</table>\n"

    def _row(self, row: n.TableRow, aligns: list[n.Align], tag: str) -> str:
        cells = []
        for i, cell in enumerate(row.cells):
            align = aligns[i] if i < len(aligns) else None
            style = f' style="text-align:{align}"' if align else ""
            scope = ' scope="col"' if tag == "th" else ""
            cells.append(f"<{tag}{scope}{style}>{self.inlines(cell.children)}</{tag}>\n")
        return "<tr>\n" + "".join(cells) + "</tr>\n"

    def visit_raw_block(self, node: n.RawBlock) -> str:
        return node.html if node.html.endswith("\n") else node.html + "\n"

    def visit_footnote_def(self, node: n.FootnoteDef) -> str:
        body = self.blocks(node.children, tight=False)
        backrefs = "".join(
            f' <a href="#fnref{node.number}{_sub(i)}" class="{self.cls("footnote-backref")}" '
            f'aria-label="{self.backref_label(node.number, i)}">↩︎</a>'
            for i in range(node.ref_count)
        )
        if body.endswith("</p>\n"):
            body = body[: -len("</p>\n")] + backrefs + "</p>\n"
        else:
            body += backrefs.strip() + "\n"  # after a list or code block, as markdown-it does
        return f'<li id="fn{node.number}" class="{self.cls("footnote-item")}">{body}</li>\n'

    def footnotes(self, defs: list[n.FootnoteDef]) -> str:
        if not defs:
            return ""
        items = "".join(self.visit(d) for d in defs)
        return f'<ol class="{self.cls("footnotes-list")}">\n{items}</ol>\n'

    # ----------------------------------------------------------- inlines
    def visit_text(self, node: n.Text) -> str:
        return escape(node.text)

    def visit_emphasis(self, node: n.Emphasis) -> str:
        return f"<em>{self.inlines(node.children)}</em>"

    def visit_strong(self, node: n.Strong) -> str:
        return f"<strong>{self.inlines(node.children)}</strong>"

    def visit_strikethrough(self, node: n.Strikethrough) -> str:
        return f"<s>{self.inlines(node.children)}</s>"

    def visit_inline_code(self, node: n.InlineCode) -> str:
        return f"<code>{escape(node.text)}</code>"

    def visit_link(self, node: n.Link) -> str:
        href = self.resolve_link(node.url)
        if href is None:
            return self.inlines(node.children)
        return f'<a href="{escape(href)}"{_attr("title", node.title)}>{self.inlines(node.children)}</a>'

    def visit_image(self, node: n.Image) -> str:
        src = self.resolve_image(node)
        if src is None:
            return escape(node.alt)
        alt = self.alt(node)
        return f'<img src="{escape(src)}" alt="{escape(alt)}"{_attr("title", node.title)}>'

    def alt(self, node: n.Image) -> str:
        """The picture's alt text by the one rule of every format; ``""`` when decorative."""
        return alt_text(node, self.missing_alt, self.t)

    def visit_soft_break(self, node: n.SoftBreak) -> str:
        return "\n"

    def visit_hard_break(self, node: n.HardBreak) -> str:
        return "<br>\n"

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        sub = _sub(node.ref_index)
        return (
            f'<sup class="{self.cls("footnote-ref")}"><a href="#fn{node.number}" '
            f'id="fnref{node.number}{sub}" '
            f'aria-label="{self.footnote_label(node.number)}">[{node.number}]</a></sup>'
        )

    def footnote_label(self, number: int) -> str:
        """What a screen reader says for a footnote call: "Footnote 2", "Nota 2"."""
        return escape(self.t.format("Footnote %(number)s", number=number))

    def backref_label(self, number: int, index: int) -> str:
        which = str(number) + _sub(index)
        return escape(self.t.format("Back to reference %(number)s", number=which))

    def visit_raw_inline(self, node: n.RawInline) -> str:
        return node.html


def _sub(index: int) -> str:
    return f"-{index}" if index else ""
