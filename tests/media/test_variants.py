"""A web page's copies of a picture: their widths, formats and sizes, for every kind of picture."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pubkit.media import Picture, inspect_picture
from pubkit.media import sniff as s
from pubkit.media import variants as v
from tests.media import photos


def test_widths_are_never_wider_than_the_picture() -> None:
    wanted = [480, 960, 1440]
    assert v.widths_for(4000, wanted) == [480, 960, 1440]
    assert v.widths_for(1440, wanted) == [480, 960, 1440]
    assert v.widths_for(1000, wanted) == [480, 960, 1000]  # its own width, when narrower than 1440
    assert v.widths_for(300, wanted) == [300]
    assert v.widths_for(960, [1440, 480, 960, 480]) == [480, 960]


def test_formats_webp_first_then_the_pictures_own() -> None:
    assert v.formats_for("image/jpeg") == [s.WEBP, s.JPEG]
    assert v.formats_for("image/png") == [s.WEBP, s.PNG]
    assert v.formats_for("image/gif") == [s.WEBP, s.PNG]
    assert v.formats_for("image/webp") == [s.WEBP]
    assert not v.scalable("image/gif", 3) and not v.scalable("image/svg+xml", 1)


def _grey_with_alpha() -> bytes:
    image = Image.new("LA", (640, 480), (90, 255))
    image.paste((200, 0), (0, 0, 320, 480))  # the left half see-through
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


CASES = {
    "photo": (photos.jpeg(), "RGB"),
    "cmyk": (photos.jpeg(mode="CMYK"), "RGB"),
    "grey 16-bit": (photos.png(mode="I;16"), "L"),
    "palette with transparency": (photos.gif(size=(640, 480)), "RGBA"),
    "grey with alpha": (_grey_with_alpha(), "LA"),
    "webp": (photos.webp(), "RGB"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_of_picture_gets_correct_copies(case: str) -> None:
    data, own_mode = CASES[case]
    picture = inspect_picture(data)
    assert isinstance(picture, Picture)
    for kind in v.formats_for(picture.type):
        spec = v.spec_for(picture.width, picture.height, 480, kind, 80, 85)
        copy = v.make(picture.data, spec)
        assert s.sniff(copy) is kind
        image = Image.open(io.BytesIO(copy))
        image.load()
        assert image.size == (480, 360)
        assert photos.SECRET not in copy and dict(image.getexif()) == {}
        if kind is not s.WEBP:
            assert image.mode == own_mode, (case, image.mode)
        elif own_mode in ("RGBA", "LA"):
            assert image.mode == "RGBA"  # transparency survives into WebP
        assert v.valid(copy, spec)
        # A copy of another size, or another format, is not this one.
        other = v.spec_for(picture.width, picture.height, 240, kind, 80, 85)
        assert not v.valid(copy, other)


def test_a_copy_is_the_same_bytes_every_time() -> None:
    picture = inspect_picture(photos.jpeg())
    assert isinstance(picture, Picture)
    spec = v.spec_for(picture.width, picture.height, 480, s.WEBP, 80, 85)
    assert v.make(picture.data, spec) == v.make(picture.data, spec)


def test_the_key_changes_with_every_input() -> None:
    spec = v.Spec(480, 360, "image/webp", "webp", 80)
    keys = {v.key("a" * 64, spec), v.key("b" * 64, spec),
            v.key("a" * 64, v.Spec(481, 360, "image/webp", "webp", 80)),
            v.key("a" * 64, v.Spec(480, 360, "image/jpeg", "jpg", 80)),
            v.key("a" * 64, v.Spec(480, 360, "image/webp", "webp", 81))}
    assert len(keys) == 5


def test_bytes_with_metadata_or_cut_short_are_not_a_valid_copy() -> None:
    picture = inspect_picture(photos.jpeg())
    assert isinstance(picture, Picture)
    spec = v.spec_for(picture.width, picture.height, 480, s.JPEG, 80, 85)
    copy = v.make(picture.data, spec)
    assert not v.valid(copy[: len(copy) // 2], spec)
    with_exif = io.BytesIO()
    Image.open(io.BytesIO(copy)).save(with_exif, "JPEG", exif=photos.exif().tobytes())
    assert not v.valid(with_exif.getvalue(), spec)
    assert not v.valid(b"<svg/>", spec)
