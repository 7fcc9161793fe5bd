"""SMTP delivery over one reused connection (``smtplib``).

:class:`SmtpSender` sends one message to one recipient per transaction and
says how it went as an :class:`Attempt`: ``sent`` (the server answered 250 to
the data), ``failed`` (a 5xx reply, a refused recipient, or 4xx replies until
the retries ran out), ``unknown`` (the connection broke after the message
data went out and before the reply, so the server may have it) or ``retry``
(a 4xx reply, or a connection lost before the data: safe to send again).
The caller's ``before_data`` hook runs just before the data is written, which
is where the ledger notes the send as ``unknown`` until the reply arrives.

The server is not trusted (see :mod:`pubkit.send.smtp_wire` for the
transport): a reply code other than the ones each command may get is a
protocol error that closes the connection; a connection lost while the
message is still being written is safe to retry (the server cannot have
accepted a message whose final dot never left); only a reply after the final
dot other than 250, 4xx or 5xx, or none at all, leaves the message
``unknown``.  A server that stops answering within ``timeout`` ends the run
(:class:`SmtpUnavailable`) instead of being retried for every recipient.

Every message this module makes passes through :meth:`SmtpConfig.scrub`, so
the password cannot reach the screen through a server's reply, and server
text is cut to :data:`MAX_DETAIL` printable characters.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pubkit.send.addresses import envelope_address
from pubkit.send.smtp_config import SmtpConfig, SmtpConfigError
from pubkit.send.smtp_wire import BoundedSMTP, StepTimeout

__all__ = ["Attempt", "SmtpConfig", "SmtpConfigError", "SmtpSender", "SmtpUnavailable"]

MAX_RETRY_DELAY = 60.0
MAX_DETAIL = 300
"""Characters of a server's reply kept in the report and the ledger."""
Stage = Literal["connection", "sender", "recipient", "data", "message", ""]


class SmtpUnavailable(Exception):
    """The server cannot be reached even after reconnecting; the run must stop."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one transaction; ``data_sent`` once the message data was written."""

    status: Literal["sent", "failed", "unknown", "retry"]
    code: int | None
    detail: str
    data_sent: bool = False
    stage: Stage = ""
    """Where it ended: ``recipient`` for a refused RCPT (a hard bounce when 5xx)."""
    temporary: bool = False
    """Worth trying later: a 4xx reply or a broken connection, after every retry."""


class SmtpSender:
    """One connection, opened on first use, reopened after it breaks, closed with QUIT."""

    def __init__(self, config: SmtpConfig, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._conn: BoundedSMTP | None = None
        self._next_start = 0.0
        self._stalled: str | None = None
        self.connections = 0

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Connect (and log in) now, so that settings errors show before the first message."""
        self._connection()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def deliver(self, sender: str, rcpt: str, data: bytes, before_data: Callable[[], None],
                on_retry: Callable[[Attempt], None]) -> Attempt:
        """Send until the server decides, retrying 4xx replies with growing pauses."""
        for tries in range(1, self.config.retries + 2):
            attempt = self.send(sender, rcpt, data, before_data)
            if attempt.status != "retry":
                return attempt
            if tries > self.config.retries:
                return Attempt("failed", attempt.code, f"gave up after {tries} tries: "
                               f"{attempt.detail}", attempt.data_sent, attempt.stage, True)
            on_retry(attempt)
            self._sleep(min(self.config.retry_delay * 2 ** (tries - 1), MAX_RETRY_DELAY))
        raise AssertionError("unreachable")

    def send(self, sender: str, rcpt: str, data: bytes,
             before_data: Callable[[], None]) -> Attempt:
        """One transaction: MAIL, RCPT, DATA, the message, the reply."""
        if self._stalled:
            raise SmtpUnavailable(self._stalled)
        self._pace()
        conn = self._connection()
        options, problem = self._mail_options(conn, sender, rcpt, data)
        if problem:
            return Attempt("failed", None, problem, stage="recipient")
        try:
            code, text = conn.mail(envelope_address(sender), options)
            if 500 <= code < 600:
                # Not this recipient's fault: every message would be refused the same way.
                self._refused(code, text, "sender")
                raise SmtpConfigError(self._say(
                    f"the server refused the sender {sender}: {self._reply(code, text)} "
                    "(check smtp.envelope_from and email.from_address)"))
            if code != 250:
                return self._refused(code, text, "sender")
            code, text = conn.rcpt(envelope_address(rcpt))
            if code not in (250, 251):
                return self._refused(code, text, "recipient")
            code, text = conn.docmd("DATA")
            if code != 354:
                return self._refused(code, text, "data")
        except StepTimeout as exc:
            self._drop()
            raise SmtpUnavailable(self._say(f"{self._where()}: {exc}")) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return Attempt("retry", None, self._say(f"connection lost before the message: {exc}"),
                           stage="connection")
        before_data()
        try:
            conn.send(_wire(data))
        except (smtplib.SMTPException, OSError) as exc:
            # The final dot never left, so the server cannot have accepted the message.
            self._drop()
            if isinstance(exc, StepTimeout):
                self._stalled = self._say(f"{self._where()}: {exc}")
            return Attempt("retry", None, self._say(
                f"connection lost while sending the message: {exc}"), True, "message")
        try:
            code, text = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            if isinstance(exc, StepTimeout):
                self._stalled = self._say(f"{self._where()}: {exc}")
            return Attempt("unknown", None, self._say(
                f"connection lost after the message data, before the server's reply: {exc}"
            ), True, "message")
        reply = self._reply(code, text)
        if code == 250:
            return Attempt("sent", code, reply, True, "message")
        if 400 <= code < 600:
            if code == 421:
                self._drop()
            kind: Literal["retry", "failed"] = "retry" if code < 500 else "failed"
            return Attempt(kind, code, f"message refused: {reply}", True, "message")
        self._drop()  # a reply that is neither yes nor no: the server may have the message
        return Attempt("unknown", code, f"unexpected reply to the message: {reply}", True,
                       "message")

    def _refused(self, code: int, text: bytes, what: Stage) -> Attempt:
        if not 400 <= code < 600:
            self._drop()  # a code this command cannot get: the conversation is out of step
            return Attempt("retry", code, self._say(
                f"unexpected reply to the {what}: {self._reply(code, text)}"), stage="connection")
        if code == 421:
            self._drop()  # the server is closing this connection
        else:
            try:
                self._conn.rset()  # type: ignore[union-attr]
            except (smtplib.SMTPException, OSError):
                self._drop()
        kind: Literal["retry", "failed"] = "retry" if 400 <= code < 500 else "failed"
        label = "DATA" if what == "data" else what
        return Attempt(kind, code, f"{label} refused: {self._reply(code, text)}", stage=what)

    def _where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def _mail_options(self, conn: smtplib.SMTP, sender: str, rcpt: str,
                      data: bytes) -> tuple[list[str], str | None]:
        options = []
        if not (envelope_address(sender).isascii() and envelope_address(rcpt).isascii()):
            if not conn.has_extn("smtputf8"):
                return [], "the server does not accept non-ASCII addresses (no SMTPUTF8)"
            options.append("SMTPUTF8")
        if not data.isascii() and conn.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        return options, None

    def _pace(self) -> None:
        if self.config.rate_limit <= 0:
            return
        now = self._clock()
        if self._next_start > now:
            self._sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + 1.0 / self.config.rate_limit

    def _connection(self) -> BoundedSMTP:
        """The open connection, or a new one (with a few paced tries before giving up).

        A server that does not answer within the timeout is not tried again:
        waiting for it ``retries`` more times would only multiply the wait.
        """
        if self._conn is not None:
            return self._conn
        last = ""
        for tries in range(1, self.config.retries + 2):
            try:
                self._conn = self._connect()
                self.connections += 1
                return self._conn
            except StepTimeout as exc:
                raise SmtpUnavailable(self._say(f"cannot reach {self._where()}: {exc}")) from None
            except (smtplib.SMTPException, OSError) as exc:
                last = self._say(str(exc) or type(exc).__name__)
            if tries <= self.config.retries:
                self._sleep(min(self.config.retry_delay * 2 ** (tries - 1), MAX_RETRY_DELAY))
        raise SmtpUnavailable(f"cannot reach {self.config.host}:{self.config.port}: {last}")

    def _connect(self) -> BoundedSMTP:
        cfg = self.config
        conn = BoundedSMTP(cfg.timeout, self._tls_context() if cfg.security == "tls" else None)
        try:
            code, text = conn.connect(cfg.host, cfg.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, self._reply(code, text))
            conn.ehlo_or_helo_if_needed()
            if cfg.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise SmtpConfigError(
                        f"{cfg.host}:{cfg.port} does not offer STARTTLS; set smtp.security "
                        "to \"tls\" for implicit TLS (\"none\" only for a local test server)"
                    )
                try:
                    conn.starttls(context=self._tls_context())
                except smtplib.SMTPResponseException as exc:
                    raise SmtpConfigError(self._say(
                        f"{cfg.host}:{cfg.port} refused STARTTLS: "
                        f"{self._reply(exc.smtp_code, exc.smtp_error)}; nothing is sent "
                        "without TLS")) from None
                except ssl.SSLCertVerificationError:
                    raise
                except ssl.SSLError as exc:
                    raise SmtpConfigError(
                        f"{cfg.host}:{cfg.port}: TLS handshake failed ({exc.reason or exc}); "
                        "nothing is sent without TLS") from None
                conn.ehlo()
            if cfg.user:
                self._login(conn)
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            raise self._untrusted(exc) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _untrusted(self, exc: ssl.SSLCertVerificationError) -> SmtpConfigError:
        return SmtpConfigError(
            f"{self.config.host}:{self.config.port}: TLS certificate not trusted "
            f"({exc.verify_message}); set smtp.ca_file for a private certificate authority"
        )

    def _login(self, conn: smtplib.SMTP) -> None:
        cfg = self.config
        offered = conn.esmtp_features.get("auth", "").upper().split()
        # One mechanism only: after a refusal smtplib's login() would try the next one,
        # which some servers never answer.  PLAIN and LOGIN are safe inside TLS.
        mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
        if mechanism is None:
            raise SmtpConfigError(f"{cfg.host} offers no PLAIN or LOGIN authentication")
        conn.user, conn.password = cfg.user or "", cfg.password or ""
        method = conn.auth_plain if mechanism == "PLAIN" else conn.auth_login
        try:
            conn.auth(mechanism, method)
        except smtplib.SMTPAuthenticationError as exc:
            reply = self._reply(exc.smtp_code, exc.smtp_error)
            raise SmtpConfigError(f"{cfg.host} refused the login of {cfg.user}: {reply}") from None
        except smtplib.SMTPNotSupportedError:
            raise SmtpConfigError(f"{cfg.host} does not offer a login (AUTH)") from None
        except smtplib.SMTPException as exc:
            raise SmtpConfigError(self._say(f"login to {cfg.host} failed: {exc}")) from None

    def _tls_context(self) -> ssl.SSLContext:
        ca = self.config.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _reply(self, code: int, text: bytes | str) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        # Server text reaches a terminal: no escape sequences, no control characters.
        shown = " ".join("".join(ch if ch.isprintable() else "?" for ch in text).split())
        if len(shown) > MAX_DETAIL:
            shown = shown[:MAX_DETAIL - 1] + "…"
        return self._say(f"{code} {shown}")

    def _say(self, text: str) -> str:
        return self.config.scrub(text)


_BARE_EOL = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def _wire(data: bytes) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, the final dot."""
    data = _LEADING_DOT.sub(b"..", _BARE_EOL.sub(b"\r\n", data))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"
