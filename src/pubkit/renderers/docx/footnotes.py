"""Real Word footnotes: the ``word/footnotes.xml`` part python-docx has no API for.

Word numbers footnotes by their references in document order; the reader
numbers notes by first use too, so the numbers agree.  A note referenced
again later gets a ``NOTEREF`` field to the first reference (the way Word
itself cross-references a footnote) instead of a second copy of the note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pubkit.model import nodes as n
from pubkit.renderers.docx.xml import NSDECLS, W, field, rpr, text_run

if TYPE_CHECKING:
    from pubkit.renderers.docx.writer import DocxWriter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PARTNAME = "/word/footnotes.xml"

_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>"
)
_REF = rpr("FootnoteReference")
_MARK = f'<w:r>{_REF}<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'


class Footnotes:
    """References in the body and, at the end, the footnotes part they point to."""

    def __init__(self, document_part: Any, defs: list[n.FootnoteDef]) -> None:
        self.document_part = document_part
        self.defs = {d.number: d for d in defs}
        self.used: list[int] = []
        self._seen: set[int] = set()
        self.part: Any = None
        self._separators = _SEPARATORS
        self._offset = 0  # Word ids of notes start after the reference's separators
        if defs:
            self.part = _footnotes_part(document_part)
            kept = [el for el in self.part._element if el.get(W + "type") is not None]
            if kept:
                from lxml import etree

                self._separators = "".join(etree.tostring(el, encoding="unicode") for el in kept)
                self._offset = max(0, *(int(el.get(W + "id", "0")) for el in kept))

    def reference(self, node: n.FootnoteRef) -> str:
        """The run of a reference: the note itself the first time, a cross-reference after."""
        number = node.number
        if number not in self.defs:
            return text_run(f"[{number}]")
        if number in self._seen:
            return field(f"NOTEREF _RefFn{number} \\f \\h", str(number), _REF)
        self._seen.add(number)
        self.used.append(number)
        return (
            f'<w:bookmarkStart w:id="{900000 + number}" w:name="_RefFn{number}"/>'
            f'<w:r>{_REF}<w:footnoteReference w:id="{number + self._offset}"/></w:r>'
            f'<w:bookmarkEnd w:id="{900000 + number}"/>'
        )

    def write(self, writer: DocxWriter) -> str:
        """Fill the footnotes part; returns body XML for notes no reference reached."""
        if self.part is None:
            return ""
        from docx.oxml import parse_xml

        saved = (writer.part, writer.style, writer.indent)
        writer.part, writer.style, writer.indent = self.part, "FootnoteText", 0
        notes = []
        try:
            for number in self.used:
                writer.lead = _MARK
                body = writer.blocks(self.defs[number].children)
                body += writer.flush_pending()  # a note without text still shows its number
                notes.append(f'<w:footnote w:id="{number + self._offset}">{body}</w:footnote>')
        finally:
            writer.part, writer.style, writer.indent = saved
        xml = f"<w:footnotes {NSDECLS}>{self._separators}{''.join(notes)}</w:footnotes>"
        self.part._element = parse_xml(xml)
        # A note no reference reached still keeps its words, after the body.
        leftover = [d for num, d in sorted(self.defs.items()) if num not in self._seen]
        saved_style, writer.style = writer.style, "FootnoteText"
        out = []
        try:
            for note in leftover:
                writer.lead = text_run(f"[{note.number}] ")
                out.append(writer.blocks(note.children) + writer.flush_pending())
        finally:
            writer.style = saved_style
        return "".join(out)


def _footnotes_part(document_part: Any) -> Any:
    """The document's footnotes part: the reference document's own, or a new one."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    for rel in document_part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            if not isinstance(part, XmlPart):
                part = XmlPart(part.partname, part.content_type, parse_xml(part.blob), part.package)
                rel._target = part
            return part
    element = parse_xml(f"<w:footnotes {NSDECLS}/>")
    part = XmlPart(PackURI(PARTNAME), CONTENT_TYPE, element, document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part
