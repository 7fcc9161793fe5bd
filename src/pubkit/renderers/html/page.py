"""The web page: a standalone, accessible HTML5 document per article."""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.html.media import MediaCollector
from pubkit.renderers.html.writer import HtmlWriter
from pubkit.renderers.page_data import common_context, json_ld


class HtmlRenderer(Renderer):
    name = "html"
    suffix = ".html"
    templates: ClassVar[tuple[str, ...]] = ("html/page.html.j2", "html/style.css")

    def render(self, article: Article, ctx: RenderContext) -> Output:
        media = MediaCollector(article, ctx)
        writer = HtmlWriter(resolve_image=media.image, resolve_link=media.link)
        settings = ctx.settings
        show_toc = len(article.outline) >= settings.toc_min_headings
        lead_image = None
        if article.meta.image:
            lead_image = media.copy_local(article.meta.image, None, picture=True)
        page = ctx.theme.template("html/page.html.j2").render(
            **common_context(article, settings),
            body=Markup(writer.blocks(article.body)),
            footnotes=Markup(writer.footnotes(article.footnotes)),
            toc=article.outline if show_toc else [],
            css=Markup(ctx.theme.read_text("html/style.css")),
            json_ld=Markup(json_ld(article, settings)),
            lead_image=lead_image,
        )
        return Output(page.encode("utf-8"), media.extras)
