"""Hashes of an article's text, whole and per section, for the review record.

The hash is taken from the document tree, not from the Markdown bytes, so
what counts as a change is a change a reader can see: new words, a changed
dose in a table, a different link target.  Re-wrapping a paragraph, ``*``
for ``_``, blank lines, and edits to the front matter (including the stamp
itself) change nothing.  Every node type has a method here, so a new kind of
node cannot slip past the review unhashed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from pubkit.model import nodes as n
from pubkit.model.article import Article, ReviewStamp
from pubkit.model.sections import split_sections
from pubkit.model.visitor import NodeVisitor

NOTES_ID = "notes"
"""Section id of the footnotes (their text is reviewed like any other)."""
_SPACES = re.compile(r"[ \t]+")
HASH_CHARS = 16
"""Hex digits kept of each SHA-256: a change detector, not a signature."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True, slots=True)
class Part:
    """One section as the stamp sees it."""

    id: str
    title: str
    line: int | None
    text: str


def parts(article: Article) -> list[Part]:
    """The article's sections (and its notes) with their canonical text."""
    writer = CanonicalText()
    out = []
    for section in split_sections(article.body):
        heading = f"{'#' * section.level} {section.title}\n" if section.level else ""
        out.append(Part(section.id, section.title, section.line,
                        heading + writer.blocks(list(section.blocks))))
    if article.footnotes:
        out.append(Part(NOTES_ID, "", article.footnotes[0].line,
                        writer.blocks(list(article.footnotes))))
    return out


def stamp(article: Article) -> ReviewStamp:
    """The stamp ``pubkit review approve`` writes for ``article`` as it is now."""
    found = parts(article)
    whole = "\n\x1e".join(f"{p.id}\n{p.text}" for p in found)
    return ReviewStamp(digest(whole), {p.id: digest(p.text) for p in found})


@dataclass(frozen=True, slots=True)
class Change:
    """A section that differs from the reviewed text."""

    id: str
    title: str
    line: int | None
    kind: Literal["changed", "new", "removed"]

    @property
    def description(self) -> str:
        if self.id == NOTES_ID:
            verb = {"changed": "changed", "new": "are new", "removed": "were removed"}[self.kind]
            return f"the notes {verb}"
        name = f"section '{self.title}'" if self.title else "the introduction"
        verb = {"changed": "changed", "new": "is new", "removed": "was removed"}[self.kind]
        return f"{name} {verb}"


def changes(article: Article, reviewed: ReviewStamp) -> list[Change]:
    """What differs between ``article`` and the text ``reviewed`` was taken from."""
    now = stamp(article)
    if now.text == reviewed.text:
        return []
    found = parts(article)
    out = [Change(p.id, p.title, p.line, "changed" if p.id in reviewed.sections else "new")
           for p in found if reviewed.sections.get(p.id) != now.sections[p.id]]
    current = {p.id for p in found}
    out += [Change(key, _title(key), None, "removed") for key in reviewed.sections
            if key not in current]
    if not out:  # same sections, reordered
        out.append(Change("", "", found[0].line if found else None, "changed"))
    return out


def _title(section_id: str) -> str:
    """A removed section's name, from its id (its heading is gone)."""
    if section_id in (NOTES_ID, "intro"):
        return ""
    return section_id.removeprefix("sec-").replace("-", " ")


class CanonicalText(NodeVisitor[str]):
    """The tree as text in one fixed form: the same for every way of writing the same content."""

    def blocks(self, blocks: list[n.Block]) -> str:
        return "".join(self.visit(b) for b in blocks)

    def inlines(self, inlines: list[n.Inline]) -> str:
        return _SPACES.sub(" ", "".join(self.visit(i) for i in inlines)).strip(" ")

    # Blocks end with a newline; their kind opens them, so a list item and a
    # paragraph with the same words differ.
    def visit_paragraph(self, node: n.Paragraph) -> str:
        return "p " + self.inlines(node.children) + "\n"

    def visit_heading(self, node: n.Heading) -> str:
        return f"h{node.level} " + self.inlines(node.children) + "\n"

    def visit_bullet_list(self, node: n.BulletList) -> str:
        return "ul\n" + "".join(self.visit(i) for i in node.items) + "/ul\n"

    def visit_ordered_list(self, node: n.OrderedList) -> str:
        return f"ol {node.start}\n" + "".join(self.visit(i) for i in node.items) + "/ol\n"

    def visit_list_item(self, node: n.ListItem) -> str:
        return "li\n" + self.blocks(node.children) + "/li\n"

    def visit_block_quote(self, node: n.BlockQuote) -> str:
        return "quote\n" + self.blocks(node.children) + "/quote\n"

    def visit_callout(self, node: n.Callout) -> str:
        return f"callout {node.kind}\n" + self.blocks(node.children) + "/callout\n"

    def visit_code_block(self, node: n.CodeBlock) -> str:
        return f"code {node.language or ''}\n{node.text!r}\n"

    def visit_thematic_break(self, node: n.ThematicBreak) -> str:
        return "hr\n"

    def visit_table(self, node: n.Table) -> str:
        rows = [node.header, *node.rows]
        aligns = ",".join(a or "-" for a in node.aligns)
        return f"table {aligns}\n" + "".join(self.visit(r) for r in rows) + "/table\n"

    def visit_table_row(self, node: n.TableRow) -> str:
        return "tr " + " | ".join(self.visit(c) for c in node.cells) + "\n"

    def visit_table_cell(self, node: n.TableCell) -> str:
        return self.inlines(node.children).replace("|", "\\|")

    def visit_raw_block(self, node: n.RawBlock) -> str:
        return f"html {' '.join(node.html.split())}\n"

    def visit_footnote_def(self, node: n.FootnoteDef) -> str:
        return f"note {node.number}\n" + self.blocks(node.children) + "/note\n"

    # Inlines: markup as Markdown would write it, breaks as spaces (hard ones kept).
    def visit_text(self, node: n.Text) -> str:
        return node.text

    def visit_emphasis(self, node: n.Emphasis) -> str:
        return "*" + "".join(self.visit(c) for c in node.children) + "*"

    def visit_strong(self, node: n.Strong) -> str:
        return "**" + "".join(self.visit(c) for c in node.children) + "**"

    def visit_strikethrough(self, node: n.Strikethrough) -> str:
        return "~~" + "".join(self.visit(c) for c in node.children) + "~~"

    def visit_inline_code(self, node: n.InlineCode) -> str:
        return f"`{node.text}`"

    def visit_link(self, node: n.Link) -> str:
        title = f' "{node.title}"' if node.title else ""
        return "[" + "".join(self.visit(c) for c in node.children) + f"]({node.url}{title})"

    def visit_image(self, node: n.Image) -> str:
        title = f' "{node.title}"' if node.title else ""
        return f"![{node.alt}]({node.src}{title})"

    def visit_soft_break(self, node: n.SoftBreak) -> str:
        return " "

    def visit_hard_break(self, node: n.HardBreak) -> str:
        return "\\\n"

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        return f"[^{node.number}]"

    def visit_raw_inline(self, node: n.RawInline) -> str:
        return node.html

