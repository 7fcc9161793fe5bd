"""Local images and links of an article, checked against the site boundary.

Renderers that publish companion files (the web page) copy what an article
references into ``media/`` beside the output; refused or missing references
become warnings naming the article's line, and the output renders without them.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from functools import cached_property
from pathlib import Path

from pubkit.media import Refusal, inspect_attachment, inspect_picture, left_out
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.text import slugify
from pubkit.model.visitor import walk
from pubkit.renderers.base import RenderContext
from pubkit.resources import Refused, is_remote
from pubkit.sanitize import is_safe_url

MEDIA_DIR = "media"


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "file"


class MediaCollector:
    """Resolves an article's references for a page written to ``<format>/<slug>.*``."""

    def __init__(self, article: Article, ctx: RenderContext, page_prefix: str = "") -> None:
        self.article = article
        self.ctx = ctx
        self.base = ctx.article_dir(article)
        self.prefix = page_prefix
        self.extras: dict[str, bytes] = {}

    @cached_property
    def heading_ids(self) -> set[str]:
        return {b.id for b in walk(self.article.body) if isinstance(b, n.Heading)}

    @cached_property
    def _line(self) -> dict[int | str, int | None]:
        return _first_lines(self.article)

    def copy_local(self, ref: str, line: int | None, picture: bool = False) -> str | None:
        """Copy a local file into ``media/``; its URL, or None when refused.

        What is copied is what :mod:`pubkit.media` makes of the file (a picture
        when ``picture``, else any linked file), under the extension its bytes call for.
        """
        try:
            path = self.ctx.resources.local_path(ref, self.base)
            checked = (inspect_picture if picture else inspect_attachment)(
                self.ctx.resources.read(path, ref=ref), path.name)
            if isinstance(checked, Refusal):
                raise Refused(checked.reason)
        except (Refused, OSError) as exc:
            self.ctx.warn(self.article, line, left_out(ref, exc))
            return None
        data = checked.data
        digest = hashlib.sha256(data).hexdigest()[:10]
        name = f"{MEDIA_DIR}/{digest}-{_safe_name(checked.published_name(path.name))}"
        self.extras[name] = data
        return self.prefix + name

    def image(self, image: n.Image) -> str | None:
        if is_remote(image.src):
            return image.src
        if not is_safe_url(image.src) or image.src.lower().startswith("data:"):
            self.ctx.warn(self.article, self._line.get(id(image)), f"left out image {image.src!r}")
            return None
        return self.copy_local(image.src, self._line.get(id(image)), picture=True)

    def link(self, url: str) -> str | None:
        if not is_safe_url(url):
            return None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or url.startswith("//"):
            return url
        if not parts.path:  # fragment within the article
            frag = urllib.parse.unquote(parts.fragment)
            if frag not in self.heading_ids and f"sec-{frag}" in self.heading_ids:
                return f"#sec-{frag}"
            return url
        path = urllib.parse.unquote(parts.path)
        if path.endswith(".md"):
            try:
                self.ctx.resources.local_path(parts.path, self.base)
            except Refused as exc:
                self.ctx.warn(self.article, self._line.get(url), f"link to {url!r} dropped: {exc}")
                return None
            frag = f"#{parts.fragment}" if parts.fragment else ""
            return f"{slugify(Path(path).stem)}.html{frag}"
        return self.copy_local(url, self._line.get(url))


def _first_lines(article: Article) -> dict[int | str, int | None]:
    """Source line of the block holding each image (by ``id()``) and link (by URL)."""
    lines: dict[int | str, int | None] = {}
    for block in walk(article.body):
        line = getattr(block, "line", None)
        for child in walk(getattr(block, "children", []) or []):
            if isinstance(child, n.Image):
                lines.setdefault(id(child), line)
            elif isinstance(child, n.Link):
                lines.setdefault(child.url, line)
    return lines
