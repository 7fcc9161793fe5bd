"""Media inspection: what pubkit publishes of a picture or linked file, and why it leaves one out.

Every renderer hands the bytes it read to one of two entry points and gets
back either what to publish (possibly sanitised or re-encoded, with the type
sniffed from the bytes and the extension to publish it under) or a
:class:`Refusal` whose reason the renderer prints as
``path:line: warning: left out 'x.png': <reason>`` (:func:`left_out`) before
writing the rest of the document:

- :func:`inspect_picture`: raster pictures decoded in full under a pixel
  budget (:mod:`.raster`), SVG rebuilt from an allow-list and drawn once
  within a time budget (:mod:`.svg`); anything else is not a picture.
- :func:`inspect_attachment`: a linked local file is published only when it is
  a picture (as above), a PDF without active content (:mod:`.pdf`) or plain
  text; HTML, XML, scripts, programs, archives and office files never are.

The type always comes from the bytes (:mod:`.sniff`); a name is used only to
be more careful, and to keep a plain-text file's own extension.  Results are
kept for the life of the process (bounded in bytes), so the several formats
of one build inspect each file once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TypeVar

from pubkit.media import sniff as s
from pubkit.media.types import Attachment, Picture, PictureFacts, Refusal, left_out, published_name

__all__ = ["Attachment", "Picture", "PictureFacts", "Refusal", "inspect_attachment", "inspect_picture",
           "left_out", "published_name"]

TEXT_EXTENSIONS = frozenset({"txt", "text", "csv", "tsv", "md"})
"""Plain text keeps its own extension only when it is one of these (others become ``.txt``)."""
CACHE_BYTES = 64 * 1024 * 1024
_R = TypeVar("_R", Picture | Refusal, Picture | Attachment | Refusal)
"""What an inspection gives back besides a refusal."""
_HINTS = {
    "image/wmf": "it cannot be checked and has carried exploits; export it as SVG or PNG",
    "image/emf": "it cannot be checked and has carried exploits; export it as SVG or PNG",
    "image/heif": "convert it to JPEG or PNG",
}


def inspect_picture(data: bytes, name: str = "") -> Picture | Refusal:
    """The picture to publish from ``data`` (named ``name``), or why it is left out."""
    result = _cached("picture", data, "", lambda: _picture(data))
    assert not isinstance(result, Attachment)
    return _named_truly(result, data, name)


def inspect_attachment(data: bytes, name: str = "") -> Picture | Attachment | Refusal:
    """The linked file to publish from ``data`` (named ``name``), or why it is left out."""
    ext = _extension(name)
    return _named_truly(_cached("attachment", data, ext, lambda: _attachment(data, ext)), data, name)


TRUE_NAMES: dict[s.Sniffed, frozenset[str]] = {
    s.PNG: frozenset({"png"}), s.JPEG: frozenset({"jpg", "jpeg", "jpe"}), s.GIF: frozenset({"gif"}),
    s.WEBP: frozenset({"webp"}), s.BMP: frozenset({"bmp", "dib"}), s.TIFF: frozenset({"tif", "tiff"}),
    s.ICO: frozenset({"ico"}), s.SVG: frozenset({"svg"}), s.SVGZ: frozenset({"svgz"}),
    s.PDF: frozenset({"pdf"}),
}
"""The extensions a file of each kind may be named with (plain text may have any inactive one)."""


def _named_truly(result: _R, data: bytes, name: str) -> _R:
    """``result``, unless ``name`` says the file is something else (a PNG named ``.jpg``).

    A file is published under its own name, the one address every format
    links to, and a web server announces its type from that name: a name
    that lies is a mislabelled file, left out in every format alike, with
    the name to give it.
    """
    ext = _extension(name)
    if isinstance(result, Refusal) or not ext:
        return result
    kind = s.sniff(data)
    allowed = TRUE_NAMES.get(kind)
    if allowed is None or ext in allowed:
        return result
    shown = PurePosixPath(name.replace("\\", "/")).name
    true_ext = kind.extension if kind.extension in allowed else min(allowed)
    return Refusal(f"its name says .{ext} but it holds {kind.label}; "
                   f"rename it {published_name(shown, true_ext)}")


def _picture(data: bytes) -> Picture | Refusal:
    kind = s.sniff(data)
    if kind in s.RASTER:
        from pubkit.media.raster import inspect_raster

        return inspect_raster(data, kind)
    if kind.type == s.SVG.type:
        from pubkit.media.svg import inspect_svg

        return inspect_svg(data, kind)
    hint = _HINTS.get(kind.type)
    return Refusal(f"not an image format pubkit publishes: {kind.label}" + (f" ({hint})" if hint else ""))


def _attachment(data: bytes, ext: str) -> Picture | Attachment | Refusal:
    kind = s.sniff(data)
    if kind in s.RASTER or kind.type == s.SVG.type:
        return _picture(data)
    if kind is s.PDF:
        from pubkit.media.pdf import inspect_pdf

        cleaned = inspect_pdf(data)
        if isinstance(cleaned, Refusal):
            return cleaned
        return Attachment(cleaned, s.PDF.type, s.PDF.extension)
    if kind is s.TEXT:
        if ext in s.ACTIVE_EXTENSIONS:
            return Refusal(f"plain text named '.{ext}', which a web server would treat as "
                           "active content")
        if s.looks_active(data):
            return Refusal("a text file holding HTML markup or a script address")
        return Attachment(data, "text/plain; charset=utf-8", ext if ext in TEXT_EXTENSIONS else "txt")
    hint = _HINTS.get(kind.type)
    return Refusal(f"{kind.label}, which pubkit does not publish (only pictures, PDF documents "
                   "and plain text)" + (f"; {hint}" if hint else ""))


def _extension(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    return base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


_cache: OrderedDict[tuple[str, str, str], Picture | Attachment | Refusal] = OrderedDict()
_cache_size = 0
_cache_lock = threading.Lock()


def _cached(kind: str, data: bytes, extra: str,
            compute: Callable[[], Picture | Attachment | Refusal]) -> Picture | Attachment | Refusal:
    global _cache_size
    key = (kind, hashlib.sha256(data).hexdigest(), extra)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = compute()
    size = _weight(result)
    with _cache_lock:
        if size <= CACHE_BYTES // 4 and key not in _cache:
            _cache[key] = result
            _cache_size += size
            while _cache_size > CACHE_BYTES:
                _, old = _cache.popitem(last=False)
                _cache_size -= _weight(old)
    return result


def _weight(result: Picture | Attachment | Refusal) -> int:
    if isinstance(result, Refusal):
        return 256
    raster = getattr(result, "raster", None) or b""
    return len(result.data) + len(raster) + 256
