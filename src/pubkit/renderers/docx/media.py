"""Pictures and links of a Word document: fetched safely, embedded once, drawn inline.

Where each picture comes from and each link goes is the site's link
resolver's decision, as for every format.  Files come only through the
site's resource policy (inside the site, no network unless allowed);
anything refused or unreadable is left out with a warning naming the
article's line, and its alt text stays in the text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from pubkit.i18n import Translations
from pubkit.media import left_out
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.text import UniqueNames
from pubkit.renderers.alt import alt_text
from pubkit.renderers.base import RenderContext
from pubkit.renderers.docx.images import ImageRefused, Picture, prepare
from pubkit.renderers.docx.inlines import LinkTarget
from pubkit.renderers.docx.xml import clean
from pubkit.renderers.files import Publisher
from pubkit.resources import Refused
from pubkit.site.links import Kind, Target

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
                 warn: Warn, t: Translations) -> None:
        self.article = article
        self.t = t
        self.ctx = ctx
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
        alt = alt_text(node, self.ctx.settings.images.missing_alt, self.t)
        return self.drawing(picture, part, cx, cy, alt, node.title)

    def load(self, src: str, line: int | None, site_file: bool = False) -> Picture | None:
        """The picture ``src`` names (relative to the site root when ``site_file``), or None."""
        ref = "/" + src.lstrip("/") if site_file else src
        if ref in self._pictures:
            return self._pictures[ref]
        picture = None
        target = self.ctx.links(self.article).image(ref)
        try:
            data = self._read(target)
            picture = prepare(data, src) if data is not None else None
        except (Refused, ImageRefused) as exc:
            # The first line using the picture, as every format names it.
            first = self.ctx.links(self.article).line_of(target.written)
            self.warn(first or line, left_out(src[:200], exc))
        self._pictures[ref] = picture
        return picture

    def _read(self, target: Target) -> bytes | None:
        if target.kind is Kind.FILE and target.path is not None:
            return self.ctx.resources.read_checked(target.path, target.written)
        if target.kind is Kind.KEPT and target.url:
            return self.ctx.resources.fetch_remote(target.url)[0]
        return None  # dropped or broken: the resolver has said why

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
    """Where a link of the article points from a Word document, read anywhere.

    A heading of the article is a bookmark; everything else is the absolute
    address the link resolver gives (the document travels without its folder).
    """

    def __init__(self, article: Article, ctx: RenderContext, bookmarks: dict[str, str]) -> None:
        self.resolver = ctx.links(article)
        self.publisher = Publisher(ctx, article)
        self.bookmarks = bookmarks

    def resolve(self, url: str) -> LinkTarget | None:
        target = self.resolver.link(url)
        if target.kind is Kind.DROPPED:
            return None
        if target.anchor and target.anchor in self.bookmarks:
            return ("anchor", self.bookmarks[target.anchor])
        if target.kind is Kind.FILE and not self.publisher.add(target):
            return None
        return ("url", target.url) if target.url else None


def heading_ids(blocks: list[n.Block]) -> list[str]:
    """Ids of every heading, wherever it sits (a full walk would visit every table cell too)."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, n.Heading):
            if block.id:
                found.append(block.id)
        elif isinstance(block, n.BlockQuote | n.Callout | n.ListItem):
            found += heading_ids(block.children)
        elif isinstance(block, n.BulletList | n.OrderedList):
            found += heading_ids(block.items)  # type: ignore[arg-type]
    return found


def _numbered(base: str, i: int) -> str:
    """``base_i``, ``base`` cut so the whole stays within Word's 40 characters."""
    suffix = f"_{i}"
    return base[:40 - len(suffix)] + suffix


def bookmark_names(ids: list[str]) -> dict[str, str]:
    """Word bookmark names (letters, digits, ``_``; at most 40) for heading ids."""
    names: dict[str, str] = {}
    unique = UniqueNames(_numbered)
    for ident in ids:
        base = re.sub(r"\W", "_", ident, flags=re.ASCII)[:36] or "sec"
        if not base[0].isalpha():
            base = "h" + base[:35]
        names[ident] = unique(base)
    return names
