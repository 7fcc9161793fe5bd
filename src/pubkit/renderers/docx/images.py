"""Pictures for Word: read through the site boundary, checked, converted, embedded.

Word shows PNG, JPEG and GIF everywhere, so those are kept byte for byte
once Pillow has decoded them whole (a truncated file or a text file named
``.png`` is refused here, not in the reader's word processor).  EMF and WMF
are Word's own vector formats and are kept too.  SVG is cleaned (no
external references, so it cannot pull files from outside the site; no
scripts or event handlers; entities never expanded), rasterised with resvg
for every reader, and kept as SVG for Word 2016 and later; WebP, BMP, TIFF,
ICO and the rest become PNG.  Anything else is refused with the reason, and the caller leaves the
picture out with a warning naming the line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

EMU_PER_INCH = 914400
ORIENTATION = 0x0112  # EXIF tag
DEFAULT_DPI = 96
SVG_MAX_PIXELS = 4000
"""Longest side of a rasterised SVG, in pixels (twice its size for sharp print, at most this)."""

_KEEP = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg"), "GIF": ("gif", "image/gif")}
_VECTOR = {"EMF": ("emf", "image/x-emf"), "WMF": ("wmf", "image/x-wmf")}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|mm|cm|in)?\s*$")
_UNIT_PX = {"px": 1.0, None: 1.0, "pt": 96 / 72, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


# What Pillow raises on damaged or hostile files (fuzzed input reaches odd corners).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
                  ZeroDivisionError, struct.error, Image.DecompressionBombError,
                  Image.DecompressionBombWarning)


class ImageRefused(Exception):
    """The bytes are not a picture Word can show, and cannot be made one."""


@dataclass(frozen=True, slots=True)
class Picture:
    """Image bytes ready for a ``word/media`` part, with their natural size."""

    blob: bytes
    ext: str
    content_type: str
    width_emu: int
    height_emu: int
    vector: bytes | None = None
    """The cleaned SVG a rasterised picture came from: Word 2016 and later draw it instead."""

    def fitted(self, max_width: int, max_height: int) -> tuple[int, int]:
        """Display size: natural size, shrunk (never enlarged) to fit the box."""
        scale = min(1.0, max_width / max(self.width_emu, 1), max_height / max(self.height_emu, 1))
        return max(int(self.width_emu * scale), 1), max(int(self.height_emu * scale), 1)


def prepare(data: bytes) -> Picture:
    """A :class:`Picture` from any image bytes, or :class:`ImageRefused` saying why."""
    if _looks_like_svg(data):
        return _from_svg(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format or ""
            if fmt in _VECTOR:
                # Pillow names both metafile kinds WMF; EMF carries its signature at 40.
                ext, ctype = _VECTOR["EMF" if data[40:44] == b" EMF" else fmt]
                return Picture(data, ext, ctype, *_size(image))
            image.load()
    except UnidentifiedImageError:
        raise ImageRefused("not an image format that can be read") from None
    except _DECODE_ERRORS as exc:
        raise ImageRefused(f"unreadable {fmt or 'image'} ({exc})") from None
    if fmt in _KEEP and not _complete(fmt, data):
        raise ImageRefused(f"unreadable {fmt} (image file is truncated)")
    try:
        if fmt in _KEEP and _orientation(image) == 1:
            ext, ctype = _KEEP[fmt]
            return Picture(data, ext, ctype, *_size(image))
        if fmt == "JPEG":
            return _upright_jpeg(image)
        upright = ImageOps.exif_transpose(image)
        upright.info.setdefault("dpi", image.info.get("dpi"))
        return _to_png(upright)
    except _DECODE_ERRORS as exc:
        raise ImageRefused(f"{fmt} could not be converted ({exc})") from None


def _complete(fmt: str, data: bytes) -> bool:
    """Whether a file kept byte for byte ends as its format requires.

    Pillow alone cannot say: WeasyPrint, loaded in the same process for PDFs,
    sets ``ImageFile.LOAD_TRUNCATED_IMAGES`` and Pillow then pads a cut-off
    file with grey instead of failing.
    """
    if fmt == "PNG":
        return b"IEND\xaeB`\x82" in data
    if fmt == "JPEG":  # the image's end marker, after its scan (not an EXIF thumbnail's)
        return data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") > 0
    if fmt == "GIF":
        return data.rstrip(b"\x00").endswith(b";")
    return True


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION, 1))
    except (ValueError, TypeError, SyntaxError, OSError):
        return 1


def _upright_jpeg(image: Image.Image) -> Picture:
    """A phone photo turned by its EXIF orientation, which Word does not apply."""
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=92, dpi=image.info.get("dpi", (DEFAULT_DPI,) * 2))
    upright.info["dpi"] = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))
    return Picture(out.getvalue(), "jpeg", "image/jpeg", *_size(upright))


def _size(image: Image.Image) -> tuple[int, int]:
    dpi = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))
    try:
        x_dpi, y_dpi = (float(d) for d in dpi)
    except (TypeError, ValueError):
        x_dpi = y_dpi = DEFAULT_DPI
    # Files often carry nonsense resolutions (0, 1, 72000); fall back to screen size.
    x_dpi = x_dpi if 50 <= x_dpi <= 1200 else DEFAULT_DPI
    y_dpi = y_dpi if 50 <= y_dpi <= 1200 else DEFAULT_DPI
    return (int(image.width * EMU_PER_INCH / x_dpi), int(image.height * EMU_PER_INCH / y_dpi))


def _to_png(image: Image.Image, dpi: float | None = None) -> Picture:
    """``image`` (its first frame) as PNG; its size from ``dpi`` or the file's own resolution."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info else "RGB"
    converted = image.convert(mode)
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=False)
    if dpi is None:
        width, height = _size(image)
    else:
        width, height = int(image.width * EMU_PER_INCH / dpi), int(image.height * EMU_PER_INCH / dpi)
    return Picture(out.getvalue(), "png", "image/png", width, height)


# ------------------------------------------------------------------------ SVG
def _looks_like_svg(data: bytes) -> bool:
    if data[:2] == b"\x1f\x8b":  # svgz
        try:
            data = gzip.decompress(data[:1_000_000])[:4096]
        except (OSError, EOFError):
            return False
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head


def _from_svg(data: bytes) -> Picture:
    from lxml import etree

    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ImageRefused(f"unreadable SVGZ ({exc})") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageRefused(f"unreadable SVG ({exc})") from None
    _drop_external_references(root)
    width, height = _svg_size(root)
    zoom = min(2.0, SVG_MAX_PIXELS / max(width, height, 1))
    svg = etree.tostring(root, encoding="unicode")
    try:
        import resvg_py

        png = resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom)
    except (ValueError, RuntimeError) as exc:
        raise ImageRefused(f"SVG could not be drawn ({exc})") from None
    except BaseException as exc:
        # A panic inside the Rust renderer arrives as pyo3's PanicException (a BaseException).
        if type(exc).__name__ != "PanicException":
            raise
        raise ImageRefused(f"SVG could not be drawn ({exc})") from None
    try:
        image = Image.open(io.BytesIO(bytes(png)))
        image.load()
    except _DECODE_ERRORS as exc:
        raise ImageRefused(f"SVG could not be drawn ({exc})") from None
    return dataclasses.replace(_to_png(image, dpi=DEFAULT_DPI * zoom), vector=svg.encode())


def _drop_external_references(root) -> None:  # type: ignore[no-untyped-def]
    """Remove links to anything outside the SVG itself (files, URLs), keeping ``#id`` and
    data, and anything active (scripts, event handlers): the SVG travels inside the document."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.getparent() is not None:
                element.getparent().remove(element)
            continue
        if element.tag.rsplit("}", 1)[-1] in ("script", "foreignObject"):
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            local = name.rsplit("}", 1)[-1]
            value = element.attrib[name].strip()
            external = local == "href" and not (value.startswith("#")
                                                 or value.lower().startswith("data:image/"))
            if external or local.lower().startswith("on"):
                del element.attrib[name]


def _svg_size(root) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Width and height in CSS pixels, from the attributes or the viewBox (100 when unknown)."""
    box = (root.get("viewBox") or "").replace(",", " ").split()
    box_w = box_h = 100.0
    if len(box) == 4:
        with contextlib.suppress(ValueError):
            box_w, box_h = abs(float(box[2])) or 100.0, abs(float(box[3])) or 100.0
    return _length(root.get("width"), box_w), _length(root.get("height"), box_h)


def _length(value: str | None, default: float) -> float:
    match = _LENGTH.match(value or "")
    if not match:
        return default
    return float(match.group(1)) * _UNIT_PX[match.group(2)] or default
