"""An email as mail clients receive it: its MIME structure, the headers they act on, and its HTML's layout.

Read with the standard library's parser in its strict, modern policy, so a
malformed header or part shows up as a defect rather than being repaired.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from email.message import EmailMessage

import lxml.html

HEADERS = ("Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
"""What a message needs for mailbox providers to show it, sort it and offer a one-click unsubscribe."""
GMAIL_CLIP = 102 * 1024
"""Gmail cuts an HTML part larger than this and hides the rest behind "View entire message"."""
WIDTH_ATTRIBUTE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*", re.I)
CSS_WIDTH = re.compile(r"(?<![-\w])(?:min-|max-)?width\s*:\s*(\d+(?:\.\d+)?)px", re.I)


@dataclass(frozen=True)
class Html:
    style_blocks: int
    widest_px: float | None
    """The widest width declared anywhere (attribute, inline style, style block): the layout's width."""
    images: int
    images_without_alt: int
    images_remote: int
    script_or_frames: int


@dataclass(frozen=True)
class Message:
    defects: int
    alternative: bool
    """multipart/alternative holding both a text/plain and a text/html part."""
    headers_missing: list[str]
    date_parses: bool
    unsubscribe_https: bool
    one_click_unsubscribe: bool
    html_source: str
    text: str
    html: Html

    @property
    def gmail_clipped(self) -> bool:
        return len(self.html_source.encode("utf-8")) > GMAIL_CLIP


def html_figures(source: str) -> Html:
    root = lxml.html.document_fromstring(source)
    styles = [s.text_content() for s in root.iter("style")]
    widths = [float(m.group(1)) for el in root.xpath("//*[@width]")
              if (m := WIDTH_ATTRIBUTE.fullmatch(el.get("width", "")))]
    for css in [*styles, *(el.get("style", "") for el in root.xpath("//*[@style]"))]:
        widths += [float(w) for w in CSS_WIDTH.findall(css)]
    images = list(root.iter("img"))
    return Html(
        style_blocks=len(styles), widest_px=max(widths, default=None), images=len(images),
        images_without_alt=sum(img.get("alt") is None for img in images),
        images_remote=sum(img.get("src", "").lower().startswith(("http:", "https:", "//")) for img in images),
        script_or_frames=len(root.xpath("//script | //iframe | //object | //embed")),
    )


def _body(part: EmailMessage, subtype: str) -> EmailMessage | None:
    return next((p for p in part.walk() if p.get_content_type() == f"text/{subtype}"
                 and p.get_content_disposition() != "attachment"), None)


def read_message(data: bytes) -> Message:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    alternatives = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
    alt = alternatives[0] if alternatives else None
    plain = _body(alt or msg, "plain")
    html = _body(alt or msg, "html")
    headers = {name: str(msg.get(name) or "") for name in HEADERS}
    try:
        date_parses = email.utils.parsedate_to_datetime(headers["Date"]) is not None
    except (TypeError, ValueError):
        date_parses = False
    html_source = html.get_content() if html is not None else ""
    return Message(
        defects=sum(len(p.defects) for p in msg.walk()),
        alternative=alt is not None and plain is not None and html is not None,
        headers_missing=[name for name, value in headers.items() if not value],
        date_parses=date_parses,
        unsubscribe_https="<https:" in headers["List-Unsubscribe"].replace(" ", "").lower(),
        one_click_unsubscribe=headers["List-Unsubscribe-Post"].replace(" ", "").lower()
        == "list-unsubscribe=one-click",
        html_source=html_source,
        text=plain.get_content() if plain is not None else "",
        html=html_figures(html_source or "<html></html>"),
    )
