"""An SMTP conversation that trusts nothing the server does: :class:`BoundedSMTP`.

``smtplib`` applies its timeout to each read, so a server that answers one
byte every half second never times out, and it keeps every line of a reply,
so a server that never ends its reply fills the memory.  This subclass keeps
smtplib's commands and replaces the transport under them:

- every step (resolving and connecting, the TLS handshake, the greeting, each
  command or the message data together with the reply) must finish within
  ``step_timeout`` seconds overall, however the server trickles its bytes;
- a reply has at most :data:`MAX_LINES` lines of :data:`MAX_LINE` bytes and
  :data:`MAX_REPLY` bytes in all, each line starting with the same valid
  code; anything else is a :class:`ProtocolError` and the connection is
  closed, because the client can no longer tell which reply answers what;
- bytes the server sends out of turn (a second reply, data after STARTTLS's
  220 before the handshake) are a :class:`ProtocolError` too, so no stale
  reply is ever taken as the answer to the next command.

Memory stays bounded by the line limit plus one read, whatever arrives.
"""

from __future__ import annotations

import select
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from typing_extensions import Buffer

MAX_LINE = 2048
"""Bytes in one reply line (RFC 5321 allows 512; extensions stay well under this)."""
MAX_LINES = 100
"""Lines in one reply (an EHLO reply has a dozen or so)."""
MAX_REPLY = 16 * 1024
"""Bytes in one whole reply."""
_READ = 4096


class ProtocolError(smtplib.SMTPException):
    """The server broke the protocol (a malformed, oversized or unrequested reply)."""


class StepTimeout(TimeoutError):
    """A step of the conversation did not finish within the step timeout."""


@cache
def local_name() -> str:
    """The name this machine gives in EHLO, found without waiting on DNS."""
    name = socket.gethostname()
    return name if name and "." in name else f"{name or 'localhost'}.localdomain"


def resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` with a deadline (the resolver itself has none we can set)."""
    found: list[list[tuple[Any, ...]]] = []
    failed: list[BaseException] = []

    def look_up() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            failed.append(exc)

    worker = threading.Thread(target=look_up, name="pubkit-resolve", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise StepTimeout(f"cannot resolve {host} within {timeout:g} s")
    if failed:
        raise failed[0]
    return found[0]


class BoundedSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` with an overall deadline per step and bounded replies.

    ``tls`` makes it implicit TLS (SMTPS); otherwise :meth:`starttls` upgrades.
    """

    def __init__(self, step_timeout: float, tls: ssl.SSLContext | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.step_timeout = step_timeout
        self._clock = clock
        self._deadline = float("inf")
        self._buffer = bytearray()
        self._implicit_tls = tls
        super().__init__(local_hostname=local_name(), timeout=step_timeout)

    # -- deadlines -------------------------------------------------------------------------

    def begin_step(self) -> None:
        self._deadline = self._clock() + self.step_timeout

    def _remaining(self, what: str) -> float:
        left = self._deadline - self._clock()
        if left <= 0:
            self.close()
            raise StepTimeout(f"{what}: no answer within smtp.timeout ({self.step_timeout:g} s)")
        return left

    # -- connecting ------------------------------------------------------------------------

    def connect(self, host: str = "localhost", port: int = 0,
                source_address: Any = None) -> tuple[int, bytes]:
        self.begin_step()
        self._host = host
        return super().connect(host, port, source_address)

    def _get_socket(self, host: str, port: int, timeout: Any) -> socket.socket:
        last: OSError | None = None
        for family, kind, proto, _, address in resolve(host, port, self._remaining("resolve")):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._remaining(f"connect to {host}:{port}"))
                sock.connect(address)
            except TimeoutError:
                sock.close()
                raise StepTimeout(f"connect to {host}:{port}: no answer within smtp.timeout "
                                  f"({self.step_timeout:g} s)") from None
            except OSError as exc:
                sock.close()
                last = exc
                continue
            if self._implicit_tls is not None:
                return self._handshake(self._implicit_tls, sock)
            return sock
        raise last or OSError(f"cannot connect to {host}:{port}")

    def _handshake(self, context: ssl.SSLContext, sock: socket.socket) -> ssl.SSLSocket:
        """The TLS handshake, within one step however slowly the server answers."""
        self.begin_step()
        tls = context.wrap_socket(sock, server_hostname=self._host, do_handshake_on_connect=False)
        tls.settimeout(0.0)
        try:
            while True:
                wait: tuple[list[ssl.SSLSocket], list[ssl.SSLSocket]]
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    wait = ([tls], [])
                except ssl.SSLWantWriteError:
                    wait = ([], [tls])
                left = self._deadline - self._clock()
                if left <= 0 or not any(select.select(*wait, [], left)):
                    raise StepTimeout(f"TLS handshake with {self._host}: not finished within "
                                      f"smtp.timeout ({self.step_timeout:g} s)")
        except BaseException:
            tls.close()
            raise
        tls.settimeout(self.step_timeout)
        return tls

    def starttls(self, keyfile: Any = None, certfile: Any = None,
                 context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
        """STARTTLS, refusing to go on in plain text and any bytes sent before the handshake."""
        self.ehlo_or_helo_if_needed()
        if not self.has_extn("starttls"):
            raise smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")
        code, reply = self.docmd("STARTTLS")
        if code != 220:
            raise smtplib.SMTPResponseException(code, reply)
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.sock = self._handshake(context or ssl.create_default_context(), self.sock)
        self.file = None
        self.helo_resp = None
        self.ehlo_resp = None
        self.esmtp_features = {}
        self.does_esmtp = False
        return code, reply

    # -- sending and reading ---------------------------------------------------------------

    def send(self, s: Buffer | str) -> None:
        """Start a step: the bytes must leave, and the reply arrive, within the step timeout."""
        self.begin_step()
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        self._check_quiet()
        data = s.encode(self.command_encoding) if isinstance(s, str) else bytes(s)
        try:
            # Since Python 3.5 the timeout bounds the whole sendall, not each send.
            self.sock.settimeout(self._remaining("send"))
            self.sock.sendall(data)
        except TimeoutError:
            self.close()
            raise StepTimeout("the server stopped reading within smtp.timeout "
                              f"({self.step_timeout:g} s)") from None
        except OSError:
            self.close()
            raise smtplib.SMTPServerDisconnected("Server not connected") from None

    def _check_quiet(self) -> None:
        """The server may speak only when spoken to: unread bytes now are out of turn."""
        sock = self.sock
        if sock is None:
            return
        pending = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
        if not pending and not self._buffer:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return
            try:
                sock.settimeout(0.0)
                chunk = sock.recv(MAX_LINE)
            except (BlockingIOError, ssl.SSLWantReadError):
                return
            except OSError:
                chunk = b""
            finally:
                if self.sock is not None:
                    self.sock.settimeout(self.step_timeout)
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("the server closed the connection")
            self._buffer += chunk
        text = bytes(self._buffer[:200]).decode("ascii", "replace")
        self.close()
        raise ProtocolError(f"the server sent data out of turn: {text!r}")

    def getreply(self) -> tuple[int, bytes]:
        """One whole reply, bounded in time, lines and bytes; raises :class:`ProtocolError`."""
        lines: list[bytes] = []
        total = 0
        first = b""
        while True:
            line = self._read_line()
            total += len(line)
            if len(lines) >= MAX_LINES or total > MAX_REPLY:
                self._broken(f"reply longer than {MAX_LINES} lines or {MAX_REPLY} bytes")
            code, separator = line[:3], line[3:4]
            if not code.isdigit() or code[:1] not in b"12345" or separator not in (b" ", b"-",
                                                                                  b"\r", b"\n"):
                self._broken(f"malformed reply line {line[:80]!r}")
            if lines and code != first:
                self._broken(f"reply lines with different codes ({first!r}, then {code!r})")
            first = code
            lines.append(line[4:].strip(b" \t\r\n"))
            if separator != b"-":
                break
        if self._buffer:
            self._broken(f"more than one reply at once: {bytes(self._buffer[:80])!r}")
        return int(first), b"\n".join(lines)

    def _read_line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end + 1])
                del self._buffer[:end + 1]
                if len(line) > MAX_LINE:
                    self._broken(f"reply line longer than {MAX_LINE} bytes")
                return line
            if len(self._buffer) > MAX_LINE:
                self._broken(f"reply line longer than {MAX_LINE} bytes (no line end)")
            sock = self.sock
            if sock is None:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            try:
                sock.settimeout(self._remaining("waiting for the server's reply"))
                chunk = sock.recv(_READ)
            except TimeoutError:
                self.close()
                raise StepTimeout("no complete reply from the server within smtp.timeout "
                                  f"({self.step_timeout:g} s)") from None
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {exc}") from None
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self._buffer += chunk

    def _broken(self, what: str) -> NoReturn:
        self.close()
        raise ProtocolError(f"the server broke the SMTP protocol: {what}")

    def close(self) -> None:
        self._buffer.clear()
        super().close()
