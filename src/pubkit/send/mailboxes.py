"""Mail that comes back: bounces (delivery status notifications) and unsubscribe requests.

``pubkit bounces import`` reads an mbox file or a Maildir folder and asks
flufl.bounce for the permanent failures of each message (RFC 3464 DSNs and
the formats of many servers that predate it); with per-recipient bounce
addresses (VERP, ``bounces+{token}@…``) the address the bounce was sent to
names the recipient even when the report itself cannot be read.

``pubkit suppress import-mailbox`` reads the ``mailto:`` unsubscribe mailbox
and suppresses each sender whose message answers a pubkit newsletter: its
subject carries a valid unsubscribe token (the mailto link's
``unsubscribe TOKEN``), or its ``In-Reply-To``/``References`` names a
Message-ID that pubkit made for that sender.  Anything else is left alone,
so a stranger's mail cannot unsubscribe somebody else.
"""

from __future__ import annotations

import email.message
import email.utils
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pubkit.send.addresses import address_key
from pubkit.send.tokens import is_message_tag, read_unsubscribe_token

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
"""Messages larger than this in a mailbox are skipped (a bounce is a few kilobytes)."""
# The mailto: subject is "unsubscribe TOKEN" in the message's language ("baja TOKEN"): any
# word will do, since only a token signed with the secret counts.
_TOKEN_IN_SUBJECT = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{20,600})(?![A-Za-z0-9_-])")
_TOKENS_TRIED = 8
_MESSAGE_ID = re.compile(r"<([0-9a-f]{20})\.([0-9a-f]{24})@[^<>\s]+>")
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


class MailboxError(Exception):
    """The path is neither an mbox file nor a Maildir folder."""


@dataclass
class Found:
    """What a mailbox yielded: addresses with where each came from, and what was skipped."""

    addresses: dict[str, str] = field(default_factory=dict)
    complaints: dict[str, str] = field(default_factory=dict)
    """Recipients who marked a message as spam (ARF feedback reports, RFC 5965)."""
    messages: int = 0
    skipped: int = 0
    temporary: int = 0


def messages(path: Path) -> Iterator[tuple[str, email.message.Message]]:
    """Each message of the mbox file or Maildir folder at ``path``, with a name for it."""
    box: mailbox.Mailbox[mailbox.Message]
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise MailboxError(f"{path}: a folder but not a Maildir (no cur/ or new/)")
        box = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        box = mailbox.mbox(path, create=False)
    else:
        raise MailboxError(f"{path}: no such mbox file or Maildir folder")
    try:
        for key in box.iterkeys():
            try:
                raw = box.get_bytes(key)
            except (OSError, KeyError):
                continue
            if len(raw) > MAX_MESSAGE_BYTES:
                continue
            yield f"{path.name}#{key}", email.message_from_bytes(raw)
    finally:
        box.close()


def bounces(path: Path, verp: str | None, owner: object | None = None) -> Found:
    """Permanent failures in the bounces at ``path``.

    ``verp`` is smtp.envelope_from with ``{token}``; ``owner(token)`` names the
    recipient of a token (the suppression store's record of the tokens it sent).
    """
    from flufl.bounce import all_failures

    found = Found()
    pattern = _verp_pattern(verp)
    for where, msg in messages(path):
        found.messages += 1
        complainer = _complainer(msg)
        if complainer:
            found.complaints.setdefault(address_key(complainer), f"complaint {where}")
            continue
        try:
            temporary, permanent = all_failures(msg)
        except Exception:  # a detector tripping on a malformed report
            temporary, permanent = frozenset(), frozenset()
        addresses = {a.decode("ascii", "replace") for a in permanent}
        # The bounce address names the recipient more surely than the report, which may
        # give a forwarded address; only a permanent failure suppresses either way.
        if pattern is not None and owner is not None and permanent:
            for header in _RECIPIENT_HEADERS:
                for _, value in email.utils.getaddresses(msg.get_all(header, [])):
                    m = pattern.fullmatch(value.strip().lower())
                    named = owner(m.group(1)) if m else None  # type: ignore[operator]
                    if named:
                        addresses = {named}
        if temporary and not permanent:
            found.temporary += 1
        if not addresses:
            found.skipped += 1
        for address in addresses:
            found.addresses.setdefault(address_key(address), f"bounce {where}")
    return found


def _complainer(msg: email.message.Message) -> str | None:
    """The recipient an ARF feedback report (a spam complaint) is about, or None."""
    if msg.get_content_type() != "multipart/report" \
            or msg.get_param("report-type") != "feedback-report":
        return None
    original = None
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report":
            payload = part.get_payload()
            fields = payload[0] if isinstance(payload, list) and payload else part
            text = fields.as_string() if isinstance(fields, email.message.Message) else ""
            found = re.search(r"^Original-Rcpt-To:\s*<?([^>\s]+@[^>\s]+)>?", text, re.M | re.I)
            if found:
                return found.group(1)
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            inner = part.get_payload(0) if part.is_multipart() else \
                email.message_from_string(str(part.get_payload()))
            if isinstance(inner, email.message.Message):
                original = email.utils.parseaddr(str(inner.get("To", "")))[1] or None
    return original


def unsubscribe_requests(path: Path, secret: str) -> Found:
    """Senders in the mailbox at ``path`` whose message answers a pubkit newsletter."""
    found = Found()
    for where, msg in messages(path):
        found.messages += 1
        sender = email.utils.parseaddr(str(msg.get("From", "")))[1]
        address = _answered(msg, sender, secret)
        if address:
            found.addresses.setdefault(address_key(address), f"mailto request {where}")
        else:
            found.skipped += 1
    return found


def _answered(msg: email.message.Message, sender: str, secret: str) -> str | None:
    """The address a message unsubscribes, or None when it does not answer a newsletter."""
    subject = str(msg.get("Subject", ""))
    for token in _TOKEN_IN_SUBJECT.findall(subject)[:_TOKENS_TRIED]:
        named = read_unsubscribe_token(secret, token)
        if named is not None:
            return named.address
    if not sender or "@" not in sender:
        return None
    replied = " ".join(str(msg.get(h, "")) for h in ("In-Reply-To", "References"))
    for issue, tag in _MESSAGE_ID.findall(replied):
        if is_message_tag(secret, issue, tag, sender):
            return sender
    return None


def _verp_pattern(template: str | None) -> re.Pattern[str] | None:
    if not template or "{token}" not in template:
        return None
    before, after = template.lower().split("{token}", 1)
    return re.compile(re.escape(before) + r"([a-z2-7]{24})" + re.escape(after))
