"""Which articles the site's own pages list, and the facts of theirs those pages show.

Read by the batch (to decide whether the pages are stale, without loading
any template engine) and by :mod:`pubkit.renderers.html.site_pages`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from pubkit.site import outputs
from pubkit.site.index import Entry, SiteIndex
from pubkit.site.indexing import local_target


def listed(index: SiteIndex, exclude: Iterable[str] = ()) -> list[Entry]:
    """The articles the site's pages list: not drafts, not refused, not a duplicate slug."""
    left_out = set(exclude)
    return [e for e in index.articles()
            if e.status != "draft" and e.source not in left_out
            and index.duplicate_of(e.source) is None
            and e.slug not in outputs.SITE_PAGE_SLUGS]


def listing_facts(index: SiteIndex, exclude: Iterable[str] = ()) -> list[list[Any]]:
    """What the site's pages show of each listed article, and nothing else (no body).

    A body edit that leaves these alone (its summary and reading time too)
    does not rebuild the site's pages.
    """
    facts = []
    for e in listed(index, exclude):
        versions = [f"{v.name.stem}|{v.lang}" for v in index.versions(e)]
        facts.append([e.source, e.name.stem, e.lang, e.title, e.summary, sorted(e.tags),
                      e.date.isoformat() if e.date else None,
                      e.updated.isoformat() if e.updated else None, image_path(index, e),
                      e.reading_time, e.reviewed_by, e.canonical_url, versions])
    return facts


def lead_pictures(index: SiteIndex, exclude: Iterable[str] = ()) -> list[str]:
    """The site paths of the lead pictures the listing pages' cards show (local, published)."""
    found = {target for e in listed(index, exclude)
             if (target := lead_target(e)) is not None and index.published_as(target) is not None}
    return sorted(found)


def lead_target(entry: Entry) -> str | None:
    """The site path of ``entry``'s lead picture, when its front matter names a local file."""
    if not entry.image:
        return None
    return local_target(entry.image, posixpath.dirname(entry.source))


def image_path(index: SiteIndex, entry: Entry) -> str | None:
    """The web path of ``entry``'s lead picture, when it is a local file the index publishes."""
    target = lead_target(entry)
    return index.published_as(target) if target else None


def favicon_source(settings: Any) -> str | None:
    """The site file every web page names as its icon: ``[html] favicon``, else the logo."""
    name = settings.html.favicon or settings.brand.logo
    return name.lstrip("/") if name else None
