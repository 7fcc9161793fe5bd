"""The text/plain part of an email, written from the model (never from the HTML)."""

from __future__ import annotations

from collections.abc import Callable

from pubkit.i18n import Translations
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.email.media import EmailMedia
from pubkit.renderers.email.text_writer import TextWriter, wrap
from pubkit.renderers.page_data import disclaimer, draft_notice, format_date, reading_time, review_line
from pubkit.settings import Settings
from pubkit.source.newsletter import Newsletter


def message_text(newsletter: Newsletter, media: EmailMedia, full: bool, unsubscribe: str,
                 t: Translations, tag: Callable[[str], str] = str,
                 web_url: str | None = None) -> str:
    """The whole text part; ``unsubscribe`` is the unsubscribe URL's merge token.

    pubkit's own words are in ``t``'s language (the issue's); a featured
    article's facts in the article's own, like its text.  ``tag`` adds UTM
    parameters to the site's own links; ``web_url`` is the issue's web page
    ("View in your browser").
    """
    settings = media.ctx.settings
    brand = settings.brand
    sections = [settings.site_name]
    if web_url:
        sections[0] = f"{t.gettext('View in your browser')}: {web_url}\n\n{settings.site_name}"
    if newsletter.date and not full:
        sections[0] += f"\n{format_date(newsletter.date, t)}"
    if brand.banner:
        sections.append(wrap(brand.banner, 72))

    def linker(article: Article) -> Callable[[str], str | None]:
        def resolve(url: str) -> str | None:
            link = media.link(article, url)
            return None if link is None else tag(link)
        return resolve

    missing_alt = settings.images.missing_alt
    intro = TextWriter(resolve_link=linker(newsletter.intro), t=t, missing_alt=missing_alt)
    if newsletter.intro.body:
        sections.append(intro.blocks(newsletter.intro.body))
        if newsletter.intro.footnotes:
            sections.append(intro.footnotes(newsletter.intro.footnotes))
    links = intro.links
    for article in newsletter.articles:
        theirs = t if full else media.ctx.translations(article)
        writer = TextWriter(resolve_link=linker(article), t=theirs, missing_alt=missing_alt)
        writer.links = links  # one numbering for the whole message
        page = tag(media.page_url(article))
        sections.append(_full(article, writer, newsletter.button, page, settings) if full
                        else _teaser(article, writer, newsletter.button, page))
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


def _teaser(article: Article, writer: TextWriter, button: str, page: str) -> str:
    parts = [_heading(writer, 2, article.title)]
    if article.meta.date:
        parts.append(f"{format_date(article.meta.date, writer.t)} · {reading_time(article, writer.t)}")
    parts.append(wrap(article.summary, writer.width))
    parts.append(f"{button}: {page}")
    return "\n\n".join(parts)


def _full(article: Article, writer: TextWriter, button: str, page: str, settings: Settings) -> str:
    meta = article.meta
    draft = draft_notice(article, writer.t)
    parts = [f"*** {draft} ***" if draft else "", _heading(writer, 1, article.title)]
    if meta.subtitle:
        parts.append(wrap(meta.subtitle, writer.width))
    review = review_line(article, settings, writer.t)
    if review:
        parts.append(wrap(review, writer.width))
    parts.append(writer.blocks(article.body))
    if article.footnotes:
        parts.append(writer.footnotes(article.footnotes))
    parts.append(f"{button}: {page}")
    return "\n\n".join(p for p in parts if p)
