"""Values every page-like template shares: dates, direction, byline, structured data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pubkit.model.article import Article
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
    if meta.reviewed_by:
        data["reviewedBy"] = {"@type": "Person", "name": meta.reviewed_by}
    if meta.date:
        data["datePublished"] = meta.date.isoformat()
    if meta.updated or meta.date:
        data["dateModified"] = (meta.updated or meta.date).isoformat()  # type: ignore[union-attr]
    if article.last_reviewed and meta.reviewed_by:
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
    }


BYLINE_SEPARATOR = " · "


def byline(article: Article) -> list[str]:
    """The pieces of the byline, in the web page's order and words."""
    meta = article.meta
    parts = []
    if meta.author:
        parts.append(f"By {meta.author}")
    if meta.reviewed_by:
        parts.append(f"Medically reviewed by {meta.reviewed_by}")
    if meta.date:
        parts.append(f"Published {format_date(meta.date)}")
    if meta.updated:
        parts.append(f"Updated {format_date(meta.updated)}")
    parts.append(f"{article.reading_time} min read")
    return parts
