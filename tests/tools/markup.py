"""What a page could do or fail to show on its own: active content, missing local images, leaked local files.

Content is untrusted (README, "Articles"): no output may carry script, and
none may hold a copy of a file from the machine that rendered it. The
machine's ``/etc/passwd`` is the canary: test articles point at it in many
ways, and its first lines are easy to recognise in any output.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pikepdf

PASSWD_LINES = (b"root:x:0:0:", b"daemon:x:1:1:")
DATA_URI = re.compile(rb"data:[^;,\"'\s]*;base64,([A-Za-z0-9+/=]{16,})")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href")


def active_content(page: lxml.html.HtmlElement) -> dict[str, int]:
    """Counts of everything in ``page`` that runs code or submits data."""
    attributes = [(name.lower(), value) for el in page.iter() if isinstance(el.tag, str)
                  for name, value in el.attrib.items()]
    return {
        "script": len(page.xpath("//script")),
        "event_handlers": sum(name.startswith("on") for name, _ in attributes),
        "javascript_urls": sum(name in URL_ATTRIBUTES and re.sub(r"[\s\x00-\x1f]", "", value).lower()
                               .startswith("javascript:") for name, value in attributes),
        "frames": len(page.xpath("//iframe | //object | //embed | //frame")),
        "forms": len(page.xpath("//form")),
    }


def broken_images(page: lxml.html.HtmlElement, path: Path) -> list[str]:
    """Local image addresses in the page at ``path`` that point at no file."""
    broken = []
    for src in page.xpath("//img/@src | //picture/source/@src | //picture/source/@srcset"):
        url = urlsplit(src.split()[0] if src.strip() else src)
        if url.scheme or src.startswith("//") or not url.path:
            continue
        if not (path.parent / unquote(url.path)).exists():
            broken.append(src)
    return broken


def _parts(data: bytes, kind: str) -> dict[str, bytes]:
    """The file's bytes, and the decoded bytes of each part a reader would decode."""
    parts = {"file": data}
    if kind == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts.update((name, archive.read(name)) for name in archive.namelist())
    elif kind == "pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for number, obj in enumerate(pdf.objects):
                if isinstance(obj, pikepdf.Stream):
                    try:
                        parts[f"stream {number}"] = obj.read_bytes()
                    except pikepdf.PdfError:  # a filter pikepdf cannot decode (an image codec)
                        continue
    elif kind == "eml":
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if not part.is_multipart():
                parts[part.get_content_type()] = part.get_payload(decode=True) or b""
    return parts


def passwd_leaks(data: bytes, kind: str) -> list[str]:
    """Where in a ``kind`` file ("html", "pdf", "docx", "eml") lines of /etc/passwd appear."""
    found = []
    for where, blob in _parts(data, kind).items():
        inside = [blob]
        for match in DATA_URI.finditer(blob):
            try:
                inside.append(base64.b64decode(match.group(1) + b"=" * (-len(match.group(1)) % 4)))
            except ValueError:
                continue
        if any(line in text for text in inside for line in PASSWD_LINES):
            found.append(where)
    return found
