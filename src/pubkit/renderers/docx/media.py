"""Pictures and links of a Word document: fetched safely, embedded once, drawn inline.

Files come only through the site's resource policy (inside the site, no
network unless allowed); anything refused or unreadable is left out with a
warning naming the article's line, and its alt text stays in the text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pubkit.media import left_out
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.text import slugify
from pubkit.renderers.base import RenderContext
from pubkit.renderers.docx.images import ImageRefused, Picture, prepare
from pubkit.renderers.docx.inlines import LinkTarget
from pubkit.renderers.docx.xml import clean
from pubkit.renderers.page_data import page_url
from pubkit.resources import Refused, is_remote
from pubkit.sanitize import is_safe_url

_DATA_IMAGE = re.compile(r"^data:image/[a-z0-9.+-]+;base64,(.*)$", re.I | re.S)
MAX_DATA_BYTES = 20 * 1024 * 1024
Warn = Callable[[int | None, str], None]
DECORATIVE = (
    '<a:extLst><a:ext uri="{C183D7F6-B498-43B3-948B-1728B52AA6E4}">'
    '<adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" '
    'val="1"/></a:ext></a:extLst>'
)
"""Marks a picture with empty alt text as decorative, so Word's accessibility check agrees."""
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


class DocxMedia:
    """Embeds pictures into a package; one image part per distinct picture."""

    def __init__(self, article: Article, ctx: RenderContext, package: Any, max_height: int,
                 warn: Warn) -> None:
        self.ctx = ctx
        self.base = ctx.article_dir(article)
        self.package = package
        self.max_height = max_height
        self.warn = warn
        self._parts: dict[str, Any] = {}
        self._pictures: dict[str, Picture | None] = {}
        self._drawing_id = 0

    def image(self, node: n.Image, part: Any, max_width: int, line: int | None) -> str | None:
        """A drawing run for ``node`` in ``part``, or None when the picture is left out."""
        picture = self.load(node.src, line)
        if picture is None:
            return None
        cx, cy = picture.fitted(max_width, self.max_height)
        return self.drawing(picture, part, cx, cy, node.alt, node.title)

    def load(self, src: str, line: int | None, base: Path | None = None) -> Picture | None:
        key = src if base is None else f"{base}\0{src}"
        if key in self._pictures:
            return self._pictures[key]
        picture = None
        try:
            picture = prepare(self._read(src, base or self.base), src)
        except (Refused, ImageRefused) as exc:
            self.warn(line, left_out(src[:200], exc))
        self._pictures[key] = picture
        return picture

    def _read(self, src: str, base: Path) -> bytes:
        data_uri = _DATA_IMAGE.match(src.strip())
        if data_uri:
            try:
                data = base64.b64decode(data_uri.group(1), validate=False)
            except (binascii.Error, ValueError):
                raise Refused("the data: URL is not valid base64") from None
            if len(data) > MAX_DATA_BYTES:
                raise Refused("the data: URL is too large")
            return data
        if not is_safe_url(src) or src.lower().startswith("data:"):
            raise Refused("not an image address pubkit reads")
        if is_remote(src):
            url = "https:" + src if src.startswith("//") else src
            return self.ctx.resources.fetch_remote(url)[0]
        return self.ctx.resources.read_local(src, base)

    def _part(self, blob: bytes, ext: str, content_type: str) -> Any:
        """The image part holding ``blob``, added to the package once."""
        from docx.parts.image import ImagePart

        key = hashlib.sha256(blob).hexdigest()
        image_part = self._parts.get(key)
        if image_part is None:
            name = self.package.next_partname(f"/word/media/image%d.{ext}")
            image_part = self._parts[key] = ImagePart(name, content_type, blob)
        return image_part

    def drawing(self, picture: Picture, part: Any, cx: int, cy: int, alt: str,
                title: str | None = None) -> str:
        """An inline picture run: the image part related to ``part``, alt text as description."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        image_part = self._part(picture.blob, picture.ext, picture.content_type)
        rid = part.relate_to(image_part, RT.IMAGE)
        blip = f'<a:blip r:embed="{rid}"/>'
        if picture.vector is not None:
            svg_rid = part.relate_to(self._part(picture.vector, "svg", "image/svg+xml"), RT.IMAGE)
            blip = (f'<a:blip r:embed="{rid}"><a:extLst><a:ext uri="{SVG_EXTENSION}">'
                    f'<asvg:svgBlip xmlns:asvg="{SVG_NS}" r:embed="{svg_rid}"/></a:ext>'
                    "</a:extLst></a:blip>")
        self._drawing_id += 1
        did = self._drawing_id
        descr = clean(" ".join(alt.split()))
        title_attr = f' title="{clean(title)}"' if title else ""
        ext = f'<wp:extent cx="{cx}" cy="{cy}"/>'
        return (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">{ext}'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{did}" name="Picture {did}" descr="{descr}"{title_attr}>'
            f"{'' if descr else DECORATIVE}</wp:docPr>"
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{did}" name="{image_part.partname.filename}" '
            f'descr="{descr}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f"<pic:blipFill>{blip}<a:stretch><a:fillRect/></a:stretch>"
            '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )


class DocxLinks:
    """Where a link of the article points from a Word document, read anywhere."""

    def __init__(self, article: Article, ctx: RenderContext, bookmarks: dict[str, str],
                 warn: Warn) -> None:
        self.article = article
        self.ctx = ctx
        self.base = ctx.article_dir(article)
        self.bookmarks = bookmarks
        self.page = page_url(article, ctx.settings)
        self.warn = warn

    def resolve(self, url: str) -> LinkTarget | None:
        url = url.strip()
        if not url or not is_safe_url(url):
            return None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme:
            return ("url", url)
        if url.startswith("//"):
            return ("url", "https:" + url)
        if not parts.path:  # a heading of this article
            frag = urllib.parse.unquote(parts.fragment)
            name = self.bookmarks.get(frag) or self.bookmarks.get(f"sec-{frag}")
            return ("anchor", name) if name else None
        path = urllib.parse.unquote(parts.path)
        if path.endswith(".md"):
            try:
                self.ctx.resources.local_path(parts.path, self.base)
            except Refused as exc:
                self.warn(None, f"link to {url!r} dropped: {exc}")
                return None
            frag = f"#{parts.fragment}" if parts.fragment else ""
            return ("url", urllib.parse.urljoin(self.page, f"{slugify(Path(path).stem)}.html{frag}"))
        # The document travels without its folder: point where the web page would.
        return ("url", urllib.parse.urljoin(self.page, url))


def heading_ids(blocks: list[n.Block]) -> list[str]:
    """Ids of every heading, wherever it sits (a full walk would visit every table cell too)."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, n.Heading):
            if block.id:
                found.append(block.id)
        elif isinstance(block, n.BlockQuote | n.ListItem):
            found += heading_ids(block.children)
        elif isinstance(block, n.BulletList | n.OrderedList):
            found += heading_ids(block.items)  # type: ignore[arg-type]
    return found


def bookmark_names(ids: list[str]) -> dict[str, str]:
    """Word bookmark names (letters, digits, ``_``; at most 40) for heading ids."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for ident in ids:
        base = re.sub(r"\W", "_", ident, flags=re.ASCII)[:36] or "sec"
        if not base[0].isalpha():
            base = "h" + base[:35]
        name, i = base, 1
        while name in taken:
            i += 1
            name = f"{base}_{i}"
        taken.add(name)
        names[ident] = name
    return names
