"""The web site's icons: a checked picture (the logo, or the site's own icon file) made square.

A browser tab shows a 32-pixel icon and a phone's home screen a
180-pixel one (``apple-touch-icon``), whatever the logo's shape: the
picture is scaled to fit the square, never cropped, and centred on it.
The tab's icon keeps the logo's transparency; the home screen's is
opaque, on the brand's accent colour, because iOS paints a transparent
icon's background black.  Each is a pure function of the checked bytes,
written as a PNG without metadata.
"""

from __future__ import annotations

import io

from pubkit.media.strip import strip
from pubkit.media.types import Picture

TAB = 32
"""Pixels a side of the icon every page declares for its tab (``rel="icon"``)."""
TOUCH = 180
"""Pixels a side of the home-screen icon (``rel="apple-touch-icon"``)."""


def make_icon(picture: Picture, side: int, background: str | None = None) -> bytes:
    """``picture`` fitted into a ``side`` x ``side`` PNG, on ``background`` (``#rrggbb``) or
    transparent.  An SVG is drawn from the raster its check made; an animation shows its first
    frame; an ICO its largest size."""
    from PIL import Image

    from pubkit.media.raster import _open, _strict
    from pubkit.media.sniff import sniff

    data = picture.raster if picture.raster is not None else picture.data
    with _strict(), _open(data, sniff(data)) as image:
        image.seek(0)
        image.load()
        rgba = image.convert("RGBA")
    scale = side / max(rgba.width, rgba.height)
    size = (max(1, round(rgba.width * scale)), max(1, round(rgba.height * scale)))
    fitted = rgba.resize(size, Image.Resampling.LANCZOS)
    fill = (0, 0, 0, 0) if background is None else (*_rgb(background), 255)
    canvas = Image.new("RGBA", (side, side), fill)
    canvas.alpha_composite(fitted, ((side - size[0]) // 2, (side - size[1]) // 2))
    out = io.BytesIO()
    (canvas if background is None else canvas.convert("RGB")).save(out, format="PNG", optimize=True)
    return strip(out.getvalue(), "image/png")


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three numbers (the settings' pattern has checked its form)."""
    value = int(colour.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF
