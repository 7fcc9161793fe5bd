"""The printed handout: the article model -> print HTML -> WeasyPrint -> PDF bytes.

The body comes from :class:`PrintHtmlWriter` (never from the web page), the
page from ``templates/pdf/handout.html.j2`` and its stylesheets.  Everything
WeasyPrint loads goes through one :class:`SiteFetcher`.  The font
configuration and the parsed stylesheets live for the whole process (parsing
them is a third of a small handout's render time) in a small, bounded cache.
The output is byte-reproducible: no clock, a file identifier derived from
the content, dates from the front matter.

Two formats render here: the standard handout (``pdf``) and its large-print
variant (``large-print``, for readers with low vision), which is the same
document with ``pdf/large-print.css`` on top and a :class:`PrintStyle` of its
own: 18 pt tables and wider margins.
"""

from __future__ import annotations

import calendar
import contextlib
import os
import re
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pydyf
from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from pubkit import __version__
from pubkit.i18n import Translations
from pubkit.model.article import Article
from pubkit.renderers.alt import is_decorative, lead_picture
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.files import Publisher
from pubkit.renderers.page_data import common_context, text_direction
from pubkit.renderers.pdf.fetch import (
    GENERATED,
    THEME,
    RenderDeadline,
    SiteFetcher,
    folder_url,
    picture_size,
    site_url,
)
from pubkit.renderers.pdf.qr import qr_svg
from pubkit.renderers.pdf.tables import PAPER_WIDTH_MM, TableFit, to_mm
from pubkit.renderers.pdf.writer import PrintHtmlWriter, fits_the_page
from pubkit.settings import Settings
from pubkit.theme import Theme

TEMPLATE = "pdf/handout.html.j2"
STYLESHEET = "pdf/handout.css"
PAGE_STYLESHEET = "pdf/page.css.j2"
LARGE_PRINT_STYLESHEET = "pdf/large-print.css"
STYLESHEET_CACHE_SIZE = 8
"""Distinct (theme, page settings) pairs kept parsed; one site needs one."""
# (variant setting) -> WeasyPrint options
VARIANTS: dict[str, dict[str, Any]] = {
    "pdf/ua-1": {"pdf_variant": "pdf/ua-1", "pdf_tags": True},
    "pdf/a-3b": {"pdf_variant": "pdf/a-3b", "pdf_tags": True},
    "plain": {"pdf_variant": None, "pdf_tags": False},
}


@dataclass(frozen=True)
class PrintStyle:
    """What differs between the standard and the large-print handout, besides their stylesheet."""

    name: str
    stylesheets: tuple[str, ...]
    table_pt: float
    """Font size of tables (their columns are sized for it, see :mod:`.tables`)."""
    min_margin_mm: float
    """Page margins at least this wide, whatever ``[pdf] margin`` says."""
    footer_room: str
    """Room below the bottom margin for the page label."""

    def margin_mm(self, settings: Settings) -> float:
        return max(to_mm(settings.pdf.margin), self.min_margin_mm)


STANDARD = PrintStyle("standard", (STYLESHEET,), table_pt=9, min_margin_mm=0, footer_room="6mm")
LARGE_PRINT = PrintStyle("large-print", (STYLESHEET, LARGE_PRINT_STYLESHEET), table_pt=18,
                         min_margin_mm=25, footer_room="14mm")


@dataclass(frozen=True)
class _Styles:
    sheets: tuple[CSS, ...]
    refused: tuple[str, ...]  # messages replayed as warnings for every article


class _Engine:
    """Process-wide WeasyPrint state: one font configuration, a few parsed stylesheets.

    Both are kept for the life of the process.  Rebuilding the font
    configuration now and then was measured and does not help: a worker's
    memory grows by about 11 kB per render either way, in native code
    (Pango/HarfBuzz; the Python heap stays flat), so the bound on a long run
    is recycling the worker process, not this cache.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fonts = FontConfiguration()
        self.styles: OrderedDict[tuple[Any, ...], _Styles] = OrderedDict()

    def stylesheets(self, theme: Theme, settings: Settings, fetcher: SiteFetcher, style: PrintStyle,
                    t: Translations) -> _Styles:
        page_css = theme.template(PAGE_STYLESHEET).render(
            pdf=settings.pdf, brand=settings.brand, margin=f"{style.margin_mm(settings):g}mm",
            footer_room=style.footer_room, table_pt=f"{style.table_pt:g}",
            page_label=Markup(page_label(t)),
        )
        # The policy is part of the key: what a stylesheet may load depends on it.
        key = (theme.search_path, theme.fingerprint(list(style.stylesheets)), page_css, fetcher.policy)
        cached = self.styles.get(key)
        if cached is not None:
            self.styles.move_to_end(key)
            return cached
        refused: list[str] = []
        parse_fetcher = SiteFetcher(
            fetcher.policy, lambda url, why: refused.append(f"{_shown(url)!r}: {why}"),
            find_theme=fetcher.find_theme, system_fonts=True,
        )
        sheets = [CSS(string=theme.read_text(STYLESHEET), base_url=THEME + STYLESHEET,
                      url_fetcher=parse_fetcher, font_config=self.fonts),
                  CSS(string=page_css, base_url=THEME + "pdf/page.css",
                      url_fetcher=parse_fetcher, font_config=self.fonts)]
        # A variant's own sheet comes last: it overrides both.
        sheets += [CSS(string=theme.read_text(name), base_url=THEME + name, url_fetcher=parse_fetcher,
                       font_config=self.fonts) for name in style.stylesheets if name != STYLESHEET]
        styles = _Styles(tuple(sheets), tuple(refused))
        self.styles[key] = styles
        while len(self.styles) > STYLESHEET_CACHE_SIZE:
            self.styles.popitem(last=False)
        return styles


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


class PdfRenderer(Renderer):
    format = "pdf"
    style: ClassVar[PrintStyle] = STANDARD

    def render(self, article: Article, ctx: RenderContext) -> Output:
        limit = ctx.settings.render_timeout
        deadline = time.monotonic() + limit
        html, writer, generated = self.print_html(article, ctx)
        t = writer.t

        def refused(url: str, why: str) -> None:
            shown = writer.refs.get(url) or _shown(url)
            # The first line using the file, as every format names it.
            line = ctx.links(article).line_of(shown) or writer.lines.get(url)
            ctx.warn(article, line, f"left out {shown!r}: {why}")

        fetcher = SiteFetcher(ctx.resources, refused, generated, deadline, ctx.theme.find)
        eng = engine()
        try:
            with eng.lock, _source_date(article):
                styles = eng.stylesheets(ctx.theme, ctx.settings, fetcher, self.style, t)
                document = HTML(string=html, base_url=writer.base_url, url_fetcher=fetcher)
                data = document.write_pdf(
                    stylesheets=list(styles.sheets),
                    font_config=eng.fonts,
                    # pydyf derives the file identifier from the bytes written: no clock, no randomness.
                    pdf_identifier=True,
                    finisher=_display_title,
                    dpi=ctx.settings.pdf.image_dpi or None,
                    **VARIANTS[ctx.settings.pdf.variant],
                )
        except RenderDeadline:
            raise TimeoutError(f"render took longer than {limit:g} s") from None
        if time.monotonic() > deadline:  # WeasyPrint swallows errors inside SVG drawing
            raise TimeoutError(f"render took longer than {limit:g} s")
        for why in styles.refused:
            ctx.warn(article, None, f"pdf: stylesheet resource left out {why}")
        return Output(data, published=writer.publisher.files)

    def print_html(
        self, article: Article, ctx: RenderContext
    ) -> tuple[str, PrintHtmlWriter, dict[str, tuple[bytes, str]]]:
        """The handout as an HTML string, the writer that made it, and generated files."""
        settings = ctx.settings
        shared = common_context(article, ctx)
        on_page = settings.pdf.footnotes == "page" and fits_the_page(article.footnotes)
        paper = PAPER_WIDTH_MM[settings.pdf.paper]
        fit = TableFit(paper - 2 * self.style.margin_mm(settings), self.style.table_pt)
        writer = PrintHtmlWriter(folder_url(article.source_dir), ctx.links(article),
                                 Publisher(ctx, article), article.footnotes if on_page else None,
                                 lang=article.lang, t=shared["t"], stack_table=lambda t: not fit.fits(t),
                                 missing_alt=settings.images.missing_alt, measure=picture_size(ctx.resources))
        body = writer.blocks(article.body)
        notes = writer.footnotes(article.footnotes)
        generated: dict[str, tuple[bytes, str]] = {}
        qr_url = None
        if article.meta.canonical_url:
            generated["qr.svg"] = (qr_svg(article.meta.canonical_url), "image/svg+xml")
            qr_url = GENERATED + "qr.svg"
        writer.line = None
        logo = None
        if settings.brand.logo:
            logo = site_url(urllib.parse.quote(settings.brand.logo.lstrip("/")))
            writer.lines.setdefault(logo, None)
            writer.refs.setdefault(logo, f"brand.logo = {settings.brand.logo}")
        lead_image = writer.picture(article.meta.image) if article.meta.image else None
        lead = lead_picture(article.meta)
        # Decorative (no image_alt, [images] missing_alt = "decorative"): drawn as an artifact.
        lead_decorative = Markup(writer.visit_image(lead)) \
            if lead_image and is_decorative(lead, settings.images.missing_alt) else None
        others: list[dict[str, Any]] = []
        for version in shared["other_versions"]:
            # Said in that version's language: it is for the reader who cannot read this one.
            theirs = ctx.theme.translations(version.lang)
            name = f"qr-{len(others)}.svg"
            generated[name] = (qr_svg(version.url), "image/svg+xml")
            others.append({
                "version": version,
                "label": theirs.format("This handout in %(language)s:", language=version.name),
                "caption": _breakable_url(version.url),
                "qr": GENERATED + name,
                "qr_alt": theirs.format("QR code linking to %(url)s", url=version.url),
            })
        html = ctx.theme.template(TEMPLATE).render(
            **shared,
            others=others,
            large_print=self.style is LARGE_PRINT,
            body=Markup(body),
            footnotes=Markup(notes),
            logo=logo,
            lead_image=lead_image,
            lead_decorative=lead_decorative,
            qr=qr_url,
            site_dir=text_direction(settings.language),
            qr_caption=_breakable_url(article.meta.canonical_url or ""),
            author=article.meta.author or settings.site_name,
            generator=f"pubkit {__version__}",
        )
        return html, writer, generated


@contextlib.contextmanager
def _source_date(article: Article) -> Iterator[None]:
    """Pin the timestamp fontTools writes into fonts it rebuilds (colour emoji).

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention fontTools
    honours; the article's own date stands in for "now".  Held under the
    engine lock, and an outer value (a packager's) wins.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    day = article.last_modified
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()) if day else 0)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


class LargePrintRenderer(PdfRenderer):
    """The handout for readers with low vision: 18 pt and more, plain, high contrast."""

    format = "large-print"
    style = LARGE_PRINT


def page_label(t: Translations) -> str:
    """The CSS ``content`` of "Page 1 of 2" in ``t``'s words, the numbers as page counters."""
    text = t.gettext("Page %(page)s of %(pages)s")
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = re.split(r"(%\(pages?\)s)", text)
    return " ".join(counters.get(p) or _css_string(p) for p in parts if p)


def _css_string(text: str) -> str:
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def _display_title(document: Any, pdf: pydyf.PDF) -> None:
    """Show the title, not the file name, in the viewer's title bar (PDF/UA asks for it)."""
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


def _breakable_url(url: str) -> Markup:
    """``url`` for a narrow caption: it may break after ``//`` and each ``/``, not inside a word.

    The printed text stays exactly the URL (a reader types it in); short parts
    never split at their hyphens, long ones may wrap anywhere rather than overflow.
    """
    parts = re.findall(r"[^/]*/+|[^/]+$", url)
    spans = (
        f'<span class="url-part">{escape(part)}</span>' if len(part) <= 24 else str(escape(part))
        for part in parts
    )
    return Markup("<wbr>".join(spans))


def _shown(url: str) -> str:
    if url.startswith(("pubkit://site/", "pubkit://theme/")):
        return urllib.parse.unquote(url.split("/", 3)[3])
    return url if len(url) < 120 else url[:117] + "..."

