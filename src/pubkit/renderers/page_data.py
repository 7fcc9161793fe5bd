"""Values every page-like template shares: dates, direction, byline, versions, structured data.

Every word here comes from the article's :class:`~pubkit.i18n.Translations`
(``t``), passed to the templates too, so the page, the handout, the Word
document and the email say the same thing in the same language.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pubkit.i18n import N_, Translations, language_name
from pubkit.model.article import Article
from pubkit.renderers.alt import alt_text, lead_picture
from pubkit.review.record import next_review_of, reviewer_of
from pubkit.settings import Brand, Settings
from pubkit.site import outputs

if TYPE_CHECKING:
    from pubkit.renderers.base import RenderContext
    from pubkit.site.index import Entry

# Languages written right to left (base subtags), for the ``dir`` attribute.
RTL_LANGUAGES = frozenset(
    ["ar", "arc", "ckb", "dv", "fa", "he", "khw", "ks", "ps", "sd", "ug", "ur", "yi"]
)


def text_direction(lang: str) -> str:
    base = lang.lower()
    return "rtl" if base in RTL_LANGUAGES or base.split("-")[0] in RTL_LANGUAGES else "ltr"


def format_date(value: dt.date | None, t: Translations) -> str:
    """``May 1, 2024`` or ``1 de mayo de 2024``: the long form readers of ``t``'s language read."""
    if value is None:
        return ""
    return t.format_date(value)


DISCLAIMER = N_("This article is for general education and is not a substitute for professional "
                 "medical advice. Talk to your care team about your own situation.")
"""The disclaimer of a site that sets none (``[brand] disclaimer``), translated like every label."""


def disclaimer(brand: Brand, t: Translations) -> str:
    """The site's own disclaimer, or pubkit's in the reader's language."""
    return brand.disclaimer or t.gettext(DISCLAIMER)


def page_url(article: Article, ctx: RenderContext) -> str:
    """The article's public address: its canonical URL, else where its web page is published."""
    return ctx.index.page_url(ctx.entry(article), ctx.settings.base_url)


@dataclass(frozen=True)
class Version:
    """One language version of an article's work, as a page links to it."""

    lang: str
    url: str
    """Its public address (canonical URL or web page)."""
    href: str
    """A link to it from the page being rendered (relative between pages of this site)."""
    name: str
    """The language's name in that language ("English", "español")."""
    title: str
    current: bool
    """The version being rendered."""
    original: bool
    """The original the others translate."""

    @property
    def dir(self) -> str:
        return text_direction(self.lang)


def versions(article: Article, ctx: RenderContext) -> list[Version]:
    """Every version of the article's work (the original first); only itself when there are none."""
    index = ctx.index
    own = ctx.entry(article)
    found = index.versions(index.entries.get(own.source, own))
    if len(found) < 2:
        return []
    base = ctx.settings.base_url
    here = index.page_path(own)

    def href(entry: Entry) -> str:
        return entry.canonical_url or outputs.relative_href(here, index.page_path(entry))

    return [Version(e.lang, index.page_url(e, base), href(e), language_name(e.lang), e.title,
                    e.source == own.source, i == 0) for i, e in enumerate(found)]


def _work(version: Version) -> dict[str, Any]:
    return {"@type": "MedicalWebPage", "url": version.url, "inLanguage": version.lang,
            "name": version.title}


def json_ld(article: Article, settings: Settings, url: str, others: list[Version] | None = None) -> str:
    """schema.org ``MedicalWebPage``, safe to place inside a ``<script>`` element.

    ``inLanguage`` is the article's language; the original lists its
    translations (``workTranslation``), a translation names its original
    (``translationOfWork``).
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "name": article.title,
        "description": article.summary,
        "url": url,
        "inLanguage": article.lang,
        "wordCount": article.word_count,
        "timeRequired": f"PT{article.reading_time}M",
        "publisher": {"@type": "Organization", "name": settings.site_name},
    }
    meta = article.meta
    if meta.author:
        data["author"] = {"@type": "Person", "name": meta.author}
    reviewer = reviewer_of(meta.reviewed_by, settings)
    if reviewer:
        person: dict[str, Any] = {"@type": "Person", "name": reviewer.name}
        if reviewer.credentials:
            person["honorificSuffix"] = reviewer.credentials
        data["reviewedBy"] = person
    if meta.date:
        data["datePublished"] = meta.date.isoformat()
    if article.last_modified:
        data["dateModified"] = article.last_modified.isoformat()
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    if meta.tags:
        data["keywords"] = ", ".join(meta.tags)
    own = next((v for v in others or [] if v.current), None)
    if own is not None and own.original:
        data["workTranslation"] = [_work(v) for v in others or [] if not v.current]
    elif own is not None:
        data["translationOfWork"] = next(_work(v) for v in others or [] if v.original)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # "</script>" or "<!--" inside a string must not end the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def common_context(article: Article, ctx: RenderContext) -> dict[str, Any]:
    """What the page and handout templates share; ``t`` gives them ``_()`` in the article's language."""
    meta = article.meta
    settings = ctx.settings
    t = ctx.translations(article)
    others = versions(article, ctx)
    return {
        "article": article,
        "meta": meta,
        "site": settings,
        "brand": settings.brand,
        "lang": article.lang,
        "dir": text_direction(article.lang),
        "t": t,
        "published": format_date(meta.date, t),
        "updated": format_date(meta.updated, t),
        "reading_time": article.reading_time,
        "reading_time_text": reading_time(article, t),
        "url": page_url(article, ctx),
        "disclaimer": disclaimer(settings.brand, t),
        "labels": labels_attr(article, t),
        "versions": others,
        "other_versions": [v for v in others if not v.current],
        "byline": byline(article, t),
        "byline_parts": byline_parts(article, t),
        "review_line": review_line(article, settings, t),
        "draft": draft_notice(article, t),
        # The lead picture's words, by the rule every picture follows (""= decorative).
        "lead_alt": alt_text(lead_picture(meta), settings.images.missing_alt, t),
    }


def labels_attr(article: Article, t: Translations) -> Markup:
    """``lang`` and ``dir`` for an element of pubkit's words when they are not in the article's
    language (it has no catalogue: they are English), so they read in their own order."""
    if t.missing is None:
        return Markup("")
    lang = t.locale.replace("_", "-")
    return Markup(f' lang="{lang}" dir="{text_direction(lang)}"')


BYLINE_SEPARATOR = " · "


def reading_time(article: Article, t: Translations) -> str:
    """ "5 min read", "Lectura de 5 minutos"."""
    n = article.reading_time
    return t.ngettext("%(num)s min read", "%(num)s min read", n) % {"num": t.format_number(n)}


def byline_parts(article: Article, t: Translations) -> list[tuple[str, dt.date | None]]:
    """The byline (author, dates, reading time) in every format's order and words.

    Each piece comes with the date it states, if any, for the page's ``<time>``.
    The medical review has a line of its own (:func:`review_line`).
    """
    meta = article.meta
    parts: list[tuple[str, dt.date | None]] = []
    if meta.author:
        parts.append((t.format("By %(name)s", name=meta.author), None))
    if meta.date:
        parts.append((t.format("Published %(date)s", date=format_date(meta.date, t)), meta.date))
    if meta.updated:
        parts.append((t.format("Updated %(date)s", date=format_date(meta.updated, t)), meta.updated))
    parts.append((reading_time(article, t), None))
    return parts


def byline(article: Article, t: Translations) -> list[str]:
    """The byline's pieces as text (joined with :data:`BYLINE_SEPARATOR` where one line is needed)."""
    return [text for text, _ in byline_parts(article, t)]


def review_line(article: Article, settings: Settings, t: Translations) -> str | None:
    """``Medically reviewed by Jane Peck, MD on January 15, 2025 · Next review January 2026``.

    The one wording of the review record in every format; ``None`` when the
    article names no review.
    """
    reviewer = reviewer_of(article.meta.reviewed_by, settings)
    day = article.last_reviewed
    if reviewer and day:
        text = t.format("Medically reviewed by %(name)s on %(date)s", name=reviewer.display,
                        date=format_date(day, t))
    elif reviewer:
        text = t.format("Medically reviewed by %(name)s", name=reviewer.display)
    elif day:
        text = t.format("Medically reviewed on %(date)s", date=format_date(day, t))
    else:
        return None
    upcoming = next_review_of(article, settings)
    if upcoming:
        text += BYLINE_SEPARATOR + t.format("Next review %(date)s",
                                            date=t.format_date(upcoming, "month-year"))
    return text


def draft_notice(article: Article, t: Translations) -> str | None:
    """The DRAFT mark every format shows on a draft (``status: draft``), else ``None``.

    Drafts are rendered only when asked for (``--drafts``); see
    :func:`pubkit.review.policy.publish_decision`.
    """
    if article.meta.status != "draft":
        return None
    return t.gettext("DRAFT: not approved for patients")
