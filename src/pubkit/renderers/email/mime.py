"""MIME messages with Python's ``email`` package and ``email.policy.SMTP``.

Structure: multipart/alternative holding text/plain, then text/html (inside
multipart/related with its ``cid:`` images when they are embedded).  Text
parts are quoted-printable, images base64.

A newsletter builds thousands of nearly identical messages, so the work that
does not depend on the recipient happens once: static headers are folded and
encoded when the builder is made and stored with ``set_raw`` (the generator
writes them as they are), bodies are encoded with :func:`binascii.b2a_qp`,
and the boundaries are fixed strings containing ``=_``, which neither
quoted-printable nor base64 output can contain.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.policy
import email.utils
import functools
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from typing import cast

from pubkit.renderers.email.media import InlineImage

POLICY = email.policy.SMTP


class _MessagePolicy(EmailPolicy):
    """The SMTP policy, with two changes for pre-folded headers.

    Header lines may run to RFC 5322's hard limit of 998 characters: headers are
    folded here already, and a long List-Unsubscribe URL must never be refolded
    (the generic folder would turn it into an encoded word).  And the few
    ``Content-*`` values every message repeats are parsed once, not each time
    the generator asks a part for its type.
    """

    def header_fetch_parse(self, name: str, value: str):  # type: ignore[no-untyped-def]
        if not hasattr(value, "name") and name.lower().startswith("content-"):
            return _parsed(name, value)
        return super().header_fetch_parse(name, value)


@functools.lru_cache(maxsize=256)
def _parsed(name: str, value: str):  # type: ignore[no-untyped-def]
    # Keyed without the policy: the generator clones it (per line separator) for
    # every part it writes, and a parsed value does not depend on either.
    return EmailPolicy.header_fetch_parse(POLICY, name, value)


MESSAGE_POLICY = _MessagePolicy(linesep="\r\n", max_line_length=998)
LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail shows "[Message clipped]" when the HTML of a message is larger than this."""


class UnsafeHeader(ValueError):
    """A header value would break the message (a line break, an invalid address)."""


_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")


def refuse_line_breaks(field: str, value: str) -> str:
    if _LINE_BREAK.search(value):
        raise UnsafeHeader(f"{field}: line breaks are not allowed in {value!r}")
    return value


def header_value(name: str, value: str) -> str:
    """``value`` folded and encoded for header ``name``, ready for ``set_raw``."""
    refuse_line_breaks(name, value)
    if value.isascii() and value.isprintable() and "=?" not in value \
            and len(name) + 2 + len(value) <= (POLICY.max_line_length or 78):
        return value
    folded = POLICY.header_factory(name, value).fold(policy=POLICY)
    return str(folded[len(name) + 2:]).rstrip("\r\n")


def mailbox(field: str, display_name: str, address: str) -> str:
    """A ``Name <local@domain>`` header value; refuses line breaks naming ``field``."""
    refuse_line_breaks(f"{field} name", display_name)
    refuse_line_breaks(f"{field} address", address)
    try:
        return str(Address(display_name=display_name, addr_spec=address))
    except (ValueError, IndexError) as exc:
        raise UnsafeHeader(f"{field}: invalid address {address!r}: {exc}") from None


def quoted_printable(text: str) -> str:
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")


@dataclass(frozen=True, slots=True)
class PersonalHeaders:
    to: str
    subject: str
    message_id: str
    list_unsubscribe: str


class MessageBuilder:
    """Builds the messages of one newsletter; everything shared is encoded once."""

    def __init__(self, *, sender: str, reply_to: str, date: dt.datetime,
                 images: list[InlineImage], seed: str, language: str = "") -> None:
        self.senders = [("From", header_value("From", sender)),
                        ("Reply-To", header_value("Reply-To", reply_to))]
        self.date = email.utils.format_datetime(date)
        self.language = language
        """``Content-Language`` (RFC 3282): the language of the message's words, when known."""
        self.alternative = f"=_alt_{seed}"
        self.related = f"=_rel_{seed}"
        self.images = [
            ([("Content-Type", f"image/{img.subtype}"),
              ("Content-Transfer-Encoding", "base64"),
              ("Content-ID", f"<{img.cid}>"),
              ("Content-Disposition", f'inline; filename="{img.filename}"')],
             base64.encodebytes(img.data).decode("ascii"))
            for img in images
        ]

    def build(self, headers: PersonalHeaders, text: str, html: str) -> EmailMessage:
        msg = EmailMessage(policy=MESSAGE_POLICY)
        for name, value in self.senders:
            msg.set_raw(name, value)
        msg.set_raw("To", header_value("To", headers.to))
        msg.set_raw("Subject", header_value("Subject", headers.subject))
        msg.set_raw("Date", self.date)
        msg.set_raw("Message-ID", headers.message_id)
        msg.set_raw("MIME-Version", "1.0")
        if self.language:
            msg.set_raw("Content-Language", header_value("Content-Language", self.language))
        msg.set_raw("List-Unsubscribe", headers.list_unsubscribe)
        msg.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        msg.set_raw("Content-Type", f'multipart/alternative; boundary="{self.alternative}"')
        msg.attach(cast(EmailMessage, _leaf([("Content-Type", 'text/plain; charset="utf-8"')],
                                            text)))
        html_part = _leaf([("Content-Type", 'text/html; charset="utf-8"')], html)
        if self.images:
            related = MIMEPart(policy=MESSAGE_POLICY)
            related.set_raw("Content-Type",
                            f'multipart/related; type="text/html"; boundary="{self.related}"')
            related.attach(cast(EmailMessage, html_part))
            for image_headers, payload in self.images:
                part = MIMEPart(policy=MESSAGE_POLICY)
                for name, value in image_headers:
                    part.set_raw(name, value)
                part.set_payload(payload)
                related.attach(cast(EmailMessage, part))
            msg.attach(cast(EmailMessage, related))
        else:
            msg.attach(cast(EmailMessage, html_part))
        return msg


def list_unsubscribe(url: str, mailto: str) -> str:
    """RFC 2369 header value: the https URL, then the mailto address, folded between them."""
    return f"<{url}>,\r\n <mailto:{mailto}>"


def _leaf(headers: list[tuple[str, str]], text: str) -> MIMEPart:
    part = MIMEPart(policy=MESSAGE_POLICY)
    for name, value in headers:
        part.set_raw(name, value)
    part.set_raw("Content-Transfer-Encoding", "quoted-printable")
    part.set_payload(quoted_printable(text))
    return part
