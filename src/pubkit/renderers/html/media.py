"""The web page's references: the site's link decisions, in the page's relative terms.

Every link and picture is decided by the article's
:class:`~pubkit.site.links.LinkResolver`; the page takes the relative
``href``, and each local file it shows or links to is handed over for
publishing under the web path the site index gave it.

A local photo or drawing is also published in a few widths, as WebP and in
its own format (:mod:`pubkit.media.variants`, under the names
:func:`pubkit.site.outputs.variant_path` gives them), and shown by a
``<picture>`` whose ``srcset`` lets the browser take the copy it needs.
Copies come from the context's :class:`~pubkit.media.cache.ImageCache`, so
a picture several pages show, or a rebuild, makes each copy once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from pubkit.media import Picture, PictureFacts
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.renderers.files import Publisher
from pubkit.site import outputs
from pubkit.site.links import Kind

if TYPE_CHECKING:
    from pubkit.media.variants import Spec


@dataclass(frozen=True)
class Shown:
    """How the page shows one picture: its ``src``, its size, and the copies a browser may choose."""

    src: str
    width: int | None = None
    height: int | None = None
    srcset: str = ""
    """The copies in the picture's own format (``a-480w.….jpg 480w, …``), for ``<img>``."""
    sources: list[tuple[str, str]] = field(default_factory=list)
    """``(type, srcset)`` of the copies in other formats (WebP), for ``<source>``."""


@dataclass(frozen=True)
class Copies:
    """A picture's web copies: their files, and the path and width of each, by format."""

    files: dict[str, bytes]
    """Each copy's bytes, by web path (those ``present`` did not answer for, see :func:`copies`)."""
    sets: list[tuple[str, list[tuple[str, int]]]]
    """``(type, [(web path, width), ...])``: WebP first, the picture's own format last."""
    width: int
    height: int
    """The size of the widest copy (what ``<img>`` declares)."""
    kept: dict[str, int] = field(default_factory=dict)
    """The size of each copy already published, by web path (its bytes not fetched)."""
    facts: PictureFacts | None = None
    """What the copies were named and sized from."""

    def shown(self, page: str) -> Shown:
        """How web page ``page`` (web-root-relative) shows the picture, with links from there."""
        def srcset(entries: list[tuple[str, int]]) -> str:
            return ", ".join(f"{outputs.relative_href(page, path)} {width}w" for path, width in entries)

        own = self.sets[-1][1]
        return Shown(outputs.relative_href(page, own[-1][0]), self.width, self.height, srcset(own),
                     [(kind, srcset(entries)) for kind, entries in self.sets[:-1]])


def copies(picture: Picture, published: str, ctx: RenderContext,
           present: Callable[[str], int | None] | None = None) -> Copies:
    """The web copies of ``picture`` (published at ``published``), from ``ctx``'s image cache.

    The one rule for them: an article's page and the cards of the site's own
    pages show the same files.  ``present`` gives the size of a copy (by web
    path) that is published already, whose bytes are then not fetched: its
    name is a hash of them.
    """
    from pubkit.media import variants as v

    made = _copies(picture.facts(), published, ctx, present,
                   lambda spec: partial(v.make, picture.data, spec))
    assert made is not None
    return made


def known_copies(facts: PictureFacts, published: str, ctx: RenderContext,
                 present: Callable[[str], int | None]) -> Copies | None:
    """The copies of the picture ``facts`` describes, when ``present`` says all are published
    already (so nothing is read or decoded); None when one is not."""
    return _copies(facts, published, ctx, present, None)


def _copies(facts: PictureFacts, published: str, ctx: RenderContext,
            present: Callable[[str], int | None] | None,
            maker: Callable[[Spec], Callable[[], bytes]] | None) -> Copies | None:
    from pubkit.media import variants as v

    settings = ctx.settings.images
    widths = v.widths_for(facts.width, settings.widths)
    files: dict[str, bytes] = {}
    kept: dict[str, int] = {}
    sets: list[tuple[str, list[tuple[str, int]]]] = []
    for kind in v.formats_for(facts.type):
        entries = []
        for width in widths:
            spec = v.spec_for(facts.width, facts.height, width, kind, settings.webp_quality,
                              settings.jpeg_quality)
            key = v.key(facts.digest, spec)
            path = outputs.variant_path(published, width, kind.extension, key)
            size = present(path) if present is not None else None
            if size is not None:
                kept[path] = size
            elif maker is None:
                return None
            else:
                files[path] = ctx.images.get(key, maker(spec), partial(v.valid, spec=spec))
            entries.append((path, width))
        sets.append((kind.type, entries))
    top = widths[-1]
    return Copies(files, sets, top, max(1, round(facts.height * top / facts.width)), kept, facts)


class PageMedia:
    """Resolves an article's references for its web page."""

    def __init__(self, article: Article, ctx: RenderContext) -> None:
        self.article = article
        self.ctx = ctx
        self.resolver = ctx.links(article)
        self.publisher = Publisher(ctx, article)
        self.copies: dict[str, bytes] = {}
        self.facts: dict[str, PictureFacts] = {}
        """The pictures given copies, by site path: the build keeps them for the site's pages."""

    @property
    def published(self) -> dict[str, bytes]:
        return {**self.publisher.files, **self.copies}

    def image(self, image: n.Image) -> str | None:
        return self.picture(image.src)

    def picture(self, src: str) -> str | None:
        """The ``src`` of a picture, or None (warned) when it is left out."""
        shown = self.shown(src)
        return shown.src if shown else None

    def shown(self, src: str) -> Shown | None:
        """How the page shows the picture ``src``, or None (warned) when it is left out."""
        target = self.resolver.image(src)
        if target.kind is Kind.DROPPED or target.href is None:
            return None
        if target.kind is not Kind.FILE:
            return Shown(target.href)
        if not self.publisher.add(target, picture=True):
            return None
        picture = self.publisher.pictures.get(target.published or "")
        if picture is None or target.published is None:
            return Shown(target.href)
        if not self.ctx.settings.images.responsive:
            return Shown(target.href, picture.width, picture.height)
        from pubkit.media.variants import scalable

        if not scalable(picture.type, picture.frames):  # SVG, animations: as they are
            return Shown(target.href, picture.width, picture.height)
        made = copies(picture, target.published, self.ctx)
        self.copies.update(made.files)
        if target.file is not None and made.facts is not None:
            self.facts[target.file] = made.facts
        return made.shown(self.resolver.page)

    def link(self, url: str) -> str | None:
        """The ``href`` of a link, or None to keep only its words."""
        target = self.resolver.link(url)
        if target.kind is Kind.FILE and not self.publisher.add(target):
            return None
        return target.href

    def absolute(self, href: str | None, written: str, picture: bool = False) -> str | None:
        """The address of a reference whose page ``href`` is known, for HTML placed elsewhere."""
        if href is None:
            return None
        target = self.resolver.image(written) if picture else self.resolver.link(written)
        return target.in_document or href
