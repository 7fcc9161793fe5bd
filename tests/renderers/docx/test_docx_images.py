"""Pictures in Word documents: kept, converted or left out with a warning naming the line."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from pubkit.renderers.docx.images import ImageRefused, prepare
from tests.renderers.docx.test_docx import render


def emf(width: int = 100, height: int = 50) -> bytes:
    """A minimal Enhanced Metafile: a header record and an end record."""
    header = struct.pack("<II4i4iIIIIHHIII2i2i", 1, 88, 0, 0, width, height, 0, 0, width * 26,
                         height * 26, 0x464D4520, 0x10000, 108, 2, 1, 0, 0, 0, 0, 1024, 768,
                         320, 240)
    return header + struct.pack("<IIIII", 14, 20, 0, 16, 20)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 32), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 90, 120)).save(out, format=fmt)
    return out.getvalue()


def test_formats_word_shows_are_kept_byte_for_byte() -> None:
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif")):
        data = image_bytes(fmt)
        picture = prepare(data)
        assert (picture.ext, picture.blob) == (ext, data)
    # Windows metafiles cannot be decoded (so checked) here, and have carried exploits.
    with pytest.raises(ImageRefused, match="Windows metafile"):
        prepare(emf())


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "ICO"])
def test_other_raster_formats_become_png(fmt: str) -> None:
    picture = prepare(image_bytes(fmt, (64, 64), mode="RGBA" if fmt == "ICO" else "RGB"))
    assert picture.ext == "png"
    assert Image.open(io.BytesIO(picture.blob)).size == (64, 64)


def test_svg_is_rasterised_without_reading_outside_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(image_bytes("PNG", (10, 10)))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="100" height="50"><image xlink:href="{secret}" width="100" height="50"/></svg>')
    picture = prepare(svg.encode())
    image = Image.open(io.BytesIO(picture.blob)).convert("RGBA")
    assert image.size == (200, 100)  # drawn at twice its size for print
    assert image.getextrema()[3] == (0, 0)  # fully transparent: the file was not pulled in
    assert picture.width_emu == 100 * 9525


@pytest.mark.parametrize("data, reason", [
    (image_bytes("PNG")[:60], "truncated"),
    (b"this is not a picture\n", "not an image format"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>", "unreadable SVG"),
])
def test_unreadable_pictures_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        prepare(data)


def test_svg_is_kept_as_vector_without_entities_scripts_or_handlers() -> None:
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY big "entity-text">]>'
           b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="x()">'
           b'<script>alert(1)</script><text y="10">&big;</text>'
           b'<rect width="40" height="20" fill="#0b5a7a"/></svg>')
    picture = prepare(svg)
    assert picture.ext == "png" and picture.vector is not None
    assert b"<rect" in picture.vector
    for gone in (b"entity-text", b"script", b"onload", b"ENTITY"):
        assert gone not in picture.vector


def test_document_is_written_whole_around_bad_pictures(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content" / "img").mkdir(parents=True)
    (root / "content" / "img" / "diagram.emf").write_bytes(emf())
    (root / "content" / "img" / "lead.jpg").write_bytes(image_bytes("JPEG", (800, 400)))
    (root / "content" / "img" / "bad.svg").write_bytes(b"<svg><g></svg>")
    dot = base64.b64encode(image_bytes("PNG", (4, 4))).decode()
    (root / "content" / "a.md").write_text(
        "---\ntitle: Pictures\nimage: img/lead.jpg\nimage_alt: Lead picture\n---\n\n"
        "![Diagram](img/diagram.emf)\n\n"
        "![Broken vector](img/bad.svg)\n\n"
        "![Remote](https://example.org/x.png)\n\n"
        f"![Inline dot](data:image/png;base64,{dot})\n\n"
        "![](img/lead.jpg)\n\n"
        "Closing words.\n"
    )
    data, warnings = render(root, "a.md")
    document = docx.Document(io.BytesIO(data))
    shapes = list(document.inline_shapes)
    assert [s._inline.docPr.get("descr") for s in shapes] == ["Lead picture", ""]
    # No alt text: marked decorative (Word's accessibility checker), not unlabelled.
    assert [bool(s._inline.docPr.xpath(".//*[local-name()='decorative'][@val='1']"))
            for s in shapes] == [False, True]
    assert any("a.md:7:" in w and "diagram.emf" in w and "Windows metafile" in w for w in warnings)
    assert any("a.md:9:" in w and "bad.svg" in w for w in warnings)
    assert any("a.md:11:" in w and "remote resources are off" in w for w in warnings)
    # data: addresses are left out in every format alike (the web page cannot carry them).
    assert any("a.md:13:" in w and "left out image 'data:image/png" in w for w in warnings)
    texts = [p.text for p in document.paragraphs]
    assert "Broken vector" in texts and "Remote" in texts and "Inline dot" in texts
    assert texts[-2] == "Closing words."
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    assert "emf" not in types


def test_photos_are_turned_upright_by_their_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90 degrees clockwise to view
    out = io.BytesIO()
    Image.new("RGB", (80, 40), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    picture = prepare(out.getvalue())
    assert picture.ext == "jpeg"
    upright = Image.open(io.BytesIO(picture.blob))
    assert upright.size == (40, 80) and upright.getexif().get(0x0112, 1) == 1
    assert picture.height_emu == 2 * picture.width_emu


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_truncated_files_are_refused_even_when_pillow_would_pad_them(fmt: str) -> None:
    from PIL import ImageFile

    data = image_bytes(fmt, (300, 200), mode="RGB")
    assert prepare(data).blob == data
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint sets it on import
    try:
        with pytest.raises(ImageRefused, match="truncated"):
            prepare(data[: len(data) * 2 // 3])
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved
