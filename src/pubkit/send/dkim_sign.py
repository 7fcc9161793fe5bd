"""DKIM signing of each message with dkimpy, for relays that do not sign (``[dkim]``).

The signature covers the headers a receiver needs to trust, the
``List-Unsubscribe`` pair included: Gmail and Yahoo honour one-click
unsubscribe only when DKIM signs both.  ``From`` is signed twice
("oversigned") so nobody can add a second From below a valid signature.
The key is read and tried once when the signer is made, so a bad key stops
``pubkit send`` before the first message.  dkimpy is imported only here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SIGNED_HEADERS = (b"from", b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                  b"mime-version", b"content-type", b"list-unsubscribe",
                  b"list-unsubscribe-post")
MAX_KEY_BYTES = 64 * 1024
_PROBE = (b"From: probe@localhost\r\nTo: probe@localhost\r\nSubject: probe\r\n"
          b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n\r\nprobe\r\n")


class DkimError(Exception):
    """The DKIM settings cannot sign (missing or unreadable key, bad key)."""


@dataclass(frozen=True, slots=True)
class DkimSigner:
    """Signs message bytes as ``selector._domainkey.domain``."""

    selector: str
    domain: str
    key: bytes = field(repr=False)

    @classmethod
    def from_settings(cls, dkim: object, from_address: str, root: Path,
                      environ: Mapping[str, str] = os.environ) -> DkimSigner | None:
        """The signer ``[dkim]`` describes, or None when signing is off (no ``key_file``)."""
        key_file = getattr(dkim, "key_file", None)
        if not key_file:
            return None
        path = root / key_file
        domain = getattr(dkim, "domain", None) or from_address.rpartition("@")[2]
        signer = cls(str(getattr(dkim, "selector", "pubkit")), domain.lower(),
                     _read_key(path))
        try:
            signer.sign(_PROBE)
        except Exception as exc:  # dkimpy raises its own errors and ValueError for bad keys
            raise DkimError(f"{path}: dkim.key_file cannot sign: {exc}") from None
        return signer

    def sign(self, message: bytes) -> bytes:
        """``message`` with its DKIM-Signature header first."""
        import dkim  # type: ignore[import-untyped]

        signature = dkim.sign(message, self.selector.encode("ascii"),
                              self.domain.encode("ascii"), self.key,
                              canonicalize=(b"relaxed", b"relaxed"),
                              include_headers=list(SIGNED_HEADERS))
        return bytes(signature) + message


def _read_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DkimError(f"{path}: cannot read dkim.key_file: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DkimError(f"{path}: dkim.key_file is not a regular file")
        data = os.read(fd, MAX_KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_BYTES or b"PRIVATE KEY-----" not in data:
        raise DkimError(f"{path}: dkim.key_file is not a PEM private key")
    return data
