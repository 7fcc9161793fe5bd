"""The web page: a standalone, accessible HTML5 document per article."""

from __future__ import annotations

from markupsafe import Markup

from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.html.media import PageMedia
from pubkit.renderers.html.page_writer import PageWriter
from pubkit.renderers.page_data import common_context, json_ld


class HtmlRenderer(Renderer):
    format = "html"

    def render(self, article: Article, ctx: RenderContext) -> Output:
        media = PageMedia(article, ctx)
        shared = common_context(article, ctx)
        settings = ctx.settings
        show_toc = len(article.outline) >= settings.toc_min_headings
        writer = PageWriter(media, settings.images.sizes, lang=article.lang, t=shared["t"],
                            missing_alt=settings.images.missing_alt)
        lead = media.shown(article.meta.image) if article.meta.image else None
        page = ctx.theme.template("html/page.html.j2").render(
            **shared,
            body=Markup(writer.blocks(article.body)),
            footnotes=Markup(writer.footnotes(article.footnotes)),
            toc=article.outline if show_toc else [],
            css=Markup(ctx.theme.read_text("html/style.css")),
            json_ld=Markup(json_ld(article, settings, shared["url"], shared["versions"])),
            lead_image=lead.src if lead else None,
            lead_picture=Markup(writer.picture(lead, shared["lead_alt"], lead=True)) if lead else None,
        )
        return Output(page.encode("utf-8"), published=media.published)
