"""The site's icons: any checked picture made a square PNG, fitted, centred and without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pubkit.media import Picture, inspect_picture
from pubkit.media.icons import TAB, TOUCH, make_icon
from pubkit.media.strip import strip

ACCENT = "#e8f3f7"


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def checked(data: bytes, name: str) -> Picture:
    picture = inspect_picture(data, name)
    assert isinstance(picture, Picture), picture
    return picture


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def wide_logo() -> bytes:
    """A 200 x 50 red bar on transparency: a clinic's logo with its name beside it."""
    return encoded(Image.new("RGBA", (200, 50), (200, 0, 0, 255)), "PNG")


def test_a_wide_logo_is_fitted_and_centred_not_cropped() -> None:
    icon = opened(make_icon(checked(wide_logo(), "logo.png"), TAB))
    assert icon.format == "PNG" and icon.size == (32, 32) and icon.mode == "RGBA"
    # 200 x 50 fitted into 32: 32 x 8, centred: rows 12 to 19 red, the rest transparent.
    assert icon.getpixel((16, 0))[3] == 0 and icon.getpixel((16, 31))[3] == 0
    assert icon.getpixel((16, 16)) == (200, 0, 0, 255)
    assert icon.getpixel((0, 16))[3] == 255 and icon.getpixel((31, 16))[3] == 255  # whole width


def test_the_home_screen_icon_is_opaque_on_the_accent_colour() -> None:
    icon = opened(make_icon(checked(wide_logo(), "logo.png"), TOUCH, ACCENT))
    assert icon.size == (180, 180) and icon.mode == "RGB"  # iOS paints transparency black
    assert icon.getpixel((90, 2)) == (0xE8, 0xF3, 0xF7)
    assert icon.getpixel((90, 90)) == (200, 0, 0)


def test_a_tall_or_tiny_picture_fills_the_square_its_way() -> None:
    tall = opened(make_icon(checked(encoded(Image.new("RGB", (10, 40), (0, 0, 255)), "PNG"),
                                    "tall.png"), TAB))
    assert tall.getpixel((16, 0)) == (0, 0, 255, 255) and tall.getpixel((0, 16))[3] == 0
    tiny = opened(make_icon(checked(encoded(Image.new("RGB", (1, 1), (0, 128, 0)), "PNG"),
                                    "dot.png"), TOUCH, ACCENT))
    assert tiny.size == (180, 180) and tiny.getpixel((0, 0)) == (0, 128, 0)  # scaled up


@pytest.mark.parametrize("name, data", [
    ("logo.jpg", encoded(Image.new("RGB", (64, 64), (10, 120, 200)), "JPEG", quality=95)),
    ("logo.webp", encoded(Image.new("RGB", (64, 64), (10, 120, 200)), "WEBP", lossless=True)),
    ("logo.ico", encoded(Image.new("RGB", (64, 64), (10, 120, 200)), "ICO", sizes=[(16, 16), (64, 64)])),
    ("logo.bmp", encoded(Image.new("RGB", (64, 64), (10, 120, 200)), "BMP")),
])
def test_every_kind_of_raster_picture_makes_an_icon(name: str, data: bytes) -> None:
    icon = opened(make_icon(checked(data, name), TAB))
    assert icon.size == (32, 32)
    red, green, blue, alpha = icon.getpixel((16, 16))
    assert alpha == 255 and abs(red - 10) < 8 and abs(green - 120) < 8 and abs(blue - 200) < 8


def test_an_animation_gives_its_first_frame() -> None:
    frames = [Image.new("P", (20, 20), 0), Image.new("P", (20, 20), 1)]
    for frame in frames:
        frame.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    picture = checked(data, "spin.gif")
    assert picture.frames == 2
    assert opened(make_icon(picture, TAB)).getpixel((16, 16)) == (255, 0, 0, 255)


def test_a_drawing_is_drawn_from_its_checked_raster() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
           b'<rect width="40" height="20" fill="#00ff00"/></svg>')
    picture = checked(svg, "logo.svg")
    icon = opened(make_icon(picture, TAB))
    assert icon.size == (32, 32)
    assert icon.getpixel((16, 16)) == (0, 255, 0, 255) and icon.getpixel((16, 0))[3] == 0


def test_an_icon_carries_no_metadata_and_is_the_same_each_time() -> None:
    photo = Image.new("RGB", (64, 64), (1, 2, 3))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker with a secret"
    data = encoded(photo, "PNG", exif=exif.tobytes(), pnginfo=None)
    picture = checked(data, "logo.png")
    first, second = make_icon(picture, TOUCH, ACCENT), make_icon(picture, TOUCH, ACCENT)
    assert first == second and strip(first, "image/png") == first
    assert b"secret" not in first and b"eXIf" not in first
