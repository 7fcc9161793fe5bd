"""Pictures for Word: read through the site boundary, checked, converted, embedded.

What may be shown at all is :mod:`pubkit.media`'s decision, the same for
every format: it decodes pictures whole under a pixel budget, refuses
truncated, mislabelled and exploding files, and rebuilds SVG from an
allow-list.  Here the result is fitted to Word: PNG, JPEG and GIF are kept
byte for byte (phone photos turned upright by their EXIF orientation, which
Word ignores), WebP and the rest become PNG, and SVG is embedded as the
drawing the inspection made, with the cleaned SVG beside it for Word 2016
and later.  Windows metafiles (EMF, WMF) cannot be checked and are refused.
A refusal carries its reason, and the caller leaves the picture out with a
warning naming the line.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps

from pubkit.media import Picture as MediaPicture
from pubkit.media import Refusal, inspect_picture

EMU_PER_INCH = 914400
ORIENTATION = 0x0112  # EXIF tag
DEFAULT_DPI = 96

_KEEP = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg"), "GIF": ("gif", "image/gif")}


# What Pillow raises on damaged or hostile files (fuzzed input reaches odd corners).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
                  ZeroDivisionError, struct.error, Image.DecompressionBombError)


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


def prepare(data: bytes, name: str = "") -> Picture:
    """A :class:`Picture` from any image bytes, or :class:`ImageRefused` saying why.

    :func:`pubkit.media.inspect_picture` decides what may be shown at all
    (and has decoded every frame); this only fits the result to Word.
    """
    checked = inspect_picture(data, name)
    if isinstance(checked, Refusal):
        raise ImageRefused(checked.reason)
    if checked.type == "image/svg+xml":  # drawn by the inspection, kept as drawn
        return _from_svg(checked)
    data = checked.data
    try:
        image = Image.open(io.BytesIO(data))
        fmt = image.format or ""
        if fmt in _KEEP and _orientation(image) == 1:
            ext, ctype = _KEEP[fmt]
            return Picture(data, ext, ctype, *_size(image))
        image.load()
        if fmt == "JPEG":
            return _upright_jpeg(image)
        upright = ImageOps.exif_transpose(image)
        upright.info.setdefault("dpi", image.info.get("dpi"))
        return _to_png(upright)
    except _DECODE_ERRORS as exc:
        raise ImageRefused(f"{checked.extension.upper()} could not be converted ({exc})") from None


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
def _from_svg(checked: MediaPicture) -> Picture:
    """The drawing the inspection made (at its zoom), with the cleaned SVG for Word 2016 and later."""
    assert checked.raster is not None
    width = int(checked.width * EMU_PER_INCH / DEFAULT_DPI)
    height = int(checked.height * EMU_PER_INCH / DEFAULT_DPI)
    return Picture(checked.raster, "png", "image/png", width, height, vector=checked.data)
