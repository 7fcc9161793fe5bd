"""The first page of a PDF as a PNG: PDFium on real WeasyPrint output, refusals, the cache."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from pubkit.preview.thumbnail import WIDTH, NoThumbnail, first_page_png

TWO_PAGES = """<style>@page { size: A5; margin: 0 } body { margin: 0 }
.a { height: 100vh; background: #d00000 } .b { height: 100vh; background: #0000d0 }</style>
<div class="a"></div><div class="b" style="break-before: page"></div>"""


def pdf(html: str) -> bytes:
    import weasyprint

    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


def colour(png: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixel = image.getpixel((image.width // 2, image.height // 2))
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def test_the_first_page_only_at_the_thumbnail_width(tmp_path: Path) -> None:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf(TWO_PAGES))
    png = first_page_png(path)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == WIDTH
    assert abs(image.height / image.width - 210 / 148) < 0.02  # A5, upright
    red, green, blue = colour(png)
    assert red > 180 and green < 60 and blue < 60  # page 1 is red; page 2 is blue


def test_a_rebuilt_pdf_is_rasterised_again_an_unchanged_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf(TWO_PAGES))
    first = first_page_png(path)
    assert first_page_png(path) is first  # kept by size and modification time
    path.write_bytes(pdf(TWO_PAGES.replace("#d00000", "#00a000")))
    os.utime(path, ns=(1, 1))  # a different stat even on a coarse clock
    again = first_page_png(path)
    assert again != first and colour(again)[1] > 120


@pytest.mark.parametrize("name, data", [("empty.pdf", b""), ("text.pdf", b"not a PDF at all"),
                                        ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<<")])
def test_what_is_not_a_pdf_has_no_thumbnail(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(NoThumbnail):
        first_page_png(path)


def test_missing_files_links_and_folders_have_no_thumbnail(tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(pdf(TWO_PAGES))
    (tmp_path / "link.pdf").symlink_to(real)
    (tmp_path / "folder.pdf").mkdir()
    for name in ("missing.pdf", "link.pdf", "folder.pdf"):
        with pytest.raises(NoThumbnail):
            first_page_png(tmp_path / name)
