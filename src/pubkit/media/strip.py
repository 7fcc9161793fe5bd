"""What a published picture carries besides its pixels: only what shows them right.

Photos from phones and cameras carry EXIF (the GPS position where a photo
was taken, the device, the time), XMP and IPTC (names, captions, edit
histories) and comments.  None of it helps a reader, and some of it tells
where a patient or a clinician was, so every picture pubkit publishes, in
every format, keeps only what its pixels need: the colour profile (ICC,
sRGB and gamma chunks), transparency, the palette, animation control and
the JPEG headers decoders read (JFIF, Adobe's colour transform).

Stripping is lossless: segments and chunks are dropped, the compressed
pixels are copied as they are.  The one piece of EXIF that changes how a
photo looks, its orientation, is applied first (:func:`orientation`; the
caller re-encodes such a picture turned upright), so a portrait photo stays
upright once its EXIF is gone.
"""

from __future__ import annotations

import struct
from typing import Any

_JPEG_KEEP_APP = {0xE0, 0xEE}
"""JFIF (APP0) and Adobe (APP14, which says whether the data is RGB or YCbCr)."""
_PNG_KEEP = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
})
"""Chunks that change how the pixels look or move; text, time and EXIF chunks go."""
_GIF_KEEP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")
"""Application extensions that loop an animation (XMP rides in another one)."""
_WEBP_KEEP = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def strip(data: bytes, mime: str) -> bytes:
    """``data`` (a checked picture of type ``mime``) without its metadata.

    The structure was walked before (:mod:`pubkit.media.raster`), so these
    walkers trust the lengths they read; they still stop at the end of the data.
    """
    walker = {"image/jpeg": _jpeg, "image/png": _png, "image/gif": _gif, "image/webp": _webp}.get(mime)
    return walker(data) if walker else data


def orientation(image: Any) -> int:
    """The EXIF orientation of a Pillow ``image`` (1, upright, when it has none or a bad one)."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block says nothing reliable: leave the picture as it is
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _jpeg(data: bytes) -> bytes:
    out = [data[:2]]
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or 0xD0 <= marker <= 0xD9:  # start of scan: the rest is pixels
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if _jpeg_keeps(marker, segment[4:18]):
            out.append(segment)
        pos += 2 + length
    out.append(data[pos:])
    return b"".join(out)


def _jpeg_keeps(marker: int, head: bytes) -> bool:
    if marker == 0xFE:  # comment
        return False
    if 0xE0 <= marker <= 0xEF:
        if marker == 0xE2:
            return head.startswith(b"ICC_PROFILE\x00")  # not MPF, FlashPix or others
        return marker in _JPEG_KEEP_APP
    return True  # tables, frame headers, restart intervals


def _png(data: bytes) -> bytes:
    out = [data[:8]]
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _gif(data: bytes) -> bytes:
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    out = [data[:pos]]
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:
            out.append(b"\x3b")
            break
        start = pos
        if block == 0x21:
            label = data[pos + 1]
            keep = label in (0xF9, 0x01) or (
                label == 0xFF and data[pos + 3:pos + 14] in _GIF_KEEP_APPS)
            pos += 2
        else:  # an image: its descriptor, local colour table and LZW code size, then data
            keep = True
            local = data[pos + 9]
            pos += 10 + (3 * (2 << (local & 7)) if local & 0x80 else 0) + 1
        while pos < len(data):
            size = data[pos]
            pos += 1 + size
            if size == 0:
                break
        if keep:
            out.append(data[start:pos])
    return b"".join(out)


def _webp(data: bytes) -> bytes:
    chunks = []
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4:pos + 8])
        end = pos + 8 + size + (size & 1)
        chunk = data[pos:end]
        if kind == b"VP8X" and len(chunk) >= 9:
            chunk = chunk[:8] + bytes([chunk[8] & ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF]) + chunk[9:]
        if kind in _WEBP_KEEP:
            chunks.append(chunk)
        pos = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
