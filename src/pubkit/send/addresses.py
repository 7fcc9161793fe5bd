"""The one rule for when two email addresses are the same person: :func:`address_key`.

Duplicates in a recipients list, the delivery ledger, the suppression list,
unsubscribe tokens and bounces all compare addresses by this key, so an
address unsubscribed as ``Ana@BÜCHER.example`` is never mailed again as
``ana@xn--bcher-kva.example``.  The domain is put in its ASCII (IDNA 2008,
UTS #46) form and lower-cased; the local part is lower-cased too, because
every mail system a clinic will meet treats it case-insensitively and the
lists people keep do not.
"""

from __future__ import annotations

import idna


class AddressError(ValueError):
    """The address has no usable domain."""


def ascii_domain(domain: str) -> str:
    """``domain`` lower-cased in its ASCII form; raises :class:`AddressError` when impossible."""
    domain = domain.strip().rstrip(".")
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise AddressError(f"bad domain {domain!r}: {exc}") from None


def address_key(address: str) -> str:
    """The comparison key of ``address``: ``local@domain``, lower case, ASCII domain.

    An address whose domain cannot be put in ASCII form keys as itself lower-cased,
    so that every address has a key; :func:`pubkit.send.recipients.address_problem`
    refuses such addresses before they are sent to.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip().lower()
    try:
        return f"{local.lower()}@{ascii_domain(domain)}"
    except AddressError:
        return address.strip().lower()


def envelope_address(address: str) -> str:
    """The address for MAIL FROM / RCPT TO: an internationalised domain in ASCII when it can be."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{ascii_domain(domain)}"
    except AddressError:
        return address
