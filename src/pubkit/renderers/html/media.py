"""The web page's references: the site's link decisions, in the page's relative terms.

Every link and picture is decided by the article's
:class:`~pubkit.site.links.LinkResolver`; the page takes the relative
``href``, and each local file it shows or links to is handed over for
publishing under the web path the site index gave it.
"""

from __future__ import annotations

from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.renderers.files import Publisher
from pubkit.site.links import Kind


class PageMedia:
    """Resolves an article's references for its web page."""

    def __init__(self, article: Article, ctx: RenderContext) -> None:
        self.article = article
        self.resolver = ctx.links(article)
        self.publisher = Publisher(ctx, article)

    @property
    def published(self) -> dict[str, bytes]:
        return self.publisher.files

    def image(self, image: n.Image) -> str | None:
        return self.picture(image.src)

    def picture(self, src: str) -> str | None:
        """The ``src`` of a picture, or None (warned) when it is left out."""
        target = self.resolver.image(src)
        if target.kind is Kind.FILE:
            return target.href if self.publisher.add(target, picture=True) else None
        return None if target.kind is Kind.DROPPED else target.href

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
