"""The text/plain part of an email, written from the model (never from the HTML)."""

from __future__ import annotations

import functools

from pubkit.i18n import Translations
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.email.media import EmailMedia
from pubkit.renderers.email.text_writer import TextWriter, wrap
from pubkit.renderers.page_data import disclaimer, format_date, reading_time
from pubkit.source.newsletter import Newsletter


def message_text(newsletter: Newsletter, media: EmailMedia, full: bool, unsubscribe: str,
                 t: Translations) -> str:
    """The whole text part; ``unsubscribe`` is the unsubscribe URL's merge token.

    pubkit's own words are in ``t``'s language (the issue's); a featured
    article's facts in the article's own, like its text.
    """
    settings = media.ctx.settings
    brand = settings.brand
    sections = [settings.site_name]
    if newsletter.date and not full:
        sections[0] += f"\n{format_date(newsletter.date, t)}"
    if brand.banner:
        sections.append(wrap(brand.banner, 72))
    intro = TextWriter(resolve_link=lambda url: media.link(newsletter.intro, url), t=t)
    if newsletter.intro.body:
        sections.append(intro.blocks(newsletter.intro.body))
        if newsletter.intro.footnotes:
            sections.append(intro.footnotes(newsletter.intro.footnotes))
    links = intro.links
    for article in newsletter.articles:
        theirs = t if full else media.ctx.translations(article)
        writer = TextWriter(resolve_link=functools.partial(media.link, article), t=theirs)
        writer.links = links  # one numbering for the whole message
        sections.append(_full(article, writer, newsletter.button, media) if full
                        else _teaser(article, writer, newsletter.button, media))
    if links:
        sections.append(_heading(intro, 2, t.gettext("Links")) + "\n" + intro.link_list())
    footer = [wrap(disclaimer(brand, t), 72)]
    if brand.contact:
        footer.append(brand.contact)
    if settings.email.postal_address:
        footer.append(settings.email.postal_address)
    footer.append(f"{t.gettext('Unsubscribe')}: {unsubscribe}")
    sections.append("-- \n" + "\n\n".join(footer))
    return "\n\n\n".join(s for s in sections if s) + "\n"


def _heading(writer: TextWriter, level: int, text: str) -> str:
    return writer.visit(n.Heading(level, children=[n.Text(text)]))


def _teaser(article: Article, writer: TextWriter, button: str, media: EmailMedia) -> str:
    parts = [_heading(writer, 2, article.title)]
    if article.meta.date:
        parts.append(f"{format_date(article.meta.date, writer.t)} · {reading_time(article, writer.t)}")
    parts.append(wrap(article.summary, writer.width))
    parts.append(f"{button}: {media.page_url(article)}")
    return "\n\n".join(parts)


def _full(article: Article, writer: TextWriter, button: str, media: EmailMedia) -> str:
    meta = article.meta
    parts = [_heading(writer, 1, article.title)]
    if meta.subtitle:
        parts.append(wrap(meta.subtitle, writer.width))
    if meta.reviewed_by:
        parts.append(writer.t.format("Medically reviewed by %(name)s", name=meta.reviewed_by))
    parts.append(writer.blocks(article.body))
    if article.footnotes:
        parts.append(writer.footnotes(article.footnotes))
    parts.append(f"{button}: {media.page_url(article)}")
    return "\n\n".join(p for p in parts if p)
