"""Images and links of an email: absolute URLs or inline (``cid:``) parts.

A mail client has no folder to resolve ``media/x.png`` against, so every
local image becomes either its public address (the site's ``base_url`` plus
the ``media/`` name the web page publishes it under) or, with
``[email] embed_images``, an inline MIME part named by Content-ID.  Each
image gets its pixel width and height (scaled to the column) so clients
reserve the space before it loads.
"""

from __future__ import annotations

import io
import urllib.parse
from dataclasses import dataclass, field

from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.renderers.html.media import MediaCollector
from pubkit.resources import Refused, is_remote

COLUMN_WIDTH = 536
"""Pixels of the content column: 600 less the side padding."""

_SUBTYPES = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif", "WEBP": "webp"}


@dataclass(frozen=True, slots=True)
class ImageRef:
    src: str
    width: int
    height: int | None


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image carried inside the message (multipart/related)."""

    cid: str
    data: bytes
    subtype: str
    filename: str


@dataclass
class EmailMedia:
    """Resolves the references of the articles of one message."""

    ctx: RenderContext
    embed: bool
    inline: dict[str, InlineImage] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)  # cid -> public URL (for previews)
    _collectors: dict[int, MediaCollector] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.ctx.settings.base_url.rstrip("/") + "/"

    def collector(self, article: Article) -> MediaCollector:
        if id(article) not in self._collectors:
            self._collectors[id(article)] = MediaCollector(article, self.ctx)
        return self._collectors[id(article)]

    def image(self, article: Article, node: n.Image, max_width: int = COLUMN_WIDTH) -> ImageRef | None:
        """An image of ``article``'s body, or None (warned) when it cannot be shown."""
        if is_remote(node.src):
            return self._remote(article, node.src, max_width)
        name = self.collector(article).image(node)
        return None if name is None else self._local(article, name, max_width)

    def lead_image(self, article: Article, max_width: int = COLUMN_WIDTH) -> ImageRef | None:
        ref = article.meta.image
        if not ref:
            return None
        if is_remote(ref):
            return self._remote(article, ref, max_width)
        name = self.collector(article).copy_local(ref, None, picture=True)
        return None if name is None else self._local(article, name, max_width)

    def site_image(self, article: Article, ref: str, max_width: int) -> ImageRef | None:
        """A file named relative to the site root (the brand logo)."""
        name = self.collector(article).copy_local("/" + ref.lstrip("/"), None, picture=True)
        return None if name is None else self._local(article, name, max_width)

    def _local(self, article: Article, name: str, max_width: int) -> ImageRef | None:
        data = self.collector(article).extras[name]
        size = _pixel_size(data)
        if size is None:
            self.ctx.warn(article, None, f"left out image {name.split('-', 1)[-1]!r}: "
                          "email clients show only PNG, JPEG, GIF or WebP images")
            return None
        fmt, width, height = size
        width, height = _fit(width, height, max_width)
        url = self.base_url + name
        if not self.embed:
            return ImageRef(url, width, height)
        cid = f"{name.split('/')[-1].split('-', 1)[0]}@pubkit"
        self.inline[cid] = InlineImage(cid, data, _SUBTYPES[fmt], name.split("/")[-1])
        self.urls[cid] = url
        return ImageRef(f"cid:{cid}", width, height)

    def _remote(self, article: Article, url: str, max_width: int) -> ImageRef:
        if self.ctx.resources.allow_remote:
            try:
                data, _ = self.ctx.resources.fetch_remote(url)
                size = _pixel_size(data)
                if size is not None:
                    return ImageRef(url, *_fit(size[1], size[2], max_width))
            except Refused as exc:
                self.ctx.warn(article, None, f"cannot measure image {url}: {exc}")
        return ImageRef(url, max_width, None)

    def link(self, article: Article, url: str) -> str | None:
        """An absolute address for a link in ``article`` (mail has no relative links)."""
        resolved = self.collector(article).link(url)
        if resolved is None:
            return None
        parts = urllib.parse.urlsplit(resolved)
        if parts.scheme:
            return resolved
        if resolved.startswith("//"):
            return "https:" + resolved
        if resolved.startswith("#"):
            return self.page_url(article) + resolved
        return urllib.parse.urljoin(self.base_url, resolved)

    def page_url(self, article: Article) -> str:
        return article.meta.canonical_url or f"{self.base_url}{article.slug}.html"

    def public(self, html: str) -> str:
        """``html`` with inline images pointing at their public URLs (preview files)."""
        for cid, url in self.urls.items():
            html = html.replace(f"cid:{cid}", url)
        return html


def _pixel_size(data: bytes) -> tuple[str, int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in _SUBTYPES:
                return None
            return img.format, img.width, img.height
    except (UnidentifiedImageError, OSError):
        return None


def _fit(width: int, height: int, max_width: int) -> tuple[int, int]:
    if width <= max_width:
        return width, height
    return max_width, max(1, round(height * max_width / width))
