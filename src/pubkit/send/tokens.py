"""Signed tokens in newsletters: unsubscribe links, bounce addresses, Message-IDs.

Every token is made with the site secret (``[email] token_secret``) and
checked with :func:`hmac.compare_digest`, so nobody without the secret can
unsubscribe someone else or learn anything by trying.

The unsubscribe token carries the recipient's address and language, because
the endpoint that receives the click must know whom to suppress without a
copy of the recipients list.  The address is not written in the clear:
links end up in proxy logs and browser histories, and at a clinic an address
on the list says who is a patient.  The token is a synthetic-IV encryption
built from HMAC-SHA256 alone (the standard library has no block cipher): the
tag is the HMAC of the payload, and the payload is XORed with an HMAC keystream
drawn from the tag.  Equal addresses give equal tokens, which is what links
that stay valid across issues need, and nothing else about the address shows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from pubkit.send.addresses import address_key

DEFAULT_SECRET = "change-me"
MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 600
"""Longer tokens are refused unread (an address has at most 254 characters)."""

_VERSION = b"\x01"
_TAG_BYTES = 16
_LANG = re.compile(r"[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8}){0,4}")


@dataclass(frozen=True, slots=True)
class Unsubscriber:
    """Who an unsubscribe token names: the address key and the language of the issue."""

    address: str
    lang: str


def _key(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"pubkit/" + purpose, hashlib.sha256).digest()


def _keystream(secret: str, tag: bytes, length: int) -> bytes:
    key = _key(secret, b"unsubscribe/stream")
    blocks = (hmac.new(key, tag + i.to_bytes(4, "big"), hashlib.sha256).digest()
              for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _tag(secret: str, payload: bytes) -> bytes:
    key = _key(secret, b"unsubscribe/tag")
    return hmac.new(key, _VERSION + payload, hashlib.sha256).digest()[:_TAG_BYTES]


def unsubscribe_token(secret: str, address: str, lang: str = "en") -> str:
    """The recipient's unsubscribe token (URL-safe, the same for every issue)."""
    if not _LANG.fullmatch(lang):
        lang = "en"
    payload = lang.encode("ascii") + b"\0" + address_key(address).encode("utf-8")
    tag = _tag(secret, payload)
    hidden = bytes(a ^ b for a, b in zip(payload, _keystream(secret, tag, len(payload)),
                                         strict=True))
    return base64.urlsafe_b64encode(_VERSION + tag + hidden).rstrip(b"=").decode("ascii")


def read_unsubscribe_token(secret: str, token: str) -> Unsubscriber | None:
    """Whom ``token`` names, or None for anything not made with ``secret``."""
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) <= 1 + _TAG_BYTES or raw[:1] != _VERSION:
        return None
    tag, hidden = raw[1:1 + _TAG_BYTES], raw[1 + _TAG_BYTES:]
    payload = bytes(a ^ b for a, b in zip(hidden, _keystream(secret, tag, len(hidden)),
                                          strict=True))
    if not hmac.compare_digest(tag, _tag(secret, payload)):
        return None
    lang, sep, address = payload.partition(b"\0")
    try:
        text = address.decode("utf-8")
        lang_text = lang.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not sep or "@" not in text or not _LANG.fullmatch(lang_text):
        return None
    return Unsubscriber(text, lang_text)


def verp_token(secret: str, address: str) -> str:
    """A short token for a per-recipient bounce address (fits a 64-character local part)."""
    digest = hmac.new(_key(secret, b"verp"), address_key(address).encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode("ascii").lower()


def message_tag(secret: str, issue: str, address: str) -> str:
    """The per-recipient part of a Message-ID ``<issue.tag@domain>``, so replies can be traced."""
    data = f"{issue}\0{address_key(address)}".encode()
    return hmac.new(_key(secret, b"message-id"), data, hashlib.sha256).hexdigest()[:24]


def is_message_tag(secret: str, issue: str, tag: str, address: str) -> bool:
    """Whether ``tag`` is :func:`message_tag` of ``address`` for ``issue`` (constant time)."""
    return hmac.compare_digest(message_tag(secret, issue, address).encode(),
                               tag.encode("utf-8", "replace"))


def masked(address: str) -> str:
    """``a…@example.org``: enough for a person to recognise their own address."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}" if local else address
