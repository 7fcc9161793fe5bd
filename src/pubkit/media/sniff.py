"""What a file is, from its bytes alone (never its name).

Signatures first (pictures, PDF, archives, programs), then text: markup
(SVG when its root element is ``svg``, otherwise HTML or XML, judged as the
WHATWG MIME-sniffing rules judge a page), plain UTF-8 text, or unknown.
A name only ever makes pubkit more careful (a text file named ``.js`` is
refused as JavaScript), never less.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

HEAD = 4096
"""How much of a text file decides whether it is markup."""
SVGZ_LIMIT = 20 * 1024 * 1024
"""Largest SVG a compressed ``.svgz`` may unpack to (a gzip bomb is refused beyond it)."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    type: str
    """MIME type."""
    label: str
    """What it is, in words, for messages ("a PNG image")."""
    extension: str
    """The extension it is published with ("" when it never is)."""


PNG = Sniffed("image/png", "a PNG image", "png")
JPEG = Sniffed("image/jpeg", "a JPEG image", "jpg")
GIF = Sniffed("image/gif", "a GIF image", "gif")
WEBP = Sniffed("image/webp", "a WebP image", "webp")
BMP = Sniffed("image/bmp", "a BMP image", "bmp")
TIFF = Sniffed("image/tiff", "a TIFF image", "tiff")
ICO = Sniffed("image/vnd.microsoft.icon", "an icon file", "ico")
SVG = Sniffed("image/svg+xml", "an SVG image", "svg")
SVGZ = Sniffed("image/svg+xml", "a compressed SVG image", "svg")
PDF = Sniffed("application/pdf", "a PDF document", "pdf")
TEXT = Sniffed("text/plain", "a plain text file", "txt")
HTML = Sniffed("text/html", "an HTML document", "")
XML = Sniffed("application/xml", "an XML document", "")
EMPTY = Sniffed("application/x-empty", "an empty file", "")
UNKNOWN = Sniffed("application/octet-stream", "a file of unknown type", "")

RASTER = (PNG, JPEG, GIF, WEBP, BMP, TIFF, ICO)

_SIGNATURES: tuple[tuple[bytes, int, Sniffed], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, PNG),
    (b"\xff\xd8\xff", 0, JPEG),
    (b"GIF87a", 0, GIF),
    (b"GIF89a", 0, GIF),
    (b"II*\x00", 0, TIFF),
    (b"MM\x00*", 0, TIFF),
    (b"%PDF-", 0, PDF),
    (b"\x7fELF", 0, Sniffed("application/x-executable", "a Linux program", "")),
    (b"MZ", 0, Sniffed("application/x-msdownload", "a Windows program", "")),
    (b"\xfe\xed\xfa\xce", 0, Sniffed("application/x-mach-binary", "a macOS program", "")),
    (b"\xfe\xed\xfa\xcf", 0, Sniffed("application/x-mach-binary", "a macOS program", "")),
    (b"\xce\xfa\xed\xfe", 0, Sniffed("application/x-mach-binary", "a macOS program", "")),
    (b"\xcf\xfa\xed\xfe", 0, Sniffed("application/x-mach-binary", "a macOS program", "")),
    (b"\xca\xfe\xba\xbe", 0, Sniffed("application/java-vm", "a Java or macOS program", "")),
    (b"\x00asm", 0, Sniffed("application/wasm", "a WebAssembly program", "")),
    (b"#!", 0, Sniffed("text/x-script", "a script", "")),
    (b"PK\x03\x04", 0, Sniffed("application/zip",
                              "a ZIP archive (or a Word, Excel or PowerPoint file)", "")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0,
     Sniffed("application/x-ole-storage", "an old Office document (it may hold macros)", "")),
    (b"{\\rtf", 0, Sniffed("application/rtf", "an RTF document (it may hold objects)", "")),
    (b"%!PS", 0, Sniffed("application/postscript", "a PostScript program", "")),
    (b"FWS", 0, Sniffed("application/x-shockwave-flash", "a Flash file", "")),
    (b"CWS", 0, Sniffed("application/x-shockwave-flash", "a Flash file", "")),
    (b"ZWS", 0, Sniffed("application/x-shockwave-flash", "a Flash file", "")),
    (b"\xd7\xcd\xc6\x9a", 0, Sniffed("image/wmf", "a Windows metafile (WMF)", "")),
    (b"\x01\x00\x09\x00", 0, Sniffed("image/wmf", "a Windows metafile (WMF)", "")),
    (b"7z\xbc\xaf\x27\x1c", 0, Sniffed("application/x-7z-compressed", "a 7-Zip archive", "")),
    (b"Rar!", 0, Sniffed("application/vnd.rar", "a RAR archive", "")),
    (b"OggS", 0, Sniffed("audio/ogg", "an audio or video file", "")),
    (b"ID3", 0, Sniffed("audio/mpeg", "an audio file", "")),
    (b"\x1aE\xdf\xa3", 0, Sniffed("video/webm", "a video file", "")),
    (b"fLaC", 0, Sniffed("audio/flac", "an audio file", "")),
)

# WHATWG MIME sniffing: a text resource is HTML when, after whitespace, it opens with one of these.
_HTML_OPENERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    rb"|!--|object|embed|form|frameset|frame|meta|link|svg:|math|img|xsl|xml-stylesheet|\?xml-stylesheet)"
    rb"(?=[\s>/]|$)",
    re.I,
)
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_FIRST_ELEMENT = re.compile(rb"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_ACTIVE_IN_TEXT = re.compile(rb"<\s*(?:script|iframe|object|embed|html|body|svg|meta|link|style)\b|"
                             rb"javascript:", re.I)
_TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")

ACTIVE_EXTENSIONS = frozenset({
    "js", "mjs", "cjs", "jsx", "ts", "html", "htm", "xhtml", "shtml", "xht", "svg", "svgz", "xml",
    "xsl", "xslt", "hta", "php", "asp", "aspx", "jsp", "cgi", "pl", "py", "rb", "sh", "bash",
    "bat", "cmd", "ps1", "vbs", "vbe", "wsf", "jar", "exe", "dll", "msi", "com", "scr", "swf",
    "appcache", "manifest", "webmanifest", "htaccess", "wasm", "css", "mht", "mhtml", "rss",
    "atom", "rdf", "xul", "jnlp", "desktop", "lnk", "url", "reg", "inf", "scf", "application",
    "xbap", "vtt", "map",
})
"""Names whose server-side type is active: plain text by such a name is not published."""


def sniff(data: bytes) -> Sniffed:
    """The type of ``data``."""
    if not data:
        return EMPTY
    for magic, offset, kind in _SIGNATURES:
        if data.startswith(magic, offset):
            return _refine(kind, data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[:4] == b"RIFF":
        return Sniffed("audio/wav", "an audio or video file (RIFF)", "")
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return Sniffed("image/heif", "an AVIF or HEIF image (convert it to JPEG or PNG)", "")
        return Sniffed("video/mp4", "an audio or video file", "")
    if data[:4] == b"\x00\x00\x01\x00" and len(data) > 6 and data[4] | data[5]:
        return ICO
    if data[:2] == b"BM" and len(data) >= 26 and data[6:10] == b"\x00\x00\x00\x00":
        return BMP
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return Sniffed("image/emf", "a Windows metafile (EMF)", "")
    if data[:2] == b"\x1f\x8b":
        return SVGZ if _is_svg(_gunzip_head(data)) else Sniffed(
            "application/gzip", "a compressed (gzip) file", "")
    return _text_kind(data)


def _refine(kind: Sniffed, data: bytes) -> Sniffed:
    if kind.type == "application/x-msdownload" and len(data) < 64:
        return _text_kind(data)  # "MZ" opening a short text file
    if kind.type == "text/x-script" and not data[:80].split(b"\n")[0].strip(b"#! ").startswith(b"/"):
        return _text_kind(data)  # "#!important" is text; "#!/bin/sh" is a script
    return kind


def _text_kind(data: bytes) -> Sniffed:
    head = data[:HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniffed("text/plain; charset=utf-16", "UTF-16 text (save it as UTF-8)", "")
    head = head.removeprefix(b"\xef\xbb\xbf")
    stripped = head.lstrip(b" \t\r\n\f")
    if stripped.startswith(b"<"):
        if _is_svg(head):
            return SVG
        if _HTML_OPENERS.match(stripped):
            return HTML
        if stripped.startswith(b"<?xml"):
            return XML
        return HTML  # markup of some other kind: a browser may well render it
    if _TEXT_CONTROLS.search(data[: 1024 * 1024]):
        return UNKNOWN
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return UNKNOWN
    return TEXT


def _is_svg(head: bytes) -> bool:
    """Whether the first element after the XML prolog is ``svg`` (in any namespace prefix)."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while True:
        item = _PROLOG_ITEM.match(head, pos)
        if not item or item.end() == pos:
            break
        pos = item.end()
    first = _FIRST_ELEMENT.match(head, pos)
    return first is not None and first.group(2) == b"svg"


def _gunzip_head(data: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, HEAD)
    except zlib.error:
        return b""


def gunzip(data: bytes, limit: int = SVGZ_LIMIT) -> bytes | None:
    """``data`` unpacked, or None when it is damaged or unpacks to more than ``limit`` bytes."""
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpack.decompress(data, limit + 1)
    except zlib.error:
        return None
    if len(out) > limit or not unpack.eof:
        return None
    return out


def looks_active(text: bytes) -> bool:
    """Whether plain text holds markup or a script URL a browser could be talked into running."""
    return _ACTIVE_IN_TEXT.search(text) is not None
