"""Pictures as phones and editors make them: GPS position in the EXIF, XMP, IPTC, comments.

Every secret is spelled with :data:`SECRET` so a test can look for it in the
raw bytes of any output, whatever format or container carries it.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

SECRET = b"PUBKIT-PRIVATE"
"""Spelled in every piece of metadata below; no published picture may hold it."""
GPS = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}


def exif(orientation: int = 1) -> Image.Exif:
    """EXIF with a GPS position, a description, a camera and ``orientation``."""
    data = Image.Exif()
    data[0x010E] = SECRET.decode() + "-description"
    data[0x010F] = SECRET.decode() + "-camera"
    data[0x0112] = orientation
    gps = data.get_ifd(0x8825)
    gps.update(GPS)
    return data


def _xmp() -> bytes:
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
            b'22-rdf-syntax-ns#"><rdf:Description>' + SECRET + b"-xmp</rdf:Description></rdf:RDF>"
            b"</x:xmpmeta>")


def _pattern(mode: str, size: tuple[int, int]) -> Image.Image:
    """A picture that is not one flat colour (so that a wrong turn or crop shows)."""
    width, height = size
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 3))  # blue at the top left
    if mode == "I;16":  # 16-bit grey (Pillow before 11 converts to it from nothing but raw bytes)
        grey = image.convert("L").tobytes()
        return Image.frombytes("I;16", size, bytes(b for v in grey for b in (v, v)))
    return image.convert(mode) if mode != "RGB" else image


def jpeg(size: tuple[int, int] = (640, 480), orientation: int = 1, mode: str = "RGB") -> bytes:
    """A phone's JPEG: EXIF (GPS), XMP and IPTC segments and a comment."""
    out = io.BytesIO()
    _pattern(mode, size).save(out, "JPEG", exif=exif(orientation).tobytes(), quality=90)
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + _xmp()
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + struct.pack(">I", len(SECRET)) + SECRET
    extra = b"".join(b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body
                     for marker, body in ((0xE1, xmp), (0xED, iptc), (0xFE, SECRET + b"-comment")))
    return data[:2] + extra + data[2:]


def png(size: tuple[int, int] = (640, 480), mode: str = "RGB", orientation: int = 1) -> bytes:
    """A PNG with an eXIf chunk (GPS), an XMP iTXt chunk and a text chunk."""
    out = io.BytesIO()
    _pattern(mode, size).save(out, "PNG", exif=exif(orientation).tobytes())
    data = out.getvalue()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    extra = (chunk(b"tEXt", b"Comment\x00" + SECRET + b"-text")
             + chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + _xmp()))
    return data[:33] + extra + data[33:]  # after IHDR


def webp(size: tuple[int, int] = (640, 480), orientation: int = 1) -> bytes:
    out = io.BytesIO()
    _pattern("RGB", size).save(out, "WEBP", exif=exif(orientation).tobytes(), xmp=_xmp())
    return out.getvalue()


def gif(size: tuple[int, int] = (64, 48), frames: int = 1) -> bytes:
    """A palette GIF with a comment and transparency (``frames`` > 1: animated)."""
    pictures = [_pattern("RGB", size).convert("P") for _ in range(frames)]
    for i, picture in enumerate(pictures):
        picture.putpixel((i % size[0], 0), 0)
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=frames > 1, append_images=pictures[1:], comment=SECRET,
                     transparency=0, duration=100, loop=0)
    return out.getvalue()
