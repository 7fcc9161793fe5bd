"""What surrounds the article body in Word: banner, title block, byline, disclaimer, header, footer.

Each piece is a paragraph in a named style of the reference document
(``Banner``, ``Title``, ``Subtitle``, ``Byline``, ``Disclaimer``, ``Header``,
``Footer``).  A reference document that brings its own page header or
footer (a letterhead) keeps it; otherwise the brand name (and logo) head
every page and the footer carries the page number as a ``PAGE`` field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pubkit.i18n import Translations
from pubkit.model.article import Article
from pubkit.renderers.alt import alt_text, lead_picture
from pubkit.renderers.docx.xml import NSDECLS, field, field_end, field_start, paragraph, text_run
from pubkit.renderers.page_data import BYLINE_SEPARATOR, byline, disclaimer, draft_notice, review_line

if TYPE_CHECKING:
    from pubkit.renderers.docx.media import DocxMedia
    from pubkit.renderers.docx.writer import DocxWriter
    from pubkit.settings import Settings

LOGO_HEIGHT = 457200  # half an inch, in EMU
TOC_LEVELS = 3
def front_matter(article: Article, settings: Settings, writer: DocxWriter, t: Translations) -> str:
    """Banner, title, subtitle and byline, before the body."""
    rtl = writer.rtl
    out = []
    draft = draft_notice(article, t)
    if draft:  # in the banner's style, above everything, so no reader misses it
        out.append(paragraph(text_run(writer.text(draft)), "Banner", bidi=rtl))
    if settings.brand.banner:
        out.append(paragraph(text_run(writer.text(settings.brand.banner)), "Banner", bidi=rtl))
    out.append(paragraph(text_run(writer.text(article.meta.title)), "Title", bidi=rtl))
    if article.meta.subtitle:
        out.append(paragraph(text_run(writer.text(article.meta.subtitle)), "Subtitle", bidi=rtl))
    line = BYLINE_SEPARATOR.join(byline(article, t))
    out.append(paragraph(text_run(writer.text(line)), "Byline", bidi=rtl))
    review = review_line(article, settings, t)
    if review:
        out.append(paragraph(text_run(writer.text(review)), "Byline", bidi=rtl))
    return "".join(out)


def contents(article: Article, settings: Settings, writer: DocxWriter, t: Translations) -> str:
    """A Word table of contents, as the web page has one (same threshold, same entries).

    A real ``TOC`` field inside a table-of-contents content control, so Word
    refreshes it with page numbers ("Update field"); its cached result links
    each entry to its heading's bookmark, so it works before any update too.
    """
    entries = [e for e in article.outline if e.level <= TOC_LEVELS]
    if len(article.outline) < settings.toc_min_headings or not entries:
        return ""
    rtl = writer.rtl
    paragraphs = [paragraph(text_run(writer.text(t.gettext("Contents"))), "TOCHeading", bidi=rtl)]
    top = min(e.level for e in entries)
    for i, entry in enumerate(entries):
        runs = text_run(writer.text(entry.text))
        name = writer.bookmarks.get(entry.id)
        if name:
            runs = f'<w:hyperlink w:anchor="{name}" w:history="1">{runs}</w:hyperlink>'
        if i == 0:
            runs = field_start(f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u') + runs
        if i == len(entries) - 1:
            runs += field_end()
        paragraphs.append(paragraph(runs, f"TOC{entry.level - top + 1}", bidi=rtl))
    return (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        f'<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>{"".join(paragraphs)}'
        f'{paragraph("", "Spacer", bidi=rtl)}</w:sdtContent></w:sdt>'
    )


def lead_image(article: Article, media: DocxMedia, writer: DocxWriter) -> str:
    """The article's lead picture (front matter ``image``), as on the web page."""
    if not article.meta.image:
        return ""
    picture = media.load(article.meta.image, None)
    if picture is None:
        return ""
    cx, cy = picture.fitted(writer.text_width, media.max_height)
    alt = alt_text(lead_picture(article.meta), media.ctx.settings.images.missing_alt, media.t)
    drawing = media.drawing(picture, writer.part, cx, cy, alt)
    return paragraph(drawing, "Figure", bidi=writer.rtl)


def closing(settings: Settings, writer: DocxWriter, t: Translations) -> str:
    """The disclaimer, after the body and any notes (the contact line is in the footer)."""
    return paragraph(text_run(writer.text(disclaimer(settings.brand, t))), "Disclaimer",
                     bidi=writer.rtl)


def header_and_footer(document: Any, settings: Settings, writer: DocxWriter,
                      media: DocxMedia, root: Any, t: Translations) -> None:
    """Brand name (and logo) in the page header, page numbers in the footer."""
    from docx.oxml import parse_xml

    section = document.sections[-1]
    if section.header.is_linked_to_previous:
        header = section.header
        header.is_linked_to_previous = False
        runs = ""
        logo = _logo(settings, media, header.part, root, t)
        if logo:
            runs = logo + text_run("  ")
        runs += text_run(writer.text(settings.site_name))
        para = paragraph(runs, "Header", bidi=writer.rtl)
        _replace(header._element, parse_xml(f"<w:hdr {NSDECLS}>{para}</w:hdr>"))
    if section.footer.is_linked_to_previous:
        footer = section.footer
        footer.is_linked_to_previous = False
        name = writer.text(settings.brand.contact or settings.site_name)
        runs = text_run(name) + "<w:r><w:tab/></w:r>" + page_label(t, writer)
        para = paragraph(runs, "Footer", bidi=writer.rtl)
        _replace(footer._element, parse_xml(f"<w:ftr {NSDECLS}>{para}</w:ftr>"))


def page_label(t: Translations, writer: DocxWriter) -> str:
    """ "Page 1 of 2" in ``t``'s words, the numbers as ``PAGE`` and ``NUMPAGES`` fields."""
    fields = {"%(page)s": field("PAGE", "1"), "%(pages)s": field("NUMPAGES", "1")}
    parts = re.split(r"(%\(pages?\)s)", t.gettext("Page %(page)s of %(pages)s"))
    return "".join(fields.get(p) or text_run(writer.text(p)) for p in parts if p)


def _logo(settings: Settings, media: DocxMedia, part: Any, root: Any, t: Translations) -> str | None:
    if not settings.brand.logo:
        return None
    picture = media.load(settings.brand.logo, None, site_file=True)
    if picture is None:
        return None
    scale = LOGO_HEIGHT / max(picture.height_emu, 1)
    return media.drawing(picture, part, int(picture.width_emu * scale), LOGO_HEIGHT,
                         t.format("%(site)s logo", site=settings.site_name))


def _replace(element: Any, new: Any) -> None:
    for child in list(element):
        element.remove(child)
    for child in list(new):
        element.append(child)
