"""The Word document: an editable ``.docx`` built on the house reference document.

Like pandoc's ``--reference-doc``, every document starts from
``docx/reference.docx`` as the theme finds it (a site may put its own in
``templates/docx/``): its styles, list definitions, page size and margins
are the house style, and the renderer only adds content that names them.
"""

from __future__ import annotations

import io

from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.docx.xml import NSDECLS, W, clean
from pubkit.renderers.page_data import text_direction
from pubkit.theme import builtin_templates

REFERENCE = "docx/reference.docx"
CJK_LANGUAGES = frozenset(("zh", "ja", "ko"))


class DocxRenderer(Renderer):
    format = "docx"

    def render(self, article: Article, ctx: RenderContext) -> Output:
        from docx import Document

        from pubkit.renderers.docx.footnotes import Footnotes
        from pubkit.renderers.docx.media import DocxLinks, DocxMedia, bookmark_names, heading_ids
        from pubkit.renderers.docx.numbering import Numbering, numbering_element
        from pubkit.renderers.docx.package import set_app_properties, set_properties, write_package
        from pubkit.renderers.docx.page import closing, contents, front_matter, header_and_footer, lead_image
        from pubkit.renderers.docx.writer import DocxWriter

        reference = ctx.theme.find(REFERENCE)
        data = ctx.theme.read_bytes(REFERENCE)
        try:
            document = Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several kinds for a damaged package
            raise ValueError(f"{reference}: not a usable Word reference document ({exc})") from None
        part = document.part
        section = document.sections[-1]
        # A reference document without a page size or margins is not usable: say so.
        page = (section.page_width, section.page_height, section.left_margin, section.right_margin,
                section.top_margin, section.bottom_margin)
        if any(v is None for v in page):
            raise ValueError(f"{reference}: the reference document sets no page size or margins")
        width, height, left, right, top, bottom = (int(v or 0) for v in page)
        text_width, text_height = width - left - right, height - top - bottom

        def warn(line: int | None, message: str) -> None:
            ctx.warn(article, line, message)

        bookmarks = bookmark_names(heading_ids(article.body))
        settings = ctx.settings
        t = ctx.translations(article)
        media = DocxMedia(article, ctx, part.package, text_height * 9 // 10, warn, t)
        links = DocxLinks(article, ctx, bookmarks)
        notes = Footnotes(part, article.footnotes)
        numbering = Numbering(numbering_element(part), part.styles.element)
        writer = DocxWriter(
            part, numbering, text_width, media.image, links.resolve, notes.reference, warn,
            bookmarks, rtl=text_direction(article.lang) == "rtl", t=t,
        )
        body_xml = (
            front_matter(article, settings, writer, t)
            + lead_image(article, media, writer)
            + contents(article, settings, writer, t)
            + writer.blocks(article.body)
            + notes.write(writer)
            + closing(settings, writer, t)
        )
        document = _with_body(part, body_xml)
        header_and_footer(document, settings, writer, media, ctx.site.root, t)
        writer.report_removed()
        _set_language(part.styles.element, article.lang)
        if reference.is_relative_to(builtin_templates()):  # a site's own reference keeps its colours
            _brand_colours(part.styles.element, settings.brand)
        set_properties(document, article, settings.site_name)
        set_app_properties(part.package, settings.site_name)
        return Output(write_package(part.package), published=links.publisher.files)


def _with_body(part, body_xml: str):  # type: ignore[no-untyped-def]
    """The reference's document element with ``body_xml`` before its section properties.

    Parsed as one string: moving thousands of parsed elements into another
    tree costs lxml a namespace search per element, ten times the parse.
    """
    from docx.oxml import parse_xml
    from lxml import etree

    old = part.element
    section = old.body.find(W + "sectPr")
    tail = etree.tostring(section, encoding="unicode") if section is not None else ""
    extra = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in old.nsmap.items()
                     if prefix and f"xmlns:{prefix}=" not in NSDECLS)
    new = parse_xml(f"<w:document {NSDECLS} {extra}><w:body>{body_xml}{tail}</w:body></w:document>")
    for name, value in old.attrib.items():  # mc:Ignorable and the like
        new.set(name, value)
    for child in old:  # a page background, if the reference has one
        if child.tag != W + "body":
            body = new.find(W + "body")
            if body is not None:
                body.addprevious(child)
    part._element = new
    return part.document


def _brand_colours(styles, brand) -> None:  # type: ignore[no-untyped-def]
    """Recolour the built-in reference's styles with the site's brand colours (pubkit.toml)."""
    from pubkit.settings import Brand

    swap = {}
    for name in ("primary_color", "accent_color"):
        default = Brand.model_fields[name].default.lstrip("#").upper()
        wanted = getattr(brand, name).lstrip("#").upper()
        if wanted != default:
            swap[default] = wanted
    if not swap:
        return
    for element in styles.iter(W + "color", W + "shd", W + "top", W + "bottom", W + "left",
                                W + "right", W + "insideH"):
        for attr in (W + "val", W + "color", W + "fill"):
            value = element.get(attr)
            if value in swap:
                element.set(attr, swap[value])


def _set_language(styles, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The document's default language (spelling, hyphenation), as a document default."""
    from docx.oxml import parse_xml

    defaults = styles.find(W + "docDefaults")
    if defaults is None:
        return
    rpr_default = defaults.find(W + "rPrDefault")
    if rpr_default is None:
        rpr_default = parse_xml(f"<w:rPrDefault {NSDECLS}><w:rPr/></w:rPrDefault>")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(W + "rPr")
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {NSDECLS}/>")
        rpr_default.append(rpr)
    for old in rpr.findall(W + "lang"):
        rpr.remove(old)
    value = clean(lang)
    attrs = f'w:val="{value}"'
    if lang.split("-")[0].lower() in CJK_LANGUAGES:
        attrs += f' w:eastAsia="{value}"'
    if text_direction(lang) == "rtl":
        attrs += f' w:bidi="{value}"'
    lang_el = parse_xml(f"<w:lang {NSDECLS} {attrs}/>")
    # w:lang sits near the end of rPr; only eastAsianLayout, specVanish and oMath follow it.
    follower = next((c for c in rpr if c.tag in {W + "eastAsianLayout", W + "specVanish",
                                                   W + "oMath"}), None)
    if follower is not None:
        follower.addprevious(lang_el)
    else:
        rpr.append(lang_el)
