"""``feed.xml``: an Atom feed of the latest articles, made with feedgen (imported here only).

Every date comes from the articles (their ``updated``, else ``date``), never
from the clock, so the same site makes the same feed byte for byte and an
unchanged site never rebuilds it.
"""

from __future__ import annotations

import datetime as dt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The feed's ``updated`` when no article has a date (Atom requires one)."""


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def atom_feed(title: str, lang: str, feed_url: str, home_url: str,
              entries: list[tuple[str, str, str, dt.date | None, dt.date | None]]) -> bytes:
    """The feed of ``entries``: ``(address, title, summary, published, updated)``, newest first."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.author({"name": title})
    feed.link(href=home_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language(lang)
    days = [day for _, _, _, p, u in entries if (day := u or p) is not None]
    feed.updated(_moment(max(days)) if days else EPOCH)
    for url, name, summary, published, updated in entries:
        item = feed.add_entry(order="append")
        item.id(url)
        item.title(name)
        item.link(href=url, rel="alternate")
        if summary:
            item.summary(summary)
        changed = updated or published
        item.updated(_moment(changed) if changed else EPOCH)
        if published:
            item.published(_moment(published))
    data: bytes = feed.atom_str(pretty=True)
    return data
