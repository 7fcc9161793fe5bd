"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 with scripted replies."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ACCEPT = "250 2.0.0 OK: queued"


class ScriptedHandler:
    """Accepts every message unless told otherwise, and remembers what it received.

    ``mail_reply`` answers every MAIL; ``rcpt_replies`` answers RCPT for an
    address; ``data_replies`` gives the replies to an address's next messages
    (one used per message, then 250); addresses in ``drop_after_data`` have
    their message kept, then the connection is cut before the reply.
    ``on_message(rcpt, total)`` runs after each message is kept.
    """

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        self.mail_reply: str | None = None
        self.rcpt_replies: dict[str, str] = {}
        self.data_replies: dict[str, list[str]] = {}
        self.drop_after_data: set[str] = set()
        self.on_message: Callable[[str, int], None] | None = None
        self.mail_from: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(rcpt for rcpt, _ in self.received)

    def message_to(self, address: str) -> bytes:
        return next(data for rcpt, data in self.received if rcpt == address.lower())

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        rcpt = envelope.rcpt_tos[0].lower()
        script = self.data_replies.get(rcpt)
        if script:
            reply = script.pop(0)
            if not reply.startswith("250"):
                return reply
        with self._lock:
            self.received.append((rcpt, envelope.content))
            self.mail_from.append(envelope.mail_from)
            total = len(self.received)
        if self.on_message is not None:
            self.on_message(rcpt, total)
        if rcpt in self.drop_after_data:
            server.transport.abort()  # the message arrived; its reply never leaves
        return ACCEPT


class PasswordCheck:
    """An authenticator accepting one user and password, remembering every try."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.tries: list[tuple[str, str]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.tries.append((user, password))
        ok = (user, password) == (self.user, self.password)
        return AuthResult(success=ok, handled=False)  # aiosmtpd then answers 235 or 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(handler: ScriptedHandler, **kwargs: Any) -> Iterator[Controller]:
    """Run ``handler`` behind aiosmtpd on a free port of 127.0.0.1."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA) and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key
