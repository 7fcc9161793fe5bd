"""Which articles the site's own pages list, and the facts of theirs those pages show.

Read by the batch (to decide whether the pages are stale, without loading
any template engine) and by :mod:`pubkit.renderers.html.site_pages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pubkit.site import outputs
from pubkit.site.index import Entry, SiteIndex, listing_digest
from pubkit.site.indexing import local_target


def listed(index: SiteIndex, exclude: Iterable[str] = ()) -> list[Entry]:
    """The articles the site's pages list: not drafts, not refused, not a duplicate slug."""
    left_out = set(exclude)
    return [e for e in index.articles()
            if e.status != "draft" and e.source not in left_out
            and index.duplicate_of(e.source) is None
            and e.slug not in outputs.SITE_PAGE_SLUGS]


def listing_facts(index: SiteIndex, exclude: Iterable[str] = ()) -> tuple[str, list[str]]:
    """A hash of what the site's pages show of each listed article (no body), and the site
    paths of the lead pictures their cards show (local files the index publishes).

    A body edit that leaves these alone (its summary and reading time too)
    does not rebuild the site's pages.  Each entry's own part is its
    :func:`~pubkit.site.index.listing_digest`, kept in the index cache, so every
    build of the web pages (this is how it knows they are up to date) passes
    once over the index without encoding its titles and summaries again.
    """
    import hashlib
    import json

    facts: list[Any] = []
    pictures: set[str] = set()
    translated = index.has_translations
    for e in listed(index, exclude):
        image = None
        if e.image:
            target = lead_target(e)
            if target is not None and (image := index.published_as(target)) is not None:
                pictures.add(target)
        # Only a work in several languages lists its other versions (most articles are their own only).
        versions = ([[v.name.stem, v.lang] for v in index.versions(e)]
                    if e.translation_of or translated(e.source) else None)
        facts += (e.source, e.listing or listing_digest(e), image, versions)
    text = json.dumps(facts, check_circular=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest(), sorted(pictures)


def lead_target(entry: Entry) -> str | None:
    """The site path of ``entry``'s lead picture, when its front matter names a local file."""
    if not entry.image:
        return None
    return local_target(entry.image, entry.source.rpartition("/")[0])  # its folder (dirname)


def favicon_source(settings: Any) -> str | None:
    """The site file every web page names as its icon: ``[html] favicon``, else the logo."""
    name = settings.html.favicon or settings.brand.logo
    return name.lstrip("/") if name else None


def brand_files(settings: Any) -> list[str]:
    """The site files every article's outputs use besides its own: the logo, and the icon
    (whether each page names one depends on its bytes)."""
    names = [settings.brand.logo.lstrip("/")] if settings.brand.logo else []
    icon = favicon_source(settings)
    return [*names, icon] if icon and icon not in names else names
