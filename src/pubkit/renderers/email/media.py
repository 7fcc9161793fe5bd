"""Images and links of an email: absolute URLs or inline (``cid:``) parts.

A mail client has no folder to resolve ``media/x.png`` against, so every
local image becomes either its public address (the one the site index
publishes it under, for every format) or, with
``[email] embed_images``, an inline MIME part named by Content-ID.  Each
image gets its pixel width and height (scaled to the column) so clients
reserve the space before it loads.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.renderers.files import Publisher
from pubkit.renderers.page_data import page_url
from pubkit.resources import Refused
from pubkit.site.links import Kind, Target

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
    """Resolves the references of the articles of one message.

    Every decision is the article's :class:`~pubkit.site.links.LinkResolver`'s;
    mail takes the absolute ``url`` of each, and local files it shows or links
    to are handed over for publishing at that address.
    """

    ctx: RenderContext
    embed: bool
    inline: dict[str, InlineImage] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)  # cid -> public URL (for previews)
    _publishers: dict[int, Publisher] = field(default_factory=dict)

    @property
    def published(self) -> dict[str, bytes]:
        """Every local file the message shows or links to, by web path."""
        out: dict[str, bytes] = {}
        for publisher in self._publishers.values():
            out.update(publisher.files)
        return out

    def publisher(self, article: Article) -> Publisher:
        if id(article) not in self._publishers:
            self._publishers[id(article)] = Publisher(self.ctx, article)
        return self._publishers[id(article)]

    def image(self, article: Article, node: n.Image, max_width: int = COLUMN_WIDTH) -> ImageRef | None:
        """An image of ``article``'s body, or None (warned) when it cannot be shown."""
        return self.picture(article, node.src, max_width)

    def lead_image(self, article: Article, max_width: int = COLUMN_WIDTH) -> ImageRef | None:
        ref = article.meta.image
        return self.picture(article, ref, max_width) if ref else None

    def site_image(self, article: Article, ref: str, max_width: int) -> ImageRef | None:
        """A file named relative to the site root (the brand logo)."""
        return self.picture(article, "/" + ref.lstrip("/"), max_width)

    def picture(self, article: Article, src: str, max_width: int) -> ImageRef | None:
        target = self.ctx.links(article).image(src)
        if target.kind is Kind.FILE:
            publisher = self.publisher(article)
            if not publisher.add(target, picture=True):
                return None
            return self._local(article, target, publisher.read(target) or b"", max_width)
        if target.kind is Kind.KEPT and target.url:
            return self._remote(article, target.url, max_width)
        return None  # dropped or broken: the resolver has said why

    def _local(self, article: Article, target: Target, data: bytes, max_width: int) -> ImageRef | None:
        size = _pixel_size(data)
        if size is None:
            self.ctx.warn(article, self.ctx.links(article).line_of(target.written),
                          f"left out image {target.written!r}: "
                          "email clients show only PNG, JPEG, GIF or WebP images")
            return None
        fmt, width, height = size
        width, height = _fit(width, height, max_width)
        url = target.url or ""
        if not self.embed:
            return ImageRef(url, width, height)
        digest = hashlib.sha256(data).hexdigest()[:10]
        cid = f"{digest}@pubkit"
        name = (target.published or "image").rsplit("/", 1)[-1]
        self.inline[cid] = InlineImage(cid, data, _SUBTYPES[fmt], name)
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
        """The absolute address of a link in ``article`` (mail has no relative links)."""
        target = self.ctx.links(article).link(url)
        if target.kind is Kind.FILE and not self.publisher(article).add(target):
            return None
        return target.url

    def page_url(self, article: Article) -> str:
        return page_url(article, self.ctx)

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
