"""Email formats: one article as an email, and a newsletter issue.

``email`` composes an article like a one-article newsletter in the "full"
layout, addressed to the preview recipient (``[email] preview_to``): its
``.eml`` with the ``.html`` and ``.txt`` parts beside it.  The Date header
comes from the article (its update, publication or medical sign-off date),
or else from the source file's modification time: a renderer never reads the
clock, and an article with a date in its front matter renders the same
message on every machine (a clone's files are as new as the clone).

``newsletter`` composes an issue of ``newsletters/`` for the preview
recipient; its Date is given by the caller (the clock, at the command's edge).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pubkit.diagnostics import SourceError
from pubkit.model.article import Article
from pubkit.renderers.base import IssueRenderer, Output, RenderContext, Renderer
from pubkit.renderers.email.mime import UnsafeHeader
from pubkit.renderers.email.newsletter import ComposedNewsletter, compose, compose_newsletter
from pubkit.site import outputs
from pubkit.source.newsletter import newsletter_for_article


def preview_output(composed: ComposedNewsletter, path: str, web_page: bool = False) -> Output:
    """The composed message for the preview recipient, with its HTML and text beside it.

    With ``web_page``, the issue's public page ("View in your browser", no
    personal data) is published with it, where its emails link to.
    """
    try:
        files = composed.preview_files()
    except UnsafeHeader as exc:  # a title with a line break cannot be a subject
        raise SourceError(path, None, f"email: {exc}") from None
    published = dict(composed.media.published)
    if web_page:
        published[outputs.issue_page_path(composed.output_name)] = composed.web_page()
    return Output(files["newsletter.eml"],
                  {".html": files["newsletter.html"], ".txt": files["newsletter.txt"]}, published)


class EmailRenderer(Renderer):
    format = "email"

    def render(self, article: Article, ctx: RenderContext) -> Output:
        newsletter = newsletter_for_article(article, ctx.settings.language)
        composed = compose(newsletter, ctx, _article_date(article, ctx), article_email=True)
        return preview_output(composed, article.path)


class NewsletterRenderer(IssueRenderer):
    format = "newsletter"

    def render_issue(self, path: Path, ctx: RenderContext, now: dt.datetime) -> tuple[Output, str]:
        """The issue at ``path`` for the preview recipient, and its subject."""
        composed = compose_newsletter(path, ctx, now)
        return preview_output(composed, composed.path, web_page=True), composed.subject.source()


def _article_date(article: Article, ctx: RenderContext) -> dt.datetime:
    day = article.meta.updated or article.meta.date or article.meta.reviewed_on
    if day is not None:
        return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)
    try:
        mtime = ctx.files.stat(ctx.site.root / article.path).mtime
    except OSError:
        mtime = 0.0
    return dt.datetime.fromtimestamp(int(mtime), dt.UTC)
