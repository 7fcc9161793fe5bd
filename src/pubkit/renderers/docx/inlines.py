"""Inline nodes as Word runs: character styles, hyperlinks, pictures, footnote references.

Emphasis, strong and inline code take the reference document's character
styles (``Emphasis``, ``Strong``, ``Verbatim Char``, ``Hyperlink``); when
marks nest, the innermost style is the run's and the others are on/off
toggles.  Links become ``w:hyperlink`` elements with a relationship (or an
anchor to a heading's bookmark).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pubkit.model import nodes as n
from pubkit.model.visitor import NodeVisitor
from pubkit.renderers.docx.xml import clean, rpr, text_run

LinkTarget = tuple[str, str]
"""``("url", address)`` or ``("anchor", bookmark name)``."""

_MARK_STYLE = (("code", "VerbatimChar"), ("link", "Hyperlink"), ("strong", "Strong"),
               ("em", "Emphasis"))
_MARK_TOGGLE = {"strong": "b", "em": "i", "strike": "strike"}


class DocxInlines(NodeVisitor[str]):
    """Runs for inline nodes; ``part`` is the package part links and pictures relate to.

    ``image`` returns a drawing run for a picture (or None when it is left
    out), ``link`` where a URL points (or None to keep only the text),
    ``footnote_ref`` the run for a footnote reference, ``warn`` records a
    warning for a source line.
    """

    def __init__(
        self,
        part: Any,
        text_width: int,
        image: Callable[[n.Image, Any, int, int | None], str | None],
        link: Callable[[str], LinkTarget | None],
        footnote_ref: Callable[[n.FootnoteRef], str],
        warn: Callable[[int | None, str], None],
    ) -> None:
        self.part = part
        self.text_width = text_width
        self.line: int | None = None  # source line of the block being written
        self._image = image
        self._link = link
        self._footnote_ref = footnote_ref
        self._warn = warn
        self._max_image = text_width
        self._marks: list[str] = []
        self._rpr_cache: dict[tuple[str, ...], str] = {}
        self._rels: dict[tuple[int, str], str] = {}
        self._removed: dict[int | None, set[str]] = {}

    def inlines(self, inlines: list[n.Inline]) -> str:
        return "".join([self.visit(i) for i in inlines])

    def text(self, text: str) -> str:
        """``text`` escaped; characters XML cannot hold are dropped with a warning."""
        return clean(text, self._report)

    def _report(self, found: list[str]) -> None:
        self._removed.setdefault(self.line, set()).update(found)

    def report_removed(self) -> None:
        """One warning per source line that lost characters (not one per run)."""
        for line, found in self._removed.items():
            self._warn(line, f"removed characters XML cannot hold: {', '.join(sorted(found))}")
        self._removed.clear()

    def _run_props(self) -> str:
        key = tuple(self._marks)
        cached = self._rpr_cache.get(key)
        if cached is None:
            marks = set(key)
            style = next((s for m, s in _MARK_STYLE if m in marks), None)
            styled = next((m for m, s in _MARK_STYLE if s == style), None)
            toggles = tuple(t for m, t in _MARK_TOGGLE.items() if m in marks and m != styled)
            cached = self._rpr_cache[key] = rpr(style, toggles)
        return cached

    def _marked(self, mark: str, children: list[n.Inline]) -> str:
        self._marks.append(mark)
        try:
            return self.inlines(children)
        finally:
            self._marks.pop()

    def relate(self, target: str) -> str:
        """The id of an external hyperlink relationship of the current part (added once)."""
        key = (id(self.part), target)
        rid = self._rels.get(key)
        if rid is None:
            from docx.opc.constants import RELATIONSHIP_TYPE as RT

            # python-docx's relate_to() scans every relationship twice per call; with
            # an own counter many links stay linear.
            rels = self.part.rels
            number = len(rels) + 1
            while f"rId{number}" in rels:
                number += 1
            rid = self._rels[key] = f"rId{number}"
            rels.add_relationship(RT.HYPERLINK, target, rid, is_external=True)
        return rid

    def visit_text(self, node: n.Text) -> str:
        if not node.text:
            return ""
        return text_run(self.text(node.text), self._run_props())

    def visit_emphasis(self, node: n.Emphasis) -> str:
        return self._marked("em", node.children)

    def visit_strong(self, node: n.Strong) -> str:
        return self._marked("strong", node.children)

    def visit_strikethrough(self, node: n.Strikethrough) -> str:
        return self._marked("strike", node.children)

    def visit_inline_code(self, node: n.InlineCode) -> str:
        self._marks.append("code")
        try:
            return text_run(self.text(node.text), self._run_props())
        finally:
            self._marks.pop()

    def visit_link(self, node: n.Link) -> str:
        target = self._link(node.url)
        if target is None:
            return self.inlines(node.children)
        tip = f' w:tooltip="{self.text(node.title)}"' if node.title else ""
        kind, value = target
        where = f'w:anchor="{value}"' if kind == "anchor" else f'r:id="{self.relate(value)}"'
        return f'<w:hyperlink {where}{tip} w:history="1">{self._marked("link", node.children)}' \
               "</w:hyperlink>"

    def visit_image(self, node: n.Image) -> str:
        drawing = self._image(node, self.part, self._max_image, self.line)
        if drawing is None:
            return text_run(self.text(node.alt), self._run_props()) if node.alt else ""
        return drawing

    def visit_soft_break(self, node: n.SoftBreak) -> str:
        return text_run(" ", self._run_props())

    def visit_hard_break(self, node: n.HardBreak) -> str:
        return "<w:r><w:br/></w:r>"

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        return self._footnote_ref(node)

    def visit_raw_inline(self, node: n.RawInline) -> str:
        return text_run(self.text(node.text), self._run_props()) if node.text else ""
