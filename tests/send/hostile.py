"""Hostile SMTP servers on 127.0.0.1, written with ``socket``: each stage can misbehave.

:class:`HostileServer` speaks ordinary SMTP except where a test's script says
otherwise: a stage (``greeting``, ``EHLO``, ``MAIL``, ``RCPT``, ``DATA``, ``END``
after the final dot, ``STARTTLS``, ``RSET``, ``QUIT``) maps to the bytes to send
instead, or to a callable that does something worse with the connection
(:func:`drip`, :func:`endless`, :func:`silent`, :func:`close`).  A script may be
given per connection number, so a server can fail once and then behave.
Every loop is bounded by the server's stop event and a socket timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Action = bytes | Callable[["Peer"], Any]
Script = dict[str, Action]

NORMAL: dict[str, bytes] = {
    "greeting": b"220 hostile.test ESMTP\r\n",
    "EHLO": b"250-hostile.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
    "HELO": b"250 hostile.test\r\n",
    "MAIL": b"250 2.1.0 ok\r\n",
    "RCPT": b"250 2.1.5 ok\r\n",
    "DATA": b"354 go ahead\r\n",
    "END": b"250 2.0.0 queued\r\n",
    "RSET": b"250 ok\r\n",
    "NOOP": b"250 ok\r\n",
    "QUIT": b"221 bye\r\n",
    "STARTTLS": b"220 ready\r\n",
}
CLOSE = "close"


class Peer:
    """One accepted connection, as the scripts see it."""

    def __init__(self, conn: socket.socket, stop: threading.Event) -> None:
        self.conn = conn
        self.stop = stop
        self.buffer = b""
        self.sent = 0

    def say(self, data: bytes) -> None:
        self.conn.sendall(data)
        self.sent += len(data)

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise ConnectionError("client closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    def until(self, marker: bytes) -> bytes:
        chunks = [self.buffer]
        tail = self.buffer
        while marker not in tail:
            chunk = self.conn.recv(1 << 20)
            if not chunk:
                raise ConnectionError("client closed")
            chunks.append(chunk)
            tail = tail[-len(marker):] + chunk  # look only where the marker could now be
        data, _, self.buffer = b"".join(chunks).partition(marker)
        return data


def drip(data: bytes, interval: float = 0.2) -> Callable[[Peer], None]:
    """Send ``data`` one byte at a time, ``interval`` seconds apart."""
    def act(peer: Peer) -> None:
        for byte in data:
            if peer.stop.wait(interval):
                return
            peer.say(bytes([byte]))
    return act


def endless(line: bytes, limit: int = 200_000_000) -> Callable[[Peer], None]:
    """Send ``line`` again and again (until the client hangs up or ``limit`` bytes)."""
    def act(peer: Peer) -> None:
        block = line * max(1, 65536 // len(line))
        while peer.sent < limit and not peer.stop.is_set():
            peer.say(block)
    return act


def silent(peer: Peer) -> None:
    """Say nothing until the client gives up."""
    while not peer.stop.wait(0.05):
        try:
            peer.conn.settimeout(0.05)
            if peer.conn.recv(1, socket.MSG_PEEK) == b"":
                return
        except TimeoutError:
            continue
        except OSError:
            return


def close(peer: Peer) -> str:
    return CLOSE


class HostileServer:
    """A threaded SMTP-ish server; ``scripts[n]`` (or the last one) drives connection ``n``."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = scripts or ({},)
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.commands: list[bytes] = []
        self.messages: list[bytes] = []
        self.sent_bytes: list[int] = []
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="hostile-smtp", daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            script = self.scripts[min(self.connections, len(self.scripts) - 1)]
            self.connections += 1
            thread = threading.Thread(target=self._talk, args=(conn, script), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _act(self, peer: Peer, script: Script, stage: str) -> bool:
        action = script.get(stage, NORMAL.get(stage, b"500 what?\r\n"))
        if callable(action):
            return action(peer) != CLOSE
        peer.say(action)
        return True

    def _talk(self, conn: socket.socket, script: Script) -> None:
        peer = Peer(conn, self.stop)
        conn.settimeout(30)
        try:
            if not self._act(peer, script, "greeting"):
                return
            while not self.stop.is_set():
                command = peer.line()
                self.commands.append(command)
                verb = command[:4].upper().strip().decode("ascii", "replace")
                verb = {"EHLO": "EHLO", "HELO": "HELO", "MAIL": "MAIL", "RCPT": "RCPT",
                        "DATA": "DATA", "RSET": "RSET", "QUIT": "QUIT", "NOOP": "NOOP",
                        "STAR": "STARTTLS"}.get(verb, verb)
                if not self._act(peer, script, verb):
                    return
                if verb == "QUIT":
                    return
                if verb == "STARTTLS" and "after_starttls" in script:
                    self._act(peer, script, "after_starttls")
                    return
                reply = script.get("DATA", NORMAL["DATA"])
                if verb == "DATA" and isinstance(reply, bytes) and reply.startswith(b"354"):
                    if "MESSAGE" in script and not self._act(peer, script, "MESSAGE"):
                        return
                    self.messages.append(peer.until(b"\r\n.\r\n"))
                    if not self._act(peer, script, "END"):
                        return
        except (ConnectionError, OSError):
            pass
        finally:
            self.sent_bytes.append(peer.sent)
            conn.close()

    def __enter__(self) -> HostileServer:
        self._accept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.listener.close()
        self._accept.join(5)
        for thread in self._threads:
            thread.join(5)


@contextmanager
def hostile(*scripts: Script) -> Iterator[HostileServer]:
    with HostileServer(*scripts) as server:
        yield server


def read_some(peer: Peer, count: int) -> None:
    """Read ``count`` bytes of the message, then hang up (a disconnect mid-DATA)."""
    while len(peer.buffer) < count:
        chunk = peer.conn.recv(count)
        if not chunk:
            break
        peer.buffer += chunk


def cut_mid_data(peer: Peer) -> str:
    read_some(peer, 200)
    return CLOSE


def pause(seconds: float) -> Callable[[Peer], None]:
    def act(peer: Peer) -> None:
        time.sleep(seconds)
    return act
