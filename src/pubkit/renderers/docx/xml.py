"""WordprocessingML as text: namespaces, escaping and the few element shapes every part uses.

The body is built as one string and parsed once: python-docx's object API
costs a lookup per call (and is quadratic for table cells), while string
building stays linear in the article's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"

NSDECLS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:pic="{PIC_NS}"'
"""Declared on every wrapper element that a fragment is parsed in."""

W = f"{{{W_NS}}}"

# Characters XML 1.0 cannot carry at all; the reader drops most of them
# already, but text can reach the writer from settings and templates too.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

Reporter = Callable[[list[str]], None]


def clean(text: str, report: Reporter | None = None) -> str:
    """``text`` escaped for XML, with characters XML cannot hold removed (and reported)."""
    if _ILLEGAL.search(text):
        found = sorted({f"U+{ord(c):04X}" for c in _ILLEGAL.findall(text)})
        if report is not None:
            report(found)
        text = _ILLEGAL.sub("", text)
    return text.translate(_ESCAPES)


def legal(text: str) -> str:
    """``text`` without the characters XML cannot hold (for values set through python-docx)."""
    return _ILLEGAL.sub("", text)


def text_run(escaped: str, rpr: str = "") -> str:
    """A run holding already escaped text; tabs become ``w:tab`` as Word stores them."""
    if "\t" in escaped:
        pieces = escaped.split("\t")
        inner = "<w:tab/>".join(f'<w:t xml:space="preserve">{p}</w:t>' if p else "" for p in pieces)
        return f"<w:r>{rpr}{inner}</w:r>"
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escaped}</w:t></w:r>'


def rpr(style: str | None = None, toggles: tuple[str, ...] = ()) -> str:
    """Run properties: a character style and on/off marks (``b``, ``i``, ``strike``)."""
    inner = f'<w:rStyle w:val="{style}"/>' if style else ""
    inner += "".join(f"<w:{t}/>" for t in toggles)
    return f"<w:rPr>{inner}</w:rPr>" if inner else ""


def paragraph(
    runs: str,
    style: str | None = None,
    num: tuple[int, int] | None = None,
    indent: int = 0,
    align: str | None = None,
    bidi: bool = False,
) -> str:
    """A ``w:p`` with its properties in schema order (style, numbering, direction, indent, jc)."""
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    if bidi:
        props += "<w:bidi/>"
    if indent:
        props += f'<w:ind w:left="{indent}"/>'
    if align:
        props += f'<w:jc w:val="{align}"/>'
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def field_start(instruction: str, run_props: str = "") -> str:
    """The runs that open a complex field, up to where its cached result begins."""
    return (
        f'<w:r>{run_props}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{run_props}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        f'<w:r>{run_props}<w:fldChar w:fldCharType="separate"/></w:r>'
    )


def field_end(run_props: str = "") -> str:
    return f'<w:r>{run_props}<w:fldChar w:fldCharType="end"/></w:r>'


def field(instruction: str, result: str, run_props: str = "") -> str:
    """A complex field (``PAGE``, ``NUMPAGES``, ``NOTEREF``) with a cached result."""
    return (field_start(instruction, run_props) + text_run(result, run_props)
            + field_end(run_props))
