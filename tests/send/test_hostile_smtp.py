"""The SMTP server is untrusted: slow, endless, huge, malformed, out-of-turn and TLS-refusing servers.

Each class has many cases.  What must hold: every step ends within
``smtp.timeout``; replies are bounded in lines and bytes, so memory stays
bounded whatever the server sends; nothing is ever counted as sent without
the server's 250 after the final dot; and a message is only ``unknown`` when
the server might really have it.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.send.campaign import message_bytes
from pubkit.send.smtp import Attempt, SmtpConfig, SmtpConfigError, SmtpSender, SmtpUnavailable
from pubkit.send.smtp_wire import MAX_LINE, MAX_LINES, MAX_REPLY
from pubkit.site import Site
from tests.send.compliant import configure, write_csv
from tests.send.hostile import (
    NORMAL,
    HostileServer,
    close,
    cut_mid_data,
    drip,
    endless,
    hostile,
    silent,
)
from tests.send.letters import SENDER, message
from tests.send.smtp_server import make_certificate

TIMEOUT = 1.0
BOUND = 8.0
"""Far above what any case should take at TIMEOUT = 1, far below hanging."""
RCPT = "ann@example.org"


def sender(port: int, **kw: object) -> tuple[SmtpSender, list[float]]:
    sleeps: list[float] = []
    base: dict[str, object] = {"security": "none", "timeout": TIMEOUT, "retries": 1,
                               "retry_delay": 0.0}
    config = SmtpConfig("127.0.0.1", port, **{**base, **kw})  # type: ignore[arg-type]
    return SmtpSender(config, sleep=sleeps.append), sleeps


def deliver(s: SmtpSender, rcpt: str = RCPT, big: bool = False) -> Attempt:
    data = message_bytes(message(rcpt, body="Hello.\n" * 50))
    if big:  # more than the sockets' buffers hold: a hang-up mid-DATA shows while sending
        data = data.replace(b"Hello.", b"Hello." + b"x" * 990, 1) + b"y" * 990 * 20_000
    return s.deliver(SENDER, rcpt, data, lambda: None, lambda a: None)


def timed(action: Callable[[], object]) -> tuple[object, float]:
    start = time.monotonic()
    try:
        result: object = action()
    except Exception as exc:
        result = exc
    return result, time.monotonic() - start


# -- slow and silent servers: every step has an overall deadline --------------------------

SLOW = [
    ("greeting", {"greeting": drip(NORMAL["greeting"])}),
    ("EHLO", {"EHLO": drip(NORMAL["EHLO"])}),
    ("EHLO last line", {"EHLO": lambda p: (p.say(b"250-hostile.test\r\n"),
                                          drip(b"250 8BITMIME\r\n")(p))}),
    ("greeting silent", {"greeting": silent}),
    ("EHLO silent", {"EHLO": silent}),
    ("greeting without line end", {"greeting": b"220 hostile.test ESMTP"}),
]


@pytest.mark.parametrize(("stage", "script"), SLOW, ids=[s for s, _ in SLOW])
def test_a_slow_or_silent_server_at_connection_stops_the_run_in_time(stage: str,
                                                                     script: dict) -> None:
    with hostile(script) as server:
        s, sleeps = sender(server.port, retries=3)
        result, elapsed = timed(s.open)
    assert isinstance(result, SmtpUnavailable), result
    assert "smtp.timeout" in str(result) and "127.0.0.1" in str(result)
    assert elapsed < BOUND
    assert server.connections == 1 and sleeps == []  # a timeout is not worth retrying


SLOW_IN_TRANSACTION = [
    ("MAIL", {"MAIL": drip(NORMAL["MAIL"])}),
    ("RCPT", {"RCPT": drip(NORMAL["RCPT"])}),
    ("DATA", {"DATA": drip(NORMAL["DATA"])}),
    ("MAIL silent", {"MAIL": silent}),
    ("RCPT silent", {"RCPT": silent}),
    ("RCPT without line end", {"RCPT": b"250 ok"}),
    ("DATA silent", {"DATA": silent}),
]


@pytest.mark.parametrize(("stage", "script"), SLOW_IN_TRANSACTION,
                         ids=[s for s, _ in SLOW_IN_TRANSACTION])
def test_a_server_that_stalls_before_the_message_ends_the_run_unsent(stage: str,
                                                                     script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port)
        result, elapsed = timed(lambda: deliver(s))
    assert isinstance(result, SmtpUnavailable), result
    assert elapsed < BOUND and server.messages == []


@pytest.mark.parametrize("script", [{"END": drip(NORMAL["END"])}, {"END": silent},
                                    {"END": b"250 queued"}], ids=["drip", "silent", "no CRLF"])
def test_a_server_that_stalls_after_the_message_leaves_it_unknown_and_stops(
        script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port)
        attempt, elapsed = timed(lambda: deliver(s))
        assert isinstance(attempt, Attempt) and attempt.status == "unknown", attempt
        assert elapsed < BOUND and len(server.messages) == 1  # it may well have it
        with pytest.raises(SmtpUnavailable, match=r"smtp\.timeout"):
            deliver(s, "bo@example.org")  # the run stops rather than wait on every recipient


def test_a_server_that_reads_the_message_too_slowly_is_not_waited_for() -> None:
    def slow_reader(peer: object) -> None:
        time.sleep(30)  # never reads: the client's buffers fill and sendall blocks

    with hostile({"MESSAGE": slow_reader}) as server:
        s, _ = sender(server.port)
        result, elapsed = timed(lambda: deliver(s, big=True))
    assert isinstance(result, SmtpUnavailable), result
    assert "stopped reading within smtp.timeout" in str(result) and elapsed < BOUND


# -- endless, huge and line-less replies: bounded lines, bytes and memory ----------------

ENDLESS = [
    ("greeting", {"greeting": endless(b"220-still greeting\r\n")}),
    ("EHLO", {"EHLO": endless(b"250-FEATURE\r\n")}),
    ("MAIL", {"MAIL": endless(b"250-ok\r\n")}),
    ("RCPT", {"RCPT": endless(b"250-ok\r\n")}),
    ("DATA", {"DATA": endless(b"354-go\r\n")}),
    ("greeting huge line", {"greeting": endless(b"2")}),
    ("EHLO huge line", {"EHLO": endless(b"250-" + b"A" * 1000)}),
    ("RCPT huge line", {"RCPT": endless(b"250 " + b"x" * 65536)}),
    ("many short lines", {"EHLO": b"250-x\r\n" * (MAX_LINES + 5) + b"250 x\r\n"}),
    ("long reply in bytes", {"EHLO": (b"250-" + b"F" * 1000 + b"\r\n") * 40 + b"250 x\r\n"}),
]


@pytest.mark.parametrize(("stage", "script"), ENDLESS, ids=[s for s, _ in ENDLESS])
def test_endless_or_huge_replies_are_cut_off_with_bounded_memory(stage: str,
                                                                 script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, retries=0)
        tracemalloc.start()
        try:
            result, elapsed = timed(lambda: deliver(s))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert elapsed < BOUND
    assert peak < 2 * 1024 * 1024, peak  # the server sent far more than this
    text = str(result.detail if isinstance(result, Attempt) else result)
    assert "broke the SMTP protocol" in text, text
    assert server.messages == []


def test_reply_limits_are_what_the_module_says() -> None:
    assert (MAX_LINE, MAX_LINES, MAX_REPLY) == (2048, 100, 16 * 1024)


@pytest.mark.parametrize("script", [
    {"END": endless(b"250-queued\r\n")}, {"END": endless(b"9")},
    {"END": b"250-one\r\n550 two\r\n"}, {"END": b"2.0.0 queued\r\n"},
], ids=["endless", "huge line", "mixed codes", "no code"])
def test_a_broken_reply_after_the_message_is_unknown_never_sent(script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port)
        attempt = deliver(s)
    assert attempt.status == "unknown" and attempt.data_sent
    assert len(server.messages) == 1


def test_bare_lf_replies_are_understood() -> None:
    lf = {k: v.replace(b"\r\n", b"\n") for k, v in NORMAL.items()}
    with hostile(lf) as server:
        s, _ = sender(server.port)
        assert deliver(s).status == "sent"
        s.close()


# -- wrong codes: only the replies each command may get count ----------------------------

WRONG_BEFORE_DATA = [
    ("MAIL 354", {"MAIL": b"354 go ahead\r\n"}),
    ("MAIL 220", {"MAIL": b"220 hello again\r\n"}),
    ("RCPT 354", {"RCPT": b"354 go ahead\r\n"}),
    ("RCPT 221", {"RCPT": b"221 bye\r\n"}),
    ("DATA 250", {"DATA": b"250 ok\r\n"}),
    ("DATA 220", {"DATA": b"220 hi\r\n"}),
    ("RCPT 6xx", {"RCPT": b"650 what\r\n"}),
    ("RCPT text", {"RCPT": b"abc ok\r\n"}),
    ("RCPT 4 digits", {"RCPT": b"2500 ok\r\n"}),
    ("RCPT mixed codes", {"RCPT": b"250-ok\r\n550 no\r\n"}),
    ("RCPT 1xx", {"RCPT": b"150 maybe\r\n"}),
]


@pytest.mark.parametrize(("case", "script"), WRONG_BEFORE_DATA,
                         ids=[c for c, _ in WRONG_BEFORE_DATA])
def test_a_wrong_code_before_the_data_never_sends_the_message(case: str, script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, retries=1)
        attempt = deliver(s)
    assert attempt.status == "failed" and attempt.temporary, attempt
    assert not attempt.data_sent and server.messages == []
    # The message text never reached the server as commands either.
    assert not any(b"Hello." in c for c in server.commands)
    assert server.connections == 2  # the conversation was out of step: a fresh connection


WRONG_AFTER_DATA = [b"354 more?\r\n", b"220 hello\r\n", b"199 hmm\r\n", b"251 ok\r\n",
                    b"300 ok\r\n", b"200 fine\r\n"]


@pytest.mark.parametrize("reply", WRONG_AFTER_DATA, ids=[r[:3].decode() for r in WRONG_AFTER_DATA])
def test_a_wrong_code_after_the_message_is_unknown(reply: bytes) -> None:
    with hostile({"END": reply}) as server:
        s, _ = sender(server.port)
        attempt = deliver(s)
    assert attempt.status == "unknown" and attempt.data_sent, attempt
    assert len(server.messages) == 1


@pytest.mark.parametrize(("greeting", "words"), [
    (b"554 go away\r\n", "554"), (b"421 busy\r\n", "421"), (b"250 hello?\r\n", "250"),
    (b"hello\r\n", "broke the SMTP protocol"),
])
def test_a_refusing_greeting_stops_after_bounded_tries(greeting: bytes, words: str) -> None:
    with hostile({"greeting": greeting}) as server:
        s, sleeps = sender(server.port, retries=2, retry_delay=0.25)
        with pytest.raises(SmtpUnavailable, match=words):
            s.open()
    assert server.connections == 3 and sleeps == [0.25, 0.5]


def test_4xx_and_5xx_after_the_message_are_believed() -> None:
    with hostile({"END": b"550 5.7.1 rejected\r\n"}, {"END": b"451 4.3.0 later\r\n"},
                 {}) as server:
        s, _ = sender(server.port, retries=0)
        assert (deliver(s).status, deliver(s).status) == ("failed", "failed")


# -- out of turn: no stale reply is ever taken as the answer to the next command --------

OUT_OF_TURN = [
    ("two replies to MAIL", {"MAIL": b"250 ok\r\n250 ok\r\n"}),
    ("two replies to RCPT", {"RCPT": b"250 ok\r\n550 no\r\n"}),
    ("a reply glued to the greeting", {"greeting": b"220 hi\r\n250 ok\r\n"}),
    ("EHLO and more", {"EHLO": NORMAL["EHLO"] + b"250 extra\r\n"}),
    ("unasked greeting", {"greeting": b"220 hi\r\n220 hi again\r\n"}),
]


@pytest.mark.parametrize(("case", "script"), OUT_OF_TURN, ids=[c for c, _ in OUT_OF_TURN])
def test_bytes_out_of_turn_break_the_conversation(case: str, script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, retries=0)
        result, _ = timed(lambda: deliver(s))
    text = str(result.detail if isinstance(result, Attempt) else result)
    assert "out of turn" in text or "more than one reply" in text, text
    assert server.messages == []


# -- disconnects -------------------------------------------------------------------------

def test_a_disconnect_mid_data_is_retried_and_delivered_once() -> None:
    with hostile({"MESSAGE": cut_mid_data}, {}) as server:
        s, _ = sender(server.port, retries=2, timeout=5.0)
        attempt = deliver(s, big=True)
    # The final dot never left, so the server cannot have the first copy: sent again, once.
    assert attempt.status == "sent"
    assert len(server.messages) == 1 and server.connections == 2


@pytest.mark.parametrize(("script", "status"), [
    ({"greeting": close}, SmtpUnavailable),
    ({"EHLO": close}, SmtpUnavailable),
    ({"MAIL": close}, "failed"),
    ({"RCPT": close}, "failed"),
    ({"DATA": close}, "failed"),
    ({"MESSAGE": cut_mid_data}, "failed"),
    ({"END": close}, "unknown"),
], ids=["greeting", "EHLO", "MAIL", "RCPT", "DATA", "mid-DATA", "after the dot"])
def test_a_server_that_always_hangs_up(script: dict, status: object) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, retries=1)
        result, elapsed = timed(lambda: deliver(s, big="MESSAGE" in script))
    assert elapsed < BOUND
    if isinstance(status, str):
        assert isinstance(result, Attempt) and result.status == status, result
        assert result.status == "unknown" or server.messages == []
    else:
        assert isinstance(result, status)


# -- TLS: refused, broken or stalled, never a fall-back to plain text ---------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


STARTTLS_EHLO = b"250-hostile.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
TLS_CASES = [
    ("not offered", {}, SmtpConfigError, "does not offer STARTTLS"),
    ("454", {"EHLO": STARTTLS_EHLO, "STARTTLS": b"454 4.7.0 TLS not available\r\n"},
     SmtpConfigError, "refused STARTTLS: 454"),
    ("501", {"EHLO": STARTTLS_EHLO, "STARTTLS": b"501 5.5.4 no\r\n"}, SmtpConfigError,
     "refused STARTTLS: 501"),
    ("garbage instead of TLS", {"EHLO": STARTTLS_EHLO,
                                "after_starttls": lambda p: (p.line(),
                                                             p.say(b"250 plain text\r\n" * 50))},
     SmtpConfigError, "TLS handshake failed"),
    ("silence instead of TLS", {"EHLO": STARTTLS_EHLO, "after_starttls": silent},
     SmtpUnavailable, "TLS handshake"),
    ("dripped bytes instead of TLS", {"EHLO": STARTTLS_EHLO,
                                      "after_starttls": drip(b"\x16\x03\x01\x00\x10" * 10)},
     SmtpUnavailable, "TLS handshake"),
    ("hang up instead of TLS", {"EHLO": STARTTLS_EHLO, "after_starttls": close},
     (SmtpConfigError, SmtpUnavailable), "127.0.0.1"),
    ("injected reply after 220", {"EHLO": STARTTLS_EHLO,
                                  "STARTTLS": b"220 ready\r\n250 injected\r\n"},
     SmtpUnavailable, "more than one reply"),
]


@pytest.mark.parametrize(("case", "script", "error", "words"), TLS_CASES,
                         ids=[c[0] for c in TLS_CASES])
def test_starttls_refused_or_broken_sends_nothing(case: str, script: dict, error: type,
                                                  words: str) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, security="starttls", retries=0)
        result, elapsed = timed(s.open)
    assert isinstance(result, error), result
    assert words in str(result) and elapsed < BOUND
    assert not any(c.startswith((b"MAIL", b"AUTH")) for c in server.commands)


@pytest.mark.parametrize("script", [{}, {"greeting": silent}, {"greeting": drip(b"220 x\r\n")}],
                         ids=["plain text", "silent", "dripping"])
def test_implicit_tls_to_a_server_that_does_not_speak_it(script: dict) -> None:
    with hostile(script) as server:
        s, _ = sender(server.port, security="tls", retries=0)
        result, elapsed = timed(s.open)
    assert isinstance(result, SmtpUnavailable | SmtpConfigError), result
    assert elapsed < BOUND


def test_a_dripping_tls_handshake_is_bounded(certificate: tuple[Path, Path]) -> None:
    """A real TLS server whose every byte arrives late: the handshake has one deadline."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*certificate)
        inner, outer = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(inner, outer, server_side=True)
        conn.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                inner.write(conn.recv(65536))
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return
            for byte in outer.read():
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        s, _ = sender(port, security="tls", retries=0, ca_file=certificate[0])
        result, elapsed = timed(s.open)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert isinstance(result, SmtpUnavailable) and "TLS handshake" in str(result), result
    assert elapsed < BOUND


# -- what the server says reaches the terminal only as plain, short text -----------------

@pytest.mark.parametrize("text", [
    b"550 \x1b[2J\x1b[31mYOUR COMPUTER IS INFECTED\x1b[0m\r\n",
    b"550 no\x00such\x07user\r\n",
    b"550 " + b"A" * 1500 + b"\r\n",
    b"550 \xff\xfe bad bytes\r\n",
])
def test_server_text_is_shown_plain_and_short(text: bytes) -> None:
    with hostile({"RCPT": text}) as server:
        s, _ = sender(server.port)
        attempt = deliver(s)
    assert attempt.status == "failed" and attempt.code == 550
    assert attempt.detail.isprintable() and "\x1b" not in attempt.detail
    assert len(attempt.detail) < 400


# -- the whole command -------------------------------------------------------------------

@pytest.mark.parametrize(("script", "code"), [
    ({"greeting": drip(NORMAL["greeting"], 0.5)}, 3),
    ({"EHLO": endless(b"250-FEATURE\r\n")}, 3),
    ({"END": silent}, 3),
    ({"RCPT": b"354 go\r\n"}, 3),
], ids=["slow greeting", "endless EHLO", "silent after the data", "wrong RCPT code"])
def test_pubkit_send_yes_ends_in_time_and_says_it_is_incomplete(sample_site: Site, script: dict,
                                                                code: int) -> None:
    site = sample_site
    configure(site.root, smtp='\n[smtp]\nhost = "127.0.0.1"\nsecurity = "none"\n'
                             'timeout = 2.0\nretries = 1\nretry_delay = 0\n')
    write_csv(site.root / "list.csv", [(f"p{i}@example.org", f"P{i}") for i in range(8)])
    with HostileServer(script) as server:
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pubkit", "send", "sample", "--to", "list.csv", "--yes",
             "--json", "--smtp-port", str(server.port), "--site", str(site.root)],
            cwd=site.root, capture_output=True, text=True, timeout=120, env=os.environ.copy())
        elapsed = time.monotonic() - start
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 30  # start-up and composing included; 8 recipients, timeout 2 s
    if done.stdout:
        report = json.loads(done.stdout)
        assert report["sent"] == 0 and (report["pending"] or report["unknown"]
                                        or report["failed"])
