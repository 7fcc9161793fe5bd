"""Real Word numbering: list definitions (``w:abstractNum``) and one instance (``w:num``) per list.

The house list definitions live in the reference document, linked from its
``List Bullet`` and ``List Number`` styles; a reference without them gets
the definitions below.  Every ordered list is its own instance with a start
override on its level, so it keeps its start number and never continues the
previous list's count, in Word and in LibreOffice alike.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from pubkit.renderers.docx.xml import NSDECLS, W

BULLETS = ("•", "◦", "▪")
LEVELS = 9
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
INDENT_STEP = 360
"""Twips each nesting level indents by (a quarter inch)."""


def level_indent(depth: int) -> int:
    """Left edge of the text of a list item at ``depth`` (0-based), in twips."""
    return INDENT_STEP * (depth + 2)


def abstract_num_xml(abstract_id: int, ordered: bool) -> str:
    """The house definition of a bulleted or numbered list, nine levels deep."""
    kind = "numbered" if ordered else "bulleted"
    levels = []
    for lvl in range(LEVELS):
        if ordered:
            fmt, text = "decimal", f"%{lvl + 1}."
        else:
            fmt, text = "bullet", BULLETS[lvl % len(BULLETS)]
        levels.append(
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{level_indent(lvl)}" w:hanging="{INDENT_STEP}"/></w:pPr></w:lvl>'
        )
    return (
        f'<w:abstractNum {NSDECLS} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/><w:name w:val="pubkit {kind}"/>'
        f'{"".join(levels)}</w:abstractNum>'
    )


class Numbering:
    """Adds list instances to a numbering part's ``w:numbering`` element."""

    def __init__(self, numbering: etree._Element, styles: etree._Element) -> None:
        self.root = numbering
        self._next_num = 1 + max((int(x) for x in _xpath(numbering, "w:num/@w:numId")), default=0)
        self.bullet = self._abstract_for("ListBullet", styles, ordered=False)
        self.ordered = self._abstract_for("ListNumber", styles, ordered=True)
        self._bullet_num: int | None = None

    def new_list(self, ordered: bool, depth: int, start: int) -> int:
        """A numbering instance for one list at ``depth``; ordered lists restart at ``start``."""
        if not ordered and self._bullet_num is not None:
            return self._bullet_num
        num_id = self._next_num
        self._next_num += 1
        abstract = self.ordered if ordered else self.bullet
        override = (
            f'<w:lvlOverride w:ilvl="{depth}"><w:startOverride w:val="{max(start, 0)}"/>'
            "</w:lvlOverride>" if ordered else ""
        )
        self.root.append(etree.fromstring(
            f'<w:num {NSDECLS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            f"{override}</w:num>"
        ))
        if not ordered:
            self._bullet_num = num_id
        return num_id

    def _abstract_for(self, style_id: str, styles: etree._Element, ordered: bool) -> int:
        """The list definition the reference links to ``style_id``, or a new house one."""
        num_ids = _xpath(styles, f'w:style[@w:styleId="{style_id}"]/w:pPr/w:numPr/w:numId/@w:val')
        if num_ids:
            found = _xpath(self.root, f'w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val')
            if found:
                return int(found[0])
        taken = [int(x) for x in _xpath(self.root, "w:abstractNum/@w:abstractNumId")]
        new_id = max(taken, default=-1) + 1
        element = etree.fromstring(abstract_num_xml(new_id, ordered))
        # Schema order: every abstractNum precedes every num.
        first_num = self.root.find(W + "num")
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self.root.append(element)
        return new_id


def numbering_element(document_part: Any) -> etree._Element:
    """The ``w:numbering`` root of the document, adding the part when the reference has none."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    try:
        numbering: etree._Element = document_part.part_related_by(RT.NUMBERING).element
        return numbering
    except KeyError:  # python-docx cannot create one (NumberingPart.new is not implemented)
        element = parse_xml(f"<w:numbering {NSDECLS}/>")
        part = XmlPart(PackURI("/word/numbering.xml"), CONTENT_TYPE, element, document_part.package)
        document_part.relate_to(part, RT.NUMBERING)
        return element


def _xpath(element: etree._Element, expr: str) -> list[str]:
    # python-docx elements override xpath() without a namespaces argument.
    return etree._Element.xpath(element, expr, namespaces={"w": W[1:-1]})  # type: ignore[return-value]
