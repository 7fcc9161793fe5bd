"""The words of each output, read the way its readers get them (for cross-format tests)."""

from __future__ import annotations

import email
import email.policy
import io
import zipfile
from pathlib import Path

import pypdf
from lxml import etree, html

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def page_text(data: bytes) -> str:
    """The visible text of an HTML document's body."""
    tree = html.fromstring(data)
    for hidden in tree.xpath("//script | //style | //head"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
        words = []
        for name in sorted(parts):
            root = etree.fromstring(archive.read(name))
            words += ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    return " ".join(" ".join(words).split())


def docx_runs(data: bytes) -> list[tuple[str, bool]]:
    """(text, struck through) of every run of the document body."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    out = []
    for run in root.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if text:
            out.append((text, run.find(f"{W}rPr/{W}strike") is not None))
    return out


def email_parts(data: bytes) -> tuple[str, str]:
    """The HTML and plain-text parts of a message."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    html_part = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text_part = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return html_part, text_part


def read(out: Path, path: str) -> bytes:
    return (out / path).read_bytes()
