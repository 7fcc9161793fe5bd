"""One article as an email: ``output/email/<slug>.eml`` with ``.html`` and ``.txt`` beside it.

The article is composed like a one-article newsletter in the "full" layout,
addressed to the preview recipient (``[email] preview_to``).  The Date header
comes from the article (its update or publication date), or else from the
source file's modification time: a renderer never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pubkit.diagnostics import SourceError
from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext, Renderer
from pubkit.renderers.email.mime import UnsafeHeader
from pubkit.renderers.email.newsletter import compose
from pubkit.source.newsletter import newsletter_for_article


class EmailRenderer(Renderer):
    name = "email"
    suffix = ".eml"
    templates: ClassVar[tuple[str, ...]] = (
        "email/message.html.j2", "email/button.html.j2", "email/style.css.j2",
    )

    def render(self, article: Article, ctx: RenderContext) -> Output:
        newsletter = newsletter_for_article(article, ctx.settings.language)
        composed = compose(newsletter, ctx, _article_date(article, ctx), article_email=True)
        try:
            files = composed.preview_files()
        except UnsafeHeader as exc:  # a title with a line break cannot be a subject
            raise SourceError(article.path, None, f"email: {exc}") from None
        return Output(files["newsletter.eml"], {
            f"{article.slug}.html": files["newsletter.html"],
            f"{article.slug}.txt": files["newsletter.txt"],
        })


def _article_date(article: Article, ctx: RenderContext) -> dt.datetime:
    day = article.meta.updated or article.meta.date
    if day is not None:
        return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)
    try:
        mtime = (ctx.site.root / article.path).stat().st_mtime
    except OSError:
        mtime = 0.0
    return dt.datetime.fromtimestamp(int(mtime), dt.UTC)
