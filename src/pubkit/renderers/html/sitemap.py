"""``sitemap.xml`` (sitemaps.org 0.9, with hreflang alternates) and ``robots.txt`` naming it."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_URLS = 50_000
"""The most addresses one sitemap file may hold (sitemaps.org)."""


def sitemap_xml(urls: list[tuple[str, dt.date | None, list[tuple[str, str]]]]) -> bytes:
    """A sitemap of ``(address, last modified, [(hreflang, address), ...])``, in that order.

    Every value is escaped for XML text or attributes; addresses come from the
    site index (percent-encoded paths of ``base_url``, or a front matter
    ``canonical_url`` checked when read).
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">']
    seen: set[str] = set()
    for loc, lastmod, alternates in urls:
        if loc in seen or len(seen) >= MAX_URLS:
            continue
        seen.add(loc)
        lines.append(f"<url><loc>{escape(loc)}</loc>")
        if lastmod is not None:
            lines.append(f"<lastmod>{lastmod.isoformat()}</lastmod>")
        for lang, href in alternates:
            lines.append(f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} '
                         f"href={quoteattr(href)}/>")
        lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(sitemap_url: str) -> bytes:
    """Every crawler welcome, and where the sitemap is (an absolute address, as robots.txt asks)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()
