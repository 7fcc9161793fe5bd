"""No published picture carries its metadata, in any format: read back from each output.

A phone photo (GPS position in its EXIF, XMP, IPTC, a comment, turned by its
EXIF orientation) and PNG, WebP and GIF pictures with metadata of their own,
as the lead picture and in the body; every picture each output holds is read
back as that output's reader would find it: the web page's files, the
pictures inside the Word document's package, the PDF's image objects, the
email's parts.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import re
import zipfile

import pikepdf
import pytest
from PIL import Image

from pubkit.site import Site
from tests.conftest import render_files
from tests.media import photos

FORMATS = ["html", "pdf", "docx", "email"]
ARTICLE = """\
---
title: Pictures
image: images/phone.jpg
image_alt: A phone photo
---
Intro words.

![A drawing](images/drawing.png)

![A still](images/still.webp)

![A moving picture](images/moving.gif)
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from pubkit.site import open_site

    root = tmp_path_factory.mktemp("site")
    files = {
        "content/a.md": ARTICLE.encode(),
        "content/images/phone.jpg": photos.jpeg((1600, 1200), orientation=6),
        "content/images/drawing.png": photos.png(),
        "content/images/still.webp": photos.webp(),
        "content/images/moving.gif": photos.gif(frames=3),
        "pubkit.toml": b'site_name = "Clinic"\n[email]\nembed_images = true\n',
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    site: Site = open_site(root)
    rendered, warnings = render_files(site, [root / "content/a.md"], FORMATS)
    assert [w for w in warnings if "left out" in w.message] == []
    return rendered


def _clean(data: bytes, where: str) -> Image.Image:
    assert photos.SECRET not in data, where
    image = Image.open(io.BytesIO(data))
    image.load()
    assert dict(image.getexif()) == {}, where
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"} & set(image.info), where
    return image


def test_the_control_the_sources_carry_the_secret() -> None:
    for data in (photos.jpeg(), photos.png(), photos.webp(), photos.gif()):
        assert photos.SECRET in data


def test_no_output_file_holds_the_secret_anywhere(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        assert photos.SECRET not in data, name


def test_web_pictures(outputs: dict[str, bytes]) -> None:
    pictures = {n: d for n, d in outputs.items() if re.search(r"\.(jpg|png|webp|gif)$", n)}
    assert len(pictures) >= 4 + 2 * 3 + 2 + 1  # originals, copies of the photo, drawing, still
    for name, data in pictures.items():
        _clean(data, name)
    upright = [n for n in pictures if n.startswith("html/images/phone-1200w.")]
    assert len(upright) == 2  # WebP and JPEG; 1200 wide once turned upright
    for name in upright:
        assert Image.open(io.BytesIO(pictures[name])).size == (1200, 1600)


def test_word_document_pictures(outputs: dict[str, bytes]) -> None:
    package = zipfile.ZipFile(io.BytesIO(outputs["docx/a.docx"]))
    media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(media) >= 4, package.namelist()
    for name in package.namelist():
        data = package.read(name)
        assert photos.SECRET not in data, name
        if name in media:
            _clean(data, name)


def test_pdf_image_objects(outputs: dict[str, bytes]) -> None:
    pdf = pikepdf.open(io.BytesIO(outputs["pdf/a.pdf"]))
    seen = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        assert photos.SECRET not in obj.read_raw_bytes()
        if obj.get("/Subtype") == "/Image":
            seen += 1
            if obj.get("/Filter") == "/DCTDecode":  # a JPEG as it is: its own segments
                _clean(obj.read_raw_bytes(), "pdf image")
        else:
            with contextlib.suppress(pikepdf.PdfError):  # a filter qpdf does not decode (raw checked)
                assert photos.SECRET not in obj.read_bytes()
    assert seen >= 4


def test_email_parts(outputs: dict[str, bytes]) -> None:
    message = email.message_from_bytes(outputs["email/a.eml"], policy=email.policy.default)
    images = 0
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        assert photos.SECRET not in payload
        if part.get_content_maintype() == "image":
            images += 1
            _clean(payload, part.get_content_type())
    assert images >= 4
