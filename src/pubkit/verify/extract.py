"""Each format's text, read back from the file a build wrote.

One extractor per format, each returning ``(part, text)`` pairs: a page, a
handout and a Word document have one part, an email two (its ``text/plain``
and ``text/html`` parts, checked apart since a reader sees one or the other).
The text keeps the order a reader meets it; whitespace, hyphens and
punctuation are left for :mod:`.compare` to normalise.

Every file is read as untrusted (a regular file, size-limited): an output
folder can be edited by hand, which is what this command is for.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from pubkit.safeio import read_regular

OUTPUT_LIMIT = 256 * 1024 * 1024
"""The largest output file read (a 15,000-word handout is a few MB)."""
PART_LIMIT = 256 * 1024 * 1024
"""The largest part of a Word document unpacked (against a zip bomb)."""


class Unextractable(Exception):
    """The file is not what its format says (truncated, damaged, not a PDF ...)."""


Extractor = Callable[[Path], list[tuple[str, str]]]


# -------------------------------------------------------------------- HTML
_SKIP = frozenset(["script", "style", "template", "noscript", "head", "title"])
_INLINE = frozenset(["a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font",
                     "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
                     "time", "u", "var", "wbr"])
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.I)


def html_text(data: bytes | str) -> str:
    """The text a reader sees in an HTML document's body.

    Scripts, styles and hidden elements (``hidden``, ``display: none``: an
    email's preheader) are left out; every element but an inline one is
    a word break, so two table cells never run together.
    """
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise Unextractable(f"not an HTML document ({exc})") from None
    body = root.find("body")
    top = body if body is not None else root
    out: list[str] = []
    # An explicit stack, not recursion: a hand-edited page may nest deeper than Python's stack.
    stack: list[tuple[Any, bool]] = [(top, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag not in _INLINE:
                out.append(" ")
            if el.tail and el is not top:
                out.append(el.tail)
            continue
        if not tag or tag in _SKIP or el.get("hidden") is not None or _HIDDEN.search(el.get("style") or ""):
            if el.tail and el is not top:
                out.append(el.tail)  # a comment, a script or a hidden element: only what follows it
            continue
        if tag not in _INLINE:
            out.append(" ")
        if el.text:
            out.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return "".join(out)


def extract_html(path: Path) -> list[tuple[str, str]]:
    return [("html", html_text(read_regular(path, OUTPUT_LIMIT)))]


# --------------------------------------------------------------------- PDF
_NUMBER = re.compile(r"(\d+)")
EDGE_LINES = 2
"""Lines at the top and at the bottom of a page that may be running headers or footers."""


def pdf_pages(data: bytes) -> list[list[str]]:
    """The text layer of each page, as lines."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise Unextractable(f"not a readable PDF ({exc})") from None
    pages: list[list[str]] = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            text = page.get_textpage()
            pages.append(text.get_text_range().splitlines())
            text.close()
            page.close()
    finally:
        doc.close()
    return pages


def without_furniture(pages: list[list[str]]) -> str:
    """The pages' text without running headers and footers.

    A line among the first (or last) :data:`EDGE_LINES` of a page that comes
    back among the first (or last) lines of another page, the page's own
    number and the page count aside ("Page 2 of 3"), is the page's furniture,
    not the article's: left in, it would cut a paragraph that runs on to the
    next page in two.  Other numbers count ("Section 4" at the top of one page
    and "Section 9" at the top of another are two headings).
    """
    total = str(len(pages))

    def key(line: str, page: int, edge: str) -> str:
        numbers = (str(page + 1), total)
        words = ["#" if w in numbers else w for w in _NUMBER.split(" ".join(line.split()))]
        return edge + "".join(words)

    def edges(lines: list[str]) -> dict[int, str]:
        count = len(lines)
        found = {i: "bottom:" for i in range(max(0, count - EDGE_LINES), count)}
        found.update({i: "top:" for i in range(min(EDGE_LINES, count))})
        return found

    seen: Counter[str] = Counter()
    for page, lines in enumerate(pages):
        seen.update({key(lines[i], page, edge) for i, edge in edges(lines).items()})
    out: list[str] = []
    for page, lines in enumerate(pages):
        edge = edges(lines)
        out.extend(line for i, line in enumerate(lines)
                   if not (i in edge and line.strip() and seen[key(line, page, edge[i])] > 1))
    return "\n".join(out)


def extract_pdf(path: Path) -> list[tuple[str, str]]:
    return [("pdf", without_furniture(pdf_pages(read_regular(path, OUTPUT_LIMIT))))]


# -------------------------------------------------------------------- DOCX
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
"""The body, then the notes (Word keeps footnotes and endnotes in parts of their own)."""


def _part_text(xml: bytes) -> str:
    from lxml import etree

    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                     huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise Unextractable(f"a damaged Word part ({exc})") from None
    out: list[str] = []
    wanted = (_W + "p", _W + "t", _W + "tab", _W + "br", _W + "cr", _W + "tc", _W + "noBreakHyphen")
    for el in root.iter(*wanted):
        tag = el.tag
        if tag == _W + "t":
            out.append(el.text or "")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        else:  # a paragraph, a cell, a tab or a break: words on each side stay apart
            out.append("\n" if tag in (_W + "p", _W + "tc") else " ")
    return "".join(out)


def docx_text(data: bytes) -> str:
    """The text of a Word document: its paragraphs and tables, then its footnotes and endnotes."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise Unextractable(f"not a Word document ({exc})") from None
    texts = []
    with archive:
        names = set(archive.namelist())
        if DOCX_PARTS[0] not in names:
            raise Unextractable("not a Word document (no word/document.xml)")
        for name in DOCX_PARTS:
            if name not in names:
                continue
            info = archive.getinfo(name)
            if info.file_size > PART_LIMIT:
                raise Unextractable(f"{name} is larger than {PART_LIMIT} bytes unpacked")
            try:
                texts.append(_part_text(archive.read(name)))
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # zlib.error is OSError-ish
                raise Unextractable(f"a damaged Word document ({exc})") from None
    return "\n".join(texts)


def extract_docx(path: Path) -> list[tuple[str, str]]:
    return [("docx", docx_text(read_regular(path, OUTPUT_LIMIT)))]


# ------------------------------------------------------------------- email
EMAIL_TEXT, EMAIL_HTML = "email-text", "email-html"


def email_texts(data: bytes) -> list[tuple[str, str]]:
    """The text of a message's ``text/plain`` part and of its ``text/html`` part (attachments aside)."""
    import email

    # The compat32 parser: the modern policy parses every header into objects,
    # which costs more than all the rest of verifying a message; only the parts'
    # types, dispositions and transfer encodings are needed here.
    message = email.message_from_bytes(data)
    if not message.keys():
        raise Unextractable("not an email message")
    plain: list[str] = []
    html: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if part.is_multipart() or kind not in ("text/plain", "text/html") or \
                (part.get_content_disposition() or "inline") != "inline":
            continue
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset() or "us-ascii"
        try:
            content = payload.decode(charset) if isinstance(payload, bytes) else ""
        except (LookupError, UnicodeDecodeError) as exc:  # an unknown charset, damaged bytes
            raise Unextractable(f"a {kind} part cannot be decoded ({exc})") from None
        if kind == "text/plain":
            plain.append(content)
        else:
            html.append(html_text(content))
    return [(EMAIL_TEXT, "\n".join(plain)), (EMAIL_HTML, "\n".join(html))]


def extract_email(path: Path) -> list[tuple[str, str]]:
    return email_texts(read_regular(path, OUTPUT_LIMIT))


EXTRACTORS: dict[str, Extractor] = {
    "html": extract_html,
    "pdf": extract_pdf,
    "large-print": lambda path: [("large-print", extract_pdf(path)[0][1])],
    "docx": extract_docx,
    "email": extract_email,
}
"""The extractor of each article format verify knows."""


def parts_of(fmt: str) -> tuple[str, ...]:
    """The parts a format's extractor returns (what figures are kept for)."""
    return (EMAIL_TEXT, EMAIL_HTML) if fmt == "email" else (fmt,)


def preload() -> None:
    """Import every extractor's engine now (before forking workers that share them)."""
    import email.parser
    import email.policy  # noqa: F401

    import lxml.html  # noqa: F401
    import pypdfium2  # noqa: F401
