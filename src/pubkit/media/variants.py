"""A web page's copies of a picture: a few widths, as WebP and in the picture's own format.

A browser given ``srcset`` downloads only the copy it needs (a phone the
480-pixel WebP, not the 4000-pixel photo).  What copies a picture gets is
decided here from its width and the settings (:func:`widths_for`,
:func:`formats_for`); what they are called is :func:`pubkit.site.outputs.variant_path`.
Each copy is a pure function of the picture's bytes and its :class:`Spec`,
so its :func:`key` names it in any cache (:mod:`pubkit.media.cache`), and
:func:`valid` says whether bytes found in one can be what :func:`make` would
have made.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from pubkit.media import sniff as s
from pubkit.media.strip import strip
from pubkit.media.types import SCALED_TYPES

ENCODER = "1"
"""Bumped whenever :func:`make` makes different bytes for the same input (a new cache key)."""
_FALLBACK = {s.JPEG.type: s.JPEG, s.WEBP.type: s.WEBP}
"""The format a picture's own-format copies use (PNG for the rest: PNG and still GIFs)."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One copy: its width and height in pixels, its format and the encoder's quality."""

    width: int
    height: int
    type: str
    extension: str
    quality: int


def scalable(mime: str, frames: int) -> bool:
    """Whether a picture of type ``mime`` gets copies (still raster pictures; not SVG, not animations)."""
    return mime in SCALED_TYPES and frames == 1


def widths_for(width: int, wanted: list[int]) -> list[int]:
    """The widths of a ``width``-pixel picture's copies: those wanted that are narrower, and its own
    width when it is no wider than the widest wanted (never wider than the picture)."""
    chosen = sorted({w for w in wanted if w < width})
    if width <= max(wanted):
        chosen.append(width)
    return chosen


def formats_for(mime: str) -> list[s.Sniffed]:
    """WebP first (for browsers that take it), then the picture's own format (for all)."""
    own = _FALLBACK.get(mime, s.PNG)
    return [s.WEBP] if own is s.WEBP else [s.WEBP, own]


def spec_for(width: int, height: int, copy_width: int, kind: s.Sniffed, webp_quality: int,
             jpeg_quality: int) -> Spec:
    """The copy ``copy_width`` pixels wide of a ``width`` x ``height`` picture, as ``kind``."""
    copy_height = max(1, round(height * copy_width / width))
    quality = webp_quality if kind is s.WEBP else jpeg_quality if kind is s.JPEG else 0
    return Spec(copy_width, copy_height, kind.type, kind.extension, quality)


def key(digest: str, spec: Spec) -> str:
    """The name of the copy ``spec`` of the picture whose bytes hash to ``digest`` (sha256, hex)."""
    from PIL import __version__ as pillow

    blob = f"{ENCODER}|{pillow}|{digest}|{spec.width}x{spec.height}|{spec.type}|{spec.quality}"
    return hashlib.sha256(blob.encode()).hexdigest()


def make(data: bytes, spec: Spec) -> bytes:
    """The copy ``spec`` of the picture ``data`` (checked by :func:`pubkit.media.inspect_picture`)."""
    from PIL import Image

    from pubkit.media.raster import _open, _strict

    with _strict():
        image = _open(data, s.sniff(data))
        with image:
            if image.format == "JPEG":  # decode at a fraction of the size when that is enough
                image.draft(image.mode, (spec.width, spec.height))
            image.load()
            icc = image.info.get("icc_profile") or None
            alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
                image.mode == "P" and "transparency" in image.info)
            grey = image.mode in ("L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
            if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # deep grey: 8 bits
                image = image.convert("I").point(lambda v: v / 256).convert("L")
            target = _mode(spec.type, alpha, grey)
            if image.mode != target:
                # A profile of one colour space does not describe another.
                icc = icc if _space(image.mode) == _space(target) else None
                image = image.convert(target)
            scaled = image.resize((spec.width, spec.height), Image.Resampling.LANCZOS)
    return strip(_save(scaled, spec, icc), spec.type)


def _mode(mime: str, alpha: bool, grey: bool) -> str:
    if mime == s.JPEG.type:
        return "L" if grey else "RGB"
    if mime == s.WEBP.type:
        return "RGBA" if alpha else "RGB"  # WebP holds no grey
    return ("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB")


def _space(mode: str) -> str:
    return "grey" if mode in ("L", "LA") else "rgb"


def _save(image: Any, spec: Spec, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if spec.type == s.WEBP.type:
        image.save(out, format="WEBP", quality=spec.quality, method=4, **extra)
    elif spec.type == s.JPEG.type:
        image.save(out, format="JPEG", quality=spec.quality, optimize=True, progressive=True, **extra)
    else:
        image.save(out, format="PNG", **extra)
    return out.getvalue()


def valid(data: bytes, spec: Spec) -> bool:
    """Whether ``data`` (from a cache, which pubkit does not trust) can be the copy ``spec``: of its
    type and size by its header, whole by its structure (nothing missing, nothing after its end),
    and without metadata.  No pixel is decoded: a rebuild from the cache stays cheap."""
    from pubkit.media.raster import _DECODE_ERRORS, _END_OF, _open, _strict

    kind = s.sniff(data)
    walk = _END_OF.get(kind.type)
    if kind.type != spec.type or walk is None or walk(data) != len(data):
        return False
    try:
        with _strict(), _open(data, kind) as image:
            size = image.size
    except _DECODE_ERRORS:
        return False
    return size == (spec.width, spec.height) and strip(data, spec.type) == data
