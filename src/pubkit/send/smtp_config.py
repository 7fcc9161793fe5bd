"""Where and how ``pubkit send`` connects: ``[smtp]``, the command line, the password.

The password is read from ``PUBKIT_SMTP_PASSWORD`` only when ``user`` is set,
is kept out of ``repr``, and :meth:`SmtpConfig.scrub` takes it out of any
text before that text is shown.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pubkit.settings import Smtp

PASSWORD_ENV = "PUBKIT_SMTP_PASSWORD"


class SmtpConfigError(Exception):
    """The server settings cannot work (missing password, no TLS offered, login refused)."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to connect; built from ``[smtp]`` and the command line."""

    host: str
    port: int
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    rate_limit: float = 0.0
    retries: int = 3
    retry_delay: float = 2.0
    ca_file: Path | None = None

    @classmethod
    def from_settings(cls, smtp: Smtp, root: Path, environ: Mapping[str, str] = os.environ,
                      host: str | None = None, port: int | None = None) -> SmtpConfig:
        """Settings with command-line overrides; the password from the environment."""
        password = None
        if smtp.user:
            password = environ.get(PASSWORD_ENV) or None
            if password is None:
                raise SmtpConfigError(
                    f"smtp.user is set: put the password in the environment variable {PASSWORD_ENV}"
                )
        host = host or smtp.host
        if smtp.security == "none" and smtp.user and not _is_loopback(host):
            raise SmtpConfigError(
                f"refusing to log in to {host} without TLS: set smtp.security to starttls or tls"
            )
        return cls(host, port or smtp.port, smtp.security, smtp.user, password, smtp.timeout,
                   smtp.rate_limit, smtp.retries, smtp.retry_delay,
                   root / smtp.ca_file if smtp.ca_file else None)

    def scrub(self, text: str) -> str:
        """``text`` without the password in any form an SMTP exchange could carry it."""
        if not self.password:
            return text
        forms = {self.password,
                 base64.b64encode(self.password.encode()).decode(),
                 base64.b64encode(f"\0{self.user}\0{self.password}".encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "********")
        return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
