"""Every published picture loses its metadata (EXIF with GPS, XMP, IPTC, comments), keeps its
pixels, its colour profile and its transparency, and stays upright."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from pubkit.media import Picture, inspect_picture
from pubkit.media.strip import strip
from tests.media import photos

MAKERS = {"jpeg": photos.jpeg, "png": photos.png, "webp": photos.webp, "gif": photos.gif}


def _published(data: bytes) -> Picture:
    result = inspect_picture(data)
    assert isinstance(result, Picture), result
    return result


def _no_metadata(data: bytes) -> Image.Image:
    assert photos.SECRET not in data
    image = Image.open(io.BytesIO(data))
    image.load()
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "photoshop"} & set(image.info)
    return image


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_metadata_is_gone_and_the_pixels_are_the_same(kind: str) -> None:
    original = MAKERS[kind]()
    assert photos.SECRET in original  # the control: the maker put it there
    picture = _published(original)
    image = _no_metadata(picture.data)
    before = Image.open(io.BytesIO(original)).convert("RGBA")
    assert image.convert("RGBA").tobytes() == before.tobytes()  # lossless: no re-encoding
    assert (picture.width, picture.height) == before.size


def test_a_gif_keeps_its_transparency_and_an_animation_its_frames_and_loop() -> None:
    still = _no_metadata(_published(photos.gif()).data)
    assert still.info.get("transparency") == 0
    moving = _published(photos.gif(frames=3))
    assert moving.frames == 3
    image = _no_metadata(moving.data)
    assert getattr(image, "n_frames", 1) == 3 and image.info.get("loop") == 0


@pytest.mark.parametrize("kind", ["jpeg", "png", "webp"])
def test_a_turned_photo_is_published_upright(kind: str) -> None:
    turned = {"jpeg": photos.jpeg, "png": photos.png, "webp": photos.webp}[kind](orientation=6)
    picture = _published(turned)
    image = _no_metadata(picture.data)
    assert image.size == (480, 640) == (picture.width, picture.height)
    # Orientation 6: the camera was turned right, so the top left (blue) ends at the top right.
    r, g, b = image.convert("RGB").getpixel((470, 10))[:3]
    assert b > 150 and r < 100, (r, g, b)


def test_the_colour_profile_stays() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, "JPEG", icc_profile=profile,
                                           exif=photos.exif().tobytes())
    image = _no_metadata(_published(out.getvalue()).data)
    assert image.info.get("icc_profile") == profile
    png = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(png, "PNG", icc_profile=profile, exif=photos.exif().tobytes())
    assert _no_metadata(_published(png.getvalue()).data).info.get("icc_profile") == profile


def test_converted_pictures_carry_nothing_either() -> None:
    """CMYK JPEGs, 16-bit PNGs and TIFFs are re-encoded: what Pillow would copy over is gone too."""
    for data in (photos.jpeg(mode="CMYK"), photos.png(mode="I;16")):
        _no_metadata(_published(data).data)
    tiff = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(tiff, "TIFF", tiffinfo={0x0112: 6, 0x010E: "PUBKIT-PRIVATE"})
    picture = _published(tiff.getvalue())
    assert picture.type == "image/png" and (picture.width, picture.height) == (30, 40)
    _no_metadata(picture.data)


def test_strip_keeps_other_types_as_they_are() -> None:
    assert strip(b"<svg/>", "image/svg+xml") == b"<svg/>"
