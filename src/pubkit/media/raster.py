"""Raster pictures: the structure walked, every frame decoded, under a pixel budget.

The size a file claims is checked before anything is decoded (a 30000x30000
PNG of 100 kB is refused at its header, as are animations whose frames add up
past the budget), then every frame is decoded in full by Pillow.  Pillow's
own bomb check is not relied on (it is a process-wide setting), and its
truncation check is forced on while decoding: WeasyPrint, loaded in the same
process for PDFs, sets ``ImageFile.LOAD_TRUNCATED_IMAGES`` and Pillow then
pads a cut-off file with grey.  PNG, JPEG, GIF and WebP are also walked chunk
by chunk: a file that ends early is refused, and bytes after the format's end
(where polyglot files hide a second format) are cut off.  Web formats are then published with
their compressed pixels as they are, less their metadata (:mod:`.strip`; a photo whose EXIF
turns it is re-encoded upright); CMYK JPEGs (shown wrongly or not at all by several readers) are
re-encoded as RGB, and BMP, TIFF, icons and multi-picture JPEGs become PNG
or JPEG.
"""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from pubkit.media import sniff as s
from pubkit.media.strip import orientation, strip
from pubkit.media.types import Picture, Refusal

MAX_PIXELS = 50_000_000
"""Pixels of one frame (a 50-megapixel phone photo; about 200 MB once decoded)."""
MAX_FRAMES = 1000
"""Frames of an animation."""
MAX_TOTAL_PIXELS = 200_000_000
"""Pixels decoded across all frames of an animation."""
MAX_JPEG_SCANS = 500
"""Scans of a progressive JPEG (each one is a pass over the whole picture)."""
JPEG_QUALITY = 92

_KEEP = {s.PNG, s.JPEG, s.GIF, s.WEBP}
# What Pillow raises on damaged or hostile files (fuzzed input reaches odd corners).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
                  ZeroDivisionError, struct.error, MemoryError, OverflowError, AttributeError)


def inspect_raster(data: bytes, kind: s.Sniffed) -> Picture | Refusal:
    """``data`` (sniffed as the raster ``kind``) checked and decoded, or why not."""
    if kind in _KEEP:
        end = _END_OF[kind.type](data)
        if isinstance(end, Refusal):
            return end
        data = data[:end]  # bytes after the end are not part of the picture
    if kind is s.ICO:
        inner = _icon_pictures_too_large(data)
        if inner:
            return inner
    from PIL import Image

    try:
        with _strict():
            image = _open(data, kind)
    except (*_DECODE_ERRORS, Image.DecompressionBombError) as exc:
        return Refusal(f"unreadable {_name(kind)} ({_why(exc)})")
    with image:
        width, height = image.size
        if width <= 0 or height <= 0:
            return Refusal(f"{kind.label} of {width}x{height} pixels")
        if width * height > MAX_PIXELS:
            return Refusal(f"{kind.label} of {width}x{height} pixels, more than the limit of "
                           f"{MAX_PIXELS // 1_000_000} megapixels")
        try:
            frames = _decode_all(image, kind)
        except _Refused as exc:
            return Refusal(str(exc))
        except (*_DECODE_ERRORS, Image.DecompressionBombError) as exc:
            return Refusal(f"unreadable {_name(kind)} ({_why(exc)})")
        try:
            return _publishable(data, kind, image, frames)
        except _DECODE_ERRORS as exc:
            return Refusal(f"{_name(kind)} could not be converted ({_why(exc)})")


class _Refused(Exception):
    pass


def _open(data: bytes, kind: s.Sniffed) -> Any:
    """The Pillow image of ``data`` as exactly ``kind`` (never another plugin's guess)."""
    from PIL import (
        BmpImagePlugin,
        GifImagePlugin,
        IcoImagePlugin,
        JpegImagePlugin,
        PngImagePlugin,
        TiffImagePlugin,
        WebPImagePlugin,
    )

    # The plugin classes themselves, not Image.open(): that would also apply
    # Pillow's process-wide bomb limit, which pubkit replaces with its own.
    opener: dict[str, Callable[[io.BytesIO], Any]] = {
        s.PNG.type: PngImagePlugin.PngImageFile,
        s.JPEG.type: JpegImagePlugin.jpeg_factory,
        s.GIF.type: GifImagePlugin.GifImageFile,
        s.WEBP.type: WebPImagePlugin.WebPImageFile,
        s.BMP.type: BmpImagePlugin.BmpImageFile,
        s.TIFF.type: TiffImagePlugin.TiffImageFile,
        s.ICO.type: IcoImagePlugin.IcoImageFile,
    }
    return opener[kind.type](io.BytesIO(data))


def _decode_all(image: Any, kind: s.Sniffed) -> int:
    """Decode every frame (strictly: a cut-off frame is an error, not grey); the number of frames."""
    with _strict():
        return _decode_frames(image, kind)


@contextlib.contextmanager
def _strict() -> Iterator[None]:
    """Pillow's truncation check on, whatever WeasyPrint (or anyone) set it to.

    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is one process-wide flag, so decodes here
    take a lock while it is off; another thread's decode during that time is
    at worst stricter, and every picture pubkit hands WeasyPrint came through here.
    """
    from PIL import ImageFile

    with _strict_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's asides on odd files; a refusal says what matters
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


_strict_lock = threading.Lock()


def _decode_frames(image: Any, kind: s.Sniffed) -> int:
    width, height = image.size
    # A multi-picture JPEG (a camera's stereo or depth pair) publishes its main picture only.
    claimed = 1 if image.format == "MPO" else int(getattr(image, "n_frames", 1) or 1)
    if claimed > MAX_FRAMES:
        raise _Refused(f"animated {_name(kind)} of {claimed} frames, more than the limit of {MAX_FRAMES}")
    if claimed * width * height > MAX_TOTAL_PIXELS:
        raise _Refused(f"animated {_name(kind)} of {claimed} frames of {width}x{height} pixels, "
                       f"more than {MAX_TOTAL_PIXELS // 1_000_000} megapixels in all")
    for frame in range(claimed):
        if frame:
            image.seek(frame)
        if image.size[0] * image.size[1] > MAX_PIXELS:
            raise _Refused(f"a frame of {image.size[0]}x{image.size[1]} pixels in {kind.label}")
        image.load()
    if claimed > 1:
        image.seek(0)
        image.load()
    return claimed


def _publishable(data: bytes, kind: s.Sniffed, image: Any, frames: int) -> Picture:
    """What is published of a decoded picture: its pixels, upright, without its metadata."""
    turn = orientation(image) if frames == 1 else 1
    if getattr(image, "_tile_orientation", None):
        turn = 1  # older Pillow releases (10.x) turn a TIFF themselves as they load it
    icc = image.info.get("icc_profile") or None
    if kind in _KEEP and image.format == "JPEG" and image.mode in ("CMYK", "YCCK"):
        # Its profile describes inks, not the RGB it becomes, so it is not carried over.
        return _encode(_upright(image.convert("RGB"), turn), s.JPEG, None)
    if kind in _KEEP and image.format in ("PNG", "JPEG", "GIF", "WEBP"):
        if turn == 1:
            width, height = image.size
            return Picture(strip(data, kind.type), kind.type, kind.extension, width, height, frames)
        same = {"JPEG": s.JPEG, "WEBP": s.WEBP}.get(image.format, s.PNG)
        return _encode(_upright(image, turn), same, icc)
    if image.format == "MPO":  # a camera's stereo or depth pair: the main picture only
        image.seek(0)
        return _encode(_upright(image.convert("RGB"), turn), s.JPEG, icc)
    keep_alpha = image.mode in ("RGBA", "LA", "PA", "P", "La", "RGBa") or "transparency" in image.info
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # deep grey: scale to 8 bits
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    return _encode(_upright(image.convert("RGBA" if keep_alpha else "RGB"), turn), s.PNG, icc)


def _upright(image: Any, turn: int) -> Any:
    """``image`` turned as its EXIF orientation ``turn`` says (the EXIF itself is not kept)."""
    from PIL import Image

    steps = {2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180],
             4: [Image.Transpose.FLIP_TOP_BOTTOM], 5: [Image.Transpose.TRANSPOSE],
             6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE],
             8: [Image.Transpose.ROTATE_90]}.get(turn, [])
    for step in steps:
        image = image.transpose(step)
    return image


def _encode(image: Any, kind: s.Sniffed, icc: bytes | None) -> Picture:
    """``image`` saved as ``kind`` with its colour profile and nothing else of its metadata."""
    out = io.BytesIO()
    extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if kind is s.JPEG:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=JPEG_QUALITY, **extra)
    elif kind is s.WEBP:
        image.save(out, format="WEBP", quality=JPEG_QUALITY, **extra)
    else:
        image.save(out, format="PNG", **extra)
    width, height = image.size
    # Pillow carries some of what it read (a JPEG comment) into what it writes.
    return Picture(strip(out.getvalue(), kind.type), kind.type, kind.extension, width, height)


def _name(kind: s.Sniffed) -> str:
    return kind.label.split(" ", 1)[1] if kind.label.startswith(("a ", "an ")) else kind.label


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# ------------------------------------------------------------ structure walkers
def _png_end(data: bytes) -> int | Refusal:
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        pos += 12 + length
        if ctype == b"IEND":
            return pos if pos <= len(data) else Refusal("truncated PNG image")
    return Refusal("truncated PNG image (it ends before its IEND chunk)")


def _jpeg_end(data: bytes) -> int | Refusal:
    pos, scans = 2, 0
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return Refusal("unreadable JPEG image (a segment does not start with a marker)")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scans += 1
            if scans > MAX_JPEG_SCANS:
                return Refusal(f"a JPEG image of more than {MAX_JPEG_SCANS} scans")
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return Refusal("truncated JPEG image")
                nxt = data[pos + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    pos += 1 if nxt == 0xFF else 2
                    continue
                break
    if pos + 2 <= n and data[pos:pos + 2] == b"\xff\xd9":
        return pos + 2
    return Refusal("truncated JPEG image (it ends before its end marker)")


def _gif_end(data: bytes) -> int | Refusal:
    truncated = Refusal("truncated GIF image")
    if len(data) < 13:
        return truncated
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:
            return pos + 1
        if block == 0x21:
            pos += 2
        elif block == 0x2C:
            if pos + 10 > len(data):
                return truncated
            local = data[pos + 9]
            pos += 10 + (3 * (2 << (local & 7)) if local & 0x80 else 0) + 1  # + LZW code size
        else:
            return Refusal("unreadable GIF image (an unknown block)")
        while True:  # sub-blocks up to the empty one
            if pos >= len(data):
                return truncated
            size = data[pos]
            pos += 1 + size
            if size == 0:
                break
    return Refusal("truncated GIF image (it ends before its trailer)")


def _webp_end(data: bytes) -> int | Refusal:
    size = int.from_bytes(data[4:8], "little")
    end = 8 + size + (size & 1)
    if len(data) < 8 + size:
        return Refusal("truncated WebP image")
    return min(end, len(data))


def _icon_pictures_too_large(data: bytes) -> Refusal | None:
    """An icon's PNG entries carry their own size, which Pillow only learns by decoding them."""
    (count,) = struct.unpack("<H", data[4:6])
    for i in range(min(count, 256)):
        entry = data[6 + 16 * i:22 + 16 * i]
        if len(entry) < 16:
            return Refusal("truncated icon file")
        (offset,) = struct.unpack("<I", entry[12:16])
        if data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and len(data) >= offset + 24:
            width, height = struct.unpack(">II", data[offset + 16:offset + 24])
            if width * height > MAX_PIXELS:
                return Refusal(f"an icon file holding a picture of {width}x{height} pixels, more "
                               f"than the limit of {MAX_PIXELS // 1_000_000} megapixels")
    return None


_END_OF: dict[str, Callable[[bytes], int | Refusal]] = {
    s.PNG.type: _png_end, s.JPEG.type: _jpeg_end, s.GIF.type: _gif_end, s.WEBP.type: _webp_end,
}
