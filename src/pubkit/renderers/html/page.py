"""The web page: a standalone, accessible HTML5 document per article."""

from __future__ import annotations

from markupsafe import Markup

from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.html.media import PageMedia
from pubkit.renderers.html.page_writer import PageWriter
from pubkit.renderers.html.writer import HtmlWriter
from pubkit.renderers.page_data import common_context, json_ld
from pubkit.site import outputs

FRAGMENT = ".fragment.html"
"""The suffix of an article's page without the page around it (``[html] fragments``)."""
FRAGMENT_CLASS_PREFIX = "pubkit-"
"""Before every class name of a fragment, so a CMS's own styles and pubkit's never meet."""


class HtmlRenderer(Renderer):
    format = "html"

    def render(self, article: Article, ctx: RenderContext) -> Output:
        from pubkit.renderers.html.icons import icon_links

        media = PageMedia(article, ctx)
        shared = common_context(article, ctx)
        settings = ctx.settings
        show_toc = len(article.outline) >= settings.toc_min_headings
        writer = PageWriter(media, settings.images.sizes, lang=article.lang, t=shared["t"],
                            missing_alt=settings.images.missing_alt)
        lead = media.shown(article.meta.image) if article.meta.image else None
        here = ctx.index.page_path(ctx.entry(article))
        page = ctx.theme.template("html/page.html.j2").render(
            **shared,
            body=Markup(writer.blocks(article.body)),
            footnotes=Markup(writer.footnotes(article.footnotes)),
            toc=article.outline if show_toc else [],
            css=Markup(ctx.theme.read_text("html/style.css")),
            json_ld=Markup(json_ld(article, settings, shared["url"], shared["versions"])),
            lead_image=lead.src if lead else None,
            lead_picture=Markup(writer.picture(lead, shared["lead_alt"], lead=True)) if lead else None,
            icons=icon_links(ctx, lambda path: outputs.relative_href(here, path)),
        )
        companions = {}
        if settings.html.fragments:
            companions[FRAGMENT] = fragment(article, ctx, media, shared)
        return Output(page.encode("utf-8"), companions=companions, published=media.published,
                      pictures=media.facts)


def fragment(article: Article, ctx: RenderContext, media: PageMedia, shared: dict[str, object]) -> bytes:
    """The article's byline and body for a CMS: every address absolute, every class ``pubkit-``."""

    def image(node: n.Image) -> str | None:
        return media.absolute(media.image(node), node.src, picture=True)

    def link(url: str) -> str | None:
        return media.absolute(media.link(url), url)

    writer = HtmlWriter(resolve_image=image, resolve_link=link, lang=article.lang,
                        t=shared["t"],  # type: ignore[arg-type]
                        missing_alt=ctx.settings.images.missing_alt,
                        class_prefix=FRAGMENT_CLASS_PREFIX)
    html = ctx.theme.template("html/fragment.html.j2").render(
        **shared, body=Markup(writer.blocks(article.body)),
        footnotes=Markup(writer.footnotes(article.footnotes)))
    return html.encode("utf-8")
