"""Values every page-like template shares: dates, direction, byline, structured data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pubkit.i18n import translations
from pubkit.model.article import Article
from pubkit.review.record import next_review_of, reviewer_of
from pubkit.settings import Settings
from pubkit.site import outputs

# Languages written right to left (base subtags), for the ``dir`` attribute.
RTL_LANGUAGES = frozenset(
    ["ar", "arc", "ckb", "dv", "fa", "he", "khw", "ks", "ps", "sd", "ug", "ur", "yi"]
)


def text_direction(lang: str) -> str:
    base = lang.lower()
    return "rtl" if base in RTL_LANGUAGES or base.split("-")[0] in RTL_LANGUAGES else "ltr"


def format_date(value: dt.date | None) -> str:
    """``May 1, 2024``: the form US patients read without thinking."""
    if value is None:
        return ""
    return f"{value:%B} {value.day}, {value.year}"


def page_url(article: Article, settings: Settings) -> str:
    """The article's public address: its canonical URL, else where its web page is published."""
    if article.meta.canonical_url:
        return article.meta.canonical_url
    return outputs.public_url(settings.base_url, outputs.page_path(article.slug))


def json_ld(article: Article, settings: Settings) -> str:
    """schema.org ``MedicalWebPage``, safe to place inside a ``<script>`` element."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "name": article.title,
        "description": article.summary,
        "url": page_url(article, settings),
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
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # "</script>" or "<!--" inside a string must not end the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def common_context(article: Article, settings: Settings) -> dict[str, Any]:
    meta = article.meta
    return {
        "article": article,
        "meta": meta,
        "site": settings,
        "brand": settings.brand,
        "lang": article.lang,
        "dir": text_direction(article.lang),
        "published": format_date(meta.date),
        "updated": format_date(meta.updated),
        "reading_time": article.reading_time,
        "url": page_url(article, settings),
        "byline": byline(article),
        "byline_parts": byline_parts(article),
        "review_line": review_line(article, settings),
        "draft": draft_notice(article),
    }


BYLINE_SEPARATOR = " · "


def byline_parts(article: Article) -> list[tuple[str, dt.date | None]]:
    """The byline (author, dates, reading time) in every format's order and words.

    Each piece comes with the date it states, if any, for the page's ``<time>``.
    """
    t = translations(article.lang)
    meta = article.meta
    parts: list[tuple[str, dt.date | None]] = []
    if meta.author:
        parts.append((t.gettext("By {author}").format(author=meta.author), None))
    if meta.date:
        parts.append((t.gettext("Published {date}").format(date=t.format_date(meta.date)),
                      meta.date))
    if meta.updated:
        parts.append((t.gettext("Updated {date}").format(date=t.format_date(meta.updated)),
                      meta.updated))
    minutes = article.reading_time
    parts.append((t.ngettext("{n} min read", "{n} min read", minutes).format(n=minutes), None))
    return parts


def byline(article: Article) -> list[str]:
    """The byline's pieces as text (joined with :data:`BYLINE_SEPARATOR` where one line is needed)."""
    return [text for text, _ in byline_parts(article)]


def review_line(article: Article, settings: Settings) -> str | None:
    """``Medically reviewed by Jane Peck, MD on January 15, 2025 · Next review January 2026``.

    The one wording of the review record in every format; ``None`` when the
    article names no review.
    """
    t = translations(article.lang)
    reviewer = reviewer_of(article.meta.reviewed_by, settings)
    day = article.last_reviewed
    if reviewer and day:
        text = t.gettext("Medically reviewed by {reviewer} on {date}").format(
            reviewer=reviewer.display, date=t.format_date(day))
    elif reviewer:
        text = t.gettext("Medically reviewed by {reviewer}").format(reviewer=reviewer.display)
    elif day:
        text = t.gettext("Medically reviewed on {date}").format(date=t.format_date(day))
    else:
        return None
    upcoming = next_review_of(article, settings)
    if upcoming:
        text += BYLINE_SEPARATOR + t.gettext("Next review {date}").format(
            date=t.format_date(upcoming, "month-year"))
    return text


def draft_notice(article: Article) -> str | None:
    """The DRAFT mark every format shows on a draft (``status: draft``), else ``None``.

    Drafts are rendered only when asked for (``--drafts``); see
    :func:`pubkit.review.policy.publish_decision`.
    """
    if article.meta.status != "draft":
        return None
    return translations(article.lang).gettext("DRAFT: not approved for patients")
