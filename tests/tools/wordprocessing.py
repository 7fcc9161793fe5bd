"""A DOCX as Word's users and screen readers meet it (python-docx): styles, headings, alt text, notes.

A heading that is only big bold text in a body style looks right on screen
but is missing from Word's navigation pane and from a screen reader's list
of headings; these figures tell the two apart.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.shared import Pt
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.I)
BIG = Pt(13)
"""Text this size or larger, all bold, reads as a heading."""


@dataclass(frozen=True)
class Structure:
    heading_levels: dict[str, int]
    """Paragraphs per Heading N style ("1".."9"), and "title" for the Title style."""
    fake_headings: list[str]
    """Short paragraphs in a body style that are all bold and big: headings in looks only."""
    title: str
    """The document's title property (what Word and screen readers announce)."""
    images: int
    images_without_alt: int
    """Pictures with no description that are not marked decorative."""
    notes: list[str]
    """The text of each footnote and endnote."""
    text: str
    """Every paragraph, table cell and note, one per line."""

    @property
    def headings(self) -> int:
        return sum(n for level, n in self.heading_levels.items() if level != "title")


def _styles(style: Any) -> Iterator[Any]:
    while style is not None:
        yield style
        style = style.base_style


def _bold(run: Any, paragraph: Any) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    return next((bool(s.font.bold) for s in _styles(paragraph.style) if s.font.bold is not None), False)


def _size(run: Any, paragraph: Any) -> Any:
    if run.font.size is not None:
        return run.font.size
    return next((s.font.size for s in _styles(paragraph.style) if s.font.size is not None), None)


def _looks_like_heading(paragraph: Any) -> bool:
    text = paragraph.text.strip()
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not text or len(text) > 150 or not runs:
        return False
    return all(_bold(r, paragraph) for r in runs) and any(
        (size := _size(r, paragraph)) is not None and size >= BIG for r in runs)


def _cell_texts(table: Any) -> Iterator[str]:
    for row in table.rows:
        for cell in row.cells:
            yield from (p.text for p in cell.paragraphs)
            for inner in cell.tables:
                yield from _cell_texts(inner)


def _notes(document: Any) -> list[str]:
    notes = []
    for part in document.part.package.parts:
        if str(part.partname).endswith(("/footnotes.xml", "/endnotes.xml")):
            for note in etree.fromstring(part.blob).iter(f"{W}footnote", f"{W}endnote"):
                if note.get(f"{W}type") in (None, "normal"):  # not the separator "notes"
                    notes.append("".join(t.text or "" for t in note.iter(f"{W}t")))
    return notes


def _without_alt(shape: Any) -> bool:
    properties = shape._inline.docPr
    decorative = any(el.tag.endswith("}decorative") and el.get("val") in ("1", "true")
                     for el in properties.iter())
    return not decorative and not (properties.get("descr") or "").strip()


def structure(data: bytes) -> Structure:
    """Read ``data`` with python-docx (which fails on a package Word would refuse)."""
    document = docx.Document(io.BytesIO(data))
    levels: Counter[str] = Counter()
    fake = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        if match := HEADING_STYLE.fullmatch(name):
            levels[match.group(1)] += 1
        elif name.lower() == "title":
            levels["title"] += 1
        elif _looks_like_heading(paragraph):
            fake.append(paragraph.text.strip())
    notes = _notes(document)
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += _cell_texts(table)
    shapes = list(document.inline_shapes)
    return Structure(dict(levels), fake, document.core_properties.title or "", len(shapes),
                     sum(_without_alt(s) for s in shapes), notes, "\n".join([*texts, *notes]))
