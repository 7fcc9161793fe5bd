"""SVG: rebuilt from an allow-list, counted, and drawn once within a budget.

The file is parsed without entities, DTDs or the network (lxml, ``huge_tree``
off), and a new drawing is built from what the allow-lists in
:mod:`pubkit.media.svg_names` name: nothing else survives (no script, no
``foreignObject``, no event handler, no animation that could rewrite a link,
no stylesheet with ``@import`` or ``url()`` to anything but ``#id``, no
``href`` to a file or host; embedded ``data:`` pictures only when they are
raster pictures that pass :mod:`pubkit.media.raster`).  Because the output is
built rather than filtered, a trick the lists did not foresee is dropped,
not let through.

Then the drawing is costed: elements, and what ``<use>``, ``url(#id)`` and
markers make of them once expanded (a "billion laughs" of nested ``<use>``
is refused here in microseconds), and finally drawn by resvg in a child
process within :data:`pubkit.media.draw.DRAW_SECONDS` (see there).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import re
from typing import Any

from pubkit.media import draw, raster
from pubkit.media import sniff as s
from pubkit.media.svg_names import (
    ATTRIBUTES,
    CSS_AT_RULES,
    CSS_FUNCTIONS,
    ELEMENTS,
    HREF_ELEMENTS,
    NAMESPACED,
    SVG_NS,
    UNWRAPPED,
    XLINK_NS,
)
from pubkit.media.types import Picture, Refusal

MAX_ELEMENTS = 50_000
"""Elements of a drawing as written."""
MAX_DRAWN = 200_000
"""Elements drawn once every ``<use>``, ``url(#id)`` and marker is expanded."""
MAX_SIDE = 100_000.0
"""CSS pixels of the longest side."""
DRAW_ZOOM = 2.0
"""The drawing check draws at twice the natural size (sharp in print) ..."""
DRAW_MAX_SIDE = 4000
"""... but at most this many pixels a side."""
DATA_LIMIT = 10 * 1024 * 1024
"""Bytes of one embedded ``data:`` picture."""

_HREF_LOCAL = re.compile(r"^#[A-Za-z_][\w.\-:]*$")
_DATA_PICTURE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,([A-Za-z0-9+/=\s]*)$", re.I)
_URL_CALL = re.compile(r"url\(", re.I)
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[A-Za-z_][\w.\-:]*\1\s*\)""", re.I)
_CSS_FUNCTION = re.compile(r"([A-Za-z_-][\w-]*)\s*\(")
_CSS_AT = re.compile(r"@([A-Za-z_-][\w-]*)")
_CSS_BANNED = ("javascript:", "vbscript:", "data:", "expression", "-moz-binding", "behavior",
               "-o-link", "binding")
_REF_ID = re.compile(r"""url\(\s*['"]?#([^'")\s]+)""")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"^\s*([0-9.eE+-]+)\s*(px|pt|pc|mm|cm|in)?\s*$")
_UNIT_PX = {"px": 1.0, None: 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
            "in": 96.0}
_MARKERS = ("marker-start", "marker-mid", "marker-end", "marker")


def inspect_svg(data: bytes, kind: s.Sniffed, seconds: float = draw.DRAW_SECONDS) -> Picture | Refusal:
    """A sanitised, costed and test-drawn copy of the SVG ``data``, or why not."""
    if kind is s.SVGZ:
        unpacked = s.gunzip(data)
        if unpacked is None:
            return Refusal("unreadable compressed SVG (damaged, or it unpacks to more than "
                           f"{s.SVGZ_LIMIT // (1024 * 1024)} MB)")
        data = unpacked
    built = sanitise(data)
    if isinstance(built, Refusal):
        return built
    svg, width, height = built
    zoom = min(DRAW_ZOOM, DRAW_MAX_SIDE / max(width, height, 1.0))
    try:
        png = draw.draw(svg, zoom, seconds=seconds)
    except draw.DrawFailed as exc:
        return Refusal(str(exc))
    return Picture(svg, s.SVG.type, s.SVG.extension, max(1, round(width)), max(1, round(height)),
                   raster=png)


def sanitise(data: bytes) -> tuple[bytes, float, float] | Refusal:
    """The allow-listed copy of an SVG and its size in CSS pixels, or why there is none."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             dtd_validation=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return Refusal(f"unreadable SVG ({_short(str(exc))})")
    except ValueError as exc:  # e.g. an encoding declaration lxml will not take
        return Refusal(f"unreadable SVG ({_short(str(exc))})")
    bare = root.tag == "svg"  # no namespace: read every unprefixed element as SVG
    if root.tag != f"{{{SVG_NS}}}svg" and not bare:
        return Refusal("not an SVG drawing (its root element is not <svg>)")
    builder = _Builder(bare)
    clean = builder.build(root)
    if isinstance(clean, Refusal):
        return clean
    size = _size(clean)
    if isinstance(size, Refusal):
        return size
    cost = _drawn_cost(clean)
    if isinstance(cost, Refusal):
        return cost
    svg = etree.tostring(clean, xml_declaration=True, encoding="UTF-8")
    return svg, size[0], size[1]


class _Builder:
    """Copies what the allow-lists name into a new tree."""

    def __init__(self, bare: bool) -> None:
        self.bare = bare
        self.count = 0

    def build(self, root: Any) -> Any:
        from lxml import etree

        self.etree = etree
        new = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS, "xlink": XLINK_NS})  # type: ignore[dict-item]  # None is lxml's key for the default namespace
        try:
            self._attributes(root, new, "svg")
            self._children(root, new)
        except _TooBig as exc:
            return Refusal(str(exc))
        return new

    def _local(self, element: Any) -> str | None:
        tag = element.tag
        if not isinstance(tag, str):
            return None
        if tag.startswith(f"{{{SVG_NS}}}"):
            return tag[len(SVG_NS) + 2:]
        if self.bare and not tag.startswith("{"):
            return tag
        return None

    def _children(self, source: Any, target: Any) -> None:
        _add_text(target, source.text)
        for child in source:
            local = self._local(child)
            if local in ELEMENTS:
                self._element(child, target, local)
            elif local in UNWRAPPED:
                self._children(child, target)
            _add_text(target, child.tail)

    def _element(self, source: Any, parent: Any, local: str) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise _TooBig(f"an SVG of more than {MAX_ELEMENTS} elements")
        if local == "style":
            css = "".join(source.itertext())
            if safe_css(css):
                style = self.etree.SubElement(parent, f"{{{SVG_NS}}}style")
                style.text = css
                if source.get("media") is not None and safe_css(source.get("media")):
                    style.set("media", source.get("media"))
            return
        element = self.etree.SubElement(parent, f"{{{SVG_NS}}}{local}")
        self._attributes(source, element, local)
        if local == "image" and element.get(f"{{{XLINK_NS}}}href") is None:
            parent.remove(element)  # an image of nothing (or of something refused)
            return
        if local in ("title", "desc"):
            element.text = "".join(source.itertext())
            return
        self._children(source, element)

    def _attributes(self, source: Any, target: Any, local: str) -> None:
        for name, value in source.attrib.items():
            if name in NAMESPACED:
                plain = NAMESPACED[name]
                if plain is None:
                    target.set(name, value)
                    continue
                name = plain
            elif name.startswith("{"):
                continue
            if name == "href":
                href = self._href(value, local)
                if href is not None:
                    target.set(f"{{{XLINK_NS}}}href", href)
            elif name == "style":
                if safe_css(value):
                    target.set(name, value)
            elif (name in ATTRIBUTES or name.startswith("aria-")) and _safe_value(value):
                target.set(name, value)

    def _href(self, value: str, local: str) -> str | None:
        value = value.strip()
        if local not in HREF_ELEMENTS:
            return None
        if _HREF_LOCAL.match(value):
            return value
        match = _DATA_PICTURE.match(value)
        if local != "image" or not match:
            return None
        try:
            data = base64.b64decode("".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(data) > DATA_LIMIT:
            return None
        kind = s.sniff(data)
        if kind not in s.RASTER:
            return None
        picture = raster.inspect_raster(data, kind)
        if isinstance(picture, Refusal):
            return None
        return f"data:{picture.type};base64,{base64.b64encode(picture.data).decode('ascii')}"


class _TooBig(Exception):
    pass


def _add_text(element: Any, text: str | None) -> None:
    if not text:
        return
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def safe_css(css: str) -> bool:
    """Whether a stylesheet or ``style`` value calls nothing outside the drawing.

    Conservative: escapes (which can spell any name), unknown functions and
    at-rules fail it whole, and the caller drops it.
    """
    if "\\" in css or "<" in css or "\x00" in css:
        return False
    low = css.lower()
    if any(word in low for word in _CSS_BANNED):
        return False
    if any(m.group(1) not in CSS_AT_RULES for m in _CSS_AT.finditer(low)):
        return False
    for call in _CSS_FUNCTION.finditer(low):
        name = call.group(1)
        if name == "url":
            if not _LOCAL_URL.match(low, call.start(1)):
                return False
        elif name not in CSS_FUNCTIONS:
            return False
    return True


def _safe_value(value: str) -> bool:
    low = value.lower()
    if "javascript:" in low or "vbscript:" in low or "data:" in low:
        return False
    urls = len(_URL_CALL.findall(value))
    return urls == 0 or urls == len(_LOCAL_URL.findall(value))


def _size(root: Any) -> tuple[float, float] | Refusal:
    """Width and height in CSS pixels, from the attributes or the viewBox (100 when unknown)."""
    box = (root.get("viewBox") or "").replace(",", " ").split()
    box_w = box_h = 100.0
    if len(box) == 4:
        with contextlib.suppress(ValueError):
            box_w, box_h = abs(float(box[2])) or 100.0, abs(float(box[3])) or 100.0
    width, height = _length(root.get("width"), box_w), _length(root.get("height"), box_h)
    if not all(math.isfinite(v) and 0 < v <= MAX_SIDE for v in (width, height, box_w, box_h)):
        return Refusal(f"an SVG whose size ({width:g}x{height:g}) is not between 0 and "
                       f"{MAX_SIDE:g} pixels")
    return width, height


def _length(value: str | None, default: float) -> float:
    match = _LENGTH.match(value or "")
    if not match:
        return default
    try:
        number = float(match.group(1))
    except ValueError:
        return default
    return number * _UNIT_PX[match.group(2)] or default


def _drawn_cost(root: Any) -> int | Refusal:
    """How many elements drawing ``root`` touches, every reference expanded (capped past the limit).

    Iterative, so neither a deep tree nor a long chain of references can
    exhaust Python's stack; a reference loop is refused.
    """
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    done: dict[Any, int] = {}
    active: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        element, expanded = stack.pop()
        if element in done:
            continue
        deps = _dependencies(element, by_id)
        if not expanded:
            if element in active:
                return Refusal("an SVG that refers to itself in a loop")
            active.add(element)
            stack.append((element, True))
            for dep, _ in deps:
                if dep in active and dep not in done:
                    return Refusal("an SVG that refers to itself in a loop")
                if dep not in done:
                    stack.append((dep, False))
            continue
        total = 1
        for dep, times in deps:
            total += done[dep] * times
            if total > MAX_DRAWN:
                total = MAX_DRAWN + 1
                break
        done[element] = total
        active.discard(element)
    cost = done[root]
    if cost > MAX_DRAWN:
        return Refusal(f"an SVG that draws more than {MAX_DRAWN} elements once its <use> and "
                       "other references are expanded")
    return cost


def _dependencies(element: Any, by_id: dict[str, Any]) -> list[tuple[Any, int]]:
    deps: list[tuple[Any, int]] = [(child, 1) for child in element]
    href = element.get(f"{{{XLINK_NS}}}href")
    if href and href.startswith("#") and href[1:] in by_id:
        deps.append((by_id[href[1:]], 1))
    vertices = 0
    for name, value in element.attrib.items():
        for ref in _REF_ID.findall(value):
            if ref not in by_id:
                continue
            times = 1
            if name in _MARKERS or (name == "style" and "marker" in value.lower()):
                if not vertices:
                    vertices = _vertices(element)
                times = vertices
            deps.append((by_id[ref], times))
    return deps


def _vertices(element: Any) -> int:
    numbers = sum(len(_NUMBER.findall(element.get(name) or "")) for name in ("d", "points"))
    return max(1, numbers // 2 + 1)


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "..."
