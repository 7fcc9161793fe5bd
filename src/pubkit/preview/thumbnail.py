"""A PNG of a built PDF's first page, for the preview dashboard.

PDFium (``pypdfium2``) is imported on first use only: a site that never runs
``pubkit serve`` never loads it.  PDFium is not thread-safe and the preview
server answers each request on its own thread, so every call into it holds
one lock.  Thumbnails are kept in memory by the PDF's size and modification
time, so a page reload rasterises only the handouts rebuilt since.
"""

from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from pathlib import Path

from pubkit.safeio import MEDIA_LIMIT, open_regular

WIDTH = 320
"""Pixels across: twice the width the dashboard shows it at, for sharp high-density screens."""
PDF_LIMIT = 4 * MEDIA_LIMIT
"""Largest PDF rasterised (a built handout is far smaller)."""
KEPT = 512
"""Thumbnails kept in memory (the oldest used is dropped first)."""

_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()


class NoThumbnail(Exception):
    """The PDF is missing, unreadable or not a PDF PDFium can open."""


def first_page_png(pdf: Path, width: int = WIDTH) -> bytes:
    """The first page of ``pdf`` as a PNG ``width`` pixels across, or :class:`NoThumbnail`.

    The file is opened as a regular file, never through a symbolic link (the
    caller has checked its resolved path is inside the output folder).
    """
    try:
        fd = open_regular(pdf, follow_symlinks=False)
    except OSError as exc:
        raise NoThumbnail(f"{pdf}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        key = (str(pdf), info.st_size, info.st_mtime_ns)
        with _lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        if info.st_size > PDF_LIMIT:
            raise NoThumbnail(f"{pdf}: larger than {PDF_LIMIT} bytes")
        data = fh.read(PDF_LIMIT + 1)
    png = _rasterise(data, width, str(pdf))
    with _lock:
        _cache[key] = png
        while len(_cache) > KEPT:
            _cache.popitem(last=False)
    return png


def _rasterise(data: bytes, width: int, shown: str) -> bytes:
    import pypdfium2 as pdfium

    with _lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise NoThumbnail(f"{shown}: {exc}") from None
        try:
            if len(document) == 0:
                raise NoThumbnail(f"{shown}: no pages")
            page = document[0]
            try:
                scale = width / max(page.get_width(), 1.0)
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
