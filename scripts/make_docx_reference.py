"""Write ``templates/docx/reference.docx``, the house style of pubkit's Word documents.

Run ``.venv/bin/python scripts/make_docx_reference.py`` after changing a
style here and commit both files.  The document holds no content: only
styles (Word's built-in names, so the navigation pane, a table of contents
and "Apply styles" work), the list definitions, page set-up and the
footnote separators.  The output is byte-for-byte reproducible.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pubkit.renderers.docx.numbering import abstract_num_xml
from pubkit.settings import Brand

REPO = Path(__file__).resolve().parents[1]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PRIMARY = Brand.model_fields["primary_color"].default.lstrip("#").upper()
ACCENT = Brand.model_fields["accent_color"].default.lstrip("#").upper()
MUTED = "5B6770"
BODY_FONT = "Arial"  # on every Word install; LibreOffice maps it to Liberation Sans
CODE_FONT = "Courier New"  # likewise, to Liberation Mono
TEXT_WIDTH = 12240 - 2 * 1440  # US Letter less one-inch margins, in twips


def fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def size(points: float) -> str:
    half = round(points * 2)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def style(kind: str, style_id: str, name: str, ppr: str = "", rpr: str = "", based: str | None = None,
          nxt: str | None = None, extra: str = "", default: bool = False, ui: int = 9) -> str:
    attrs = ' w:default="1"' if default else ""
    head = f'<w:name w:val="{name}"/>'
    head += f'<w:basedOn w:val="{based}"/>' if based else ""
    head += f'<w:next w:val="{nxt}"/>' if nxt else ""
    head += f'<w:uiPriority w:val="{ui}"/><w:qFormat/>'
    body = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
    return f'<w:style w:type="{kind}"{attrs} w:styleId="{style_id}">{head}{body}{extra}</w:style>'


def para(style_id: str, name: str, ppr: str = "", rpr: str = "", based: str = "Normal",
         nxt: str | None = None) -> str:
    return style("paragraph", style_id, name, ppr, rpr, based, nxt)


def char(style_id: str, name: str, rpr: str) -> str:
    return style("character", style_id, name, rpr=rpr, based="DefaultParagraphFont")


def border(side: str, color: str, width: int = 6, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{width}" w:space="{space}" w:color="{color}"/>'


CALLOUT_INK = "1D2327"
CALLOUT_FILL = "F3F6F8"


def callout_borders() -> str:
    """A box with a heavier left rule (the edge a reader's eye follows down the page)."""
    return (border("top", CALLOUT_INK, 8, 4) + border("left", CALLOUT_INK, 24, 6)
            + border("bottom", CALLOUT_INK, 8, 4) + border("right", CALLOUT_INK, 8, 6))


def headings() -> list[str]:
    sizes = {1: 18, 2: 15, 3: 13, 4: 12, 5: 11, 6: 11}
    before = {1: 360, 2: 320, 3: 280, 4: 240, 5: 200, 6: 200}
    out = []
    for level, points in sizes.items():
        italic = "<w:i/><w:iCs/>" if level in (4, 6) else ""
        out.append(para(
            f"Heading{level}", f"heading {level}",
            f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before[level]}" w:after="120"/>'
            f'<w:outlineLvl w:val="{level - 1}"/>',
            f'<w:b/><w:bCs/>{italic}<w:color w:val="{PRIMARY}"/>{size(points)}',
            nxt="Normal",
        ))
    return out


def styles_xml() -> str:
    defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts(BODY_FONT)}{size(11)}"
        '<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="276" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    table_normal = (
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" '
        'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        "</w:style>"
    )
    article_table = (
        '<w:style w:type="table" w:styleId="ArticleTable"><w:name w:val="Article Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f"<w:rPr>{size(10)}</w:rPr>"
        f"<w:tblPr><w:tblBorders>{border('top', PRIMARY, 8, 0)}{border('bottom', PRIMARY, 8, 0)}"
        f"{border('insideH', 'C9D3D9', 4, 0)}</w:tblBorders>"
        '<w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:trPr><w:tblHeader/></w:trPr>'
        f'<w:tcPr><w:tcBorders>{border("bottom", PRIMARY, 8, 0)}</w:tcBorders>'
        f'<w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/></w:tcPr></w:tblStylePr></w:style>'
    )
    pieces = [
        style("paragraph", "Normal", "Normal", default=True, ui=0),
        style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True, ui=1),
        table_normal,
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        para("Title", "Title", '<w:spacing w:after="80" w:line="240" w:lineRule="auto"/>'
             '<w:contextualSpacing/>',
             f'<w:b/><w:bCs/><w:color w:val="{PRIMARY}"/><w:kern w:val="28"/>{size(26)}',
             nxt="Subtitle"),
        para("Subtitle", "Subtitle", '<w:spacing w:after="120"/>',
             f'<w:color w:val="{MUTED}"/>{size(14)}', nxt="Byline"),
        para("Byline", "Byline", f'<w:pBdr>{border("bottom", "C9D3D9", 4, 6)}</w:pBdr>'
             '<w:spacing w:after="240"/>', f'<w:color w:val="{MUTED}"/>{size(9.5)}', nxt="Normal"),
        para("Banner", "Banner",
             f'<w:pBdr>{border("top", ACCENT, 4, 4)}{border("bottom", ACCENT, 4, 4)}</w:pBdr>'
             f'<w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/><w:spacing w:after="240"/>'
             '<w:jc w:val="center"/>', f'<w:color w:val="{PRIMARY}"/>{size(10)}'),
        *headings(),
        para("Quote", "Quote",
             f'<w:pBdr>{border("left", PRIMARY, 18, 12)}</w:pBdr><w:ind w:left="720" w:right="720"/>',
             '<w:i/><w:iCs/><w:color w:val="3D4A52"/>'),
        # A callout (> [!WARNING] ...): its title and body paragraphs share one border, so
        # Word and LibreOffice draw them as one box; dark ink on a pale fill, readable in grey.
        para("Callout", "Callout",
             f'<w:pBdr>{callout_borders()}</w:pBdr>'
             f'<w:shd w:val="clear" w:color="auto" w:fill="{CALLOUT_FILL}"/>'
             '<w:spacing w:after="80"/><w:ind w:left="170" w:right="170"/>', nxt="Callout"),
        style("paragraph", "CalloutTitle", "Callout Title",
              '<w:keepNext/><w:keepLines/><w:spacing w:before="120" w:after="60"/>',
              f'<w:b/><w:bCs/><w:color w:val="{CALLOUT_INK}"/>', based="Callout", nxt="Callout"),
        para("SourceCode", "Source Code",
             '<w:shd w:val="clear" w:color="auto" w:fill="F3F5F7"/>'
             '<w:spacing w:after="160" w:line="240" w:lineRule="auto"/>',
             f"{fonts(CODE_FONT)}{size(9.5)}"),
        char("VerbatimChar", "Verbatim Char", f"{fonts(CODE_FONT)}{size(9.5)}"),
        char("Hyperlink", "Hyperlink", f'<w:color w:val="{PRIMARY}"/><w:u w:val="single"/>'),
        char("Strong", "Strong", "<w:b/><w:bCs/>"),
        char("Emphasis", "Emphasis", "<w:i/><w:iCs/>"),
        para("ListParagraph", "List Paragraph",
             '<w:spacing w:after="60"/><w:ind w:left="720"/>'),
        para("ListContinue", "List Continue", '<w:spacing w:after="60"/><w:ind w:left="720"/>'),
        para("ListBullet", "List Bullet",
             '<w:numPr><w:numId w:val="1"/></w:numPr><w:spacing w:after="60"/>',
             based="ListParagraph"),
        para("ListNumber", "List Number",
             '<w:numPr><w:numId w:val="2"/></w:numPr><w:spacing w:after="60"/>',
             based="ListParagraph"),
        para("Figure", "Figure", '<w:keepNext/><w:spacing w:before="120" w:after="120"/>'
             '<w:jc w:val="center"/>'),
        para("Caption", "caption", '<w:spacing w:after="200"/><w:jc w:val="center"/>',
             f'<w:i/><w:iCs/><w:color w:val="{MUTED}"/>{size(9)}'),
        para("HorizontalLine", "Horizontal Line",
             f'<w:pBdr>{border("bottom", PRIMARY, 6, 1)}</w:pBdr><w:spacing w:after="240"/>',
             size(6)),
        para("TableText", "Table Text", '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'),
        para("Spacer", "Spacer", '<w:spacing w:after="120" w:line="120" w:lineRule="exact"/>',
             size(6)),
        para("TOCHeading", "TOC Heading", '<w:keepNext/><w:spacing w:before="120" w:after="80"/>',
             f'<w:b/><w:bCs/><w:color w:val="{PRIMARY}"/>{size(12)}', nxt="Normal"),
        *(para(f"TOC{level}", f"toc {level}",
               f'<w:spacing w:after="40"/><w:ind w:left="{(level - 1) * 240}"/>', nxt="Normal")
          for level in (1, 2, 3)),
        para("FootnoteText", "footnote text",
             '<w:spacing w:after="40" w:line="240" w:lineRule="auto"/>', size(9)),
        char("FootnoteReference", "footnote reference", '<w:vertAlign w:val="superscript"/>'),
        para("Header", "header", f'<w:pBdr>{border("bottom", "C9D3D9", 4, 4)}</w:pBdr>'
             '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
             f'<w:color w:val="{PRIMARY}"/>{size(9)}'),
        para("Footer", "footer", f'<w:pBdr>{border("top", "C9D3D9", 4, 4)}</w:pBdr>'
             f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
             '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
             f'<w:color w:val="{MUTED}"/>{size(8.5)}'),
        para("Disclaimer", "Disclaimer", f'<w:pBdr>{border("top", "C9D3D9", 4, 6)}</w:pBdr>'
             '<w:spacing w:before="360" w:after="80"/>',
             f'<w:i/><w:iCs/><w:color w:val="{MUTED}"/>{size(8.5)}'),
        article_table,
    ]
    return (f'<w:styles xmlns:w="{W_NS}" xmlns:r="{R_NS}">{defaults}{"".join(pieces)}</w:styles>')


def numbering_xml() -> str:
    return (
        f'<w:numbering xmlns:w="{W_NS}">{abstract_num_xml(0, False)}{abstract_num_xml(1, True)}'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>'
    )


SETTINGS = (
    f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>'
)
FOOTNOTES = (
    f'<w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)
DOCUMENT = (
    f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body><w:sectPr>'
    '<w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" '
    'w:left="1440" w:header="720" w:footer="720" w:gutter="0"/><w:cols w:space="720"/>'
    '<w:docGrid w:linePitch="360"/></w:sectPr></w:body></w:document>'
)
OFFICE = "application/vnd.openxmlformats-officedocument"
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{OFFICE}.wordprocessingml.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{OFFICE}.wordprocessingml.styles+xml"/>'
    f'<Override PartName="/word/numbering.xml" ContentType="{OFFICE}.wordprocessingml.numbering+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{OFFICE}.wordprocessingml.settings+xml"/>'
    f'<Override PartName="/word/footnotes.xml" ContentType="{OFFICE}.wordprocessingml.footnotes+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{OFFICE}.extended-properties+xml"/>'
    "</Types>"
)
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    f'<Relationships xmlns="{RELS_NS}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    f'<Relationships xmlns="{RELS_NS}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_REL}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId4" Type="{DOC_REL}/footnotes" Target="footnotes.xml"/>'
    "</Relationships>"
)
CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>pubkit reference document'
    '</dc:title><cp:revision>1</cp:revision>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)
APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>pubkit</Application><DocSecurity>0</DocSecurity></Properties>"
)


def main(target: Path) -> None:
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": CORE,
        "docProps/app.xml": APP,
        "word/document.xml": DOCUMENT,
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": styles_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/settings.xml": SETTINGS,
        "word/footnotes.xml": FOOTNOTES,
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            data = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text
            archive.writestr(info, data.encode("utf-8"))


if __name__ == "__main__":
    main(REPO / "templates" / "docx" / "reference.docx")
