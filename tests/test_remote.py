"""Fetching from web servers that are not trusted (pubkit/remote.py).

Every server here is a real socket on 127.0.0.1, written to misbehave in one
way.  Loopback is not a public address, so these tests pass ``allowed`` (the
address judge) that admits 127.0.0.2 or loopback; the tests of the judge
itself and of :class:`ResourcePolicy` use the real one, and no loopback server
is ever reached through them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pubkit import remote
from pubkit.resources import Refused, ResourcePolicy

Handler = Callable[[socket.socket], None]


def _loopback(address: remote.Address) -> bool:
    return address.is_loopback


@contextlib.contextmanager
def serving(handler: Handler, host: str = "127.0.0.1", port: int = 0) -> Iterator[tuple[int, list[bytes]]]:
    """A server on ``host`` that hands each connection to ``handler``; its port, and the
    first bytes of each request it was sent."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(8)
    hits: list[bytes] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    hits.append(conn.recv(4096))
                    handler(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], hits
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        listener.close()
        thread.join(5)


def answer(status: str = "200 OK", body: bytes = b"GIF89a", *headers: str) -> Handler:
    def handle(conn: socket.socket) -> None:
        head = [f"HTTP/1.1 {status}", "Content-Type: image/gif", f"Content-Length: {len(body)}",
                "Connection: close", *headers]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return handle


def test_a_well_behaved_server_gives_its_file() -> None:
    with serving(answer(body=b"GIF89a-body")) as (port, hits):
        data, kind = remote.fetch(f"http://127.0.0.1:{port}/a.gif?x=1", 5, 1000, _loopback)
    assert (data, kind) == (b"GIF89a-body", "image/gif")
    assert hits[0].startswith(b"GET /a.gif?x=1 HTTP/1.1\r\n")
    assert b"Host: 127.0.0.1:" in hits[0]


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("255.255.255.255", False), ("::1", False), ("::", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
    ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
    ("2002:a9fe:a9fe::", False),  # 6to4 around the metadata address
    ("64:ff9b::7f00:1", False),  # NAT64 around 127.0.0.1
    ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
    ("8.8.8.8", True), ("93.184.215.14", True), ("2606:4700::1111", True), ("2002:808:808::", True),
])
def test_the_judge_refuses_every_address_inside_a_network(address: str, public: bool) -> None:
    assert remote.is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001",
                                  "[::1]", "[::ffff:127.0.0.1]", "8.8.8.8@127.0.0.1"])
def test_the_site_policy_never_reaches_the_machine_itself(host: str, tmp_path: Path) -> None:
    policy = ResourcePolicy.for_dirs(tmp_path, [tmp_path], allow_remote=True)
    with serving(answer()) as (port, hits):
        with pytest.raises(Refused, match=r"private or loopback|cannot resolve"):
            policy.fetch_remote(f"http://{host}:{port}/p.gif")
        with pytest.raises(Refused):
            policy.fetch_remote(f"https://{host}:{port}/p.gif")
    assert hits == []


def test_remote_files_are_off_unless_allowed(tmp_path: Path) -> None:
    policy = ResourcePolicy.for_dirs(tmp_path, [tmp_path])
    with pytest.raises(Refused, match="remote resources are off"):
        policy.fetch_remote("http://93.184.215.14/p.gif")


@pytest.mark.parametrize("url", ["ftp://a.example/x", "http:///x", "http://a.example:99999/x",
                                 "http://a.example:-1/x", "file:///etc/passwd", "gopher://a.example/"])
def test_what_is_not_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(remote.RemoteRefused):
        remote.fetch(url, 2, 100, _loopback)


def test_a_redirect_is_not_followed() -> None:
    with serving(answer()) as (inner, inner_hits):
        location = f"Location: http://127.0.0.1:{inner}/secret"
        with (serving(answer("302 Found", b"", location)) as (port, _),
              pytest.raises(remote.RemoteRefused, match="redirects are not followed")):
            remote.fetch(f"http://127.0.0.1:{port}/p.gif", 5, 1000, _loopback)
    assert inner_hits == []


@pytest.mark.parametrize("status", ["404 Not Found", "500 Oops", "204 No Content", "206 Partial"])
def test_any_answer_but_200_is_refused(status: str) -> None:
    with (serving(answer(status)) as (port, _),
          pytest.raises(remote.RemoteRefused, match="HTTP " + status.split()[0])):
        remote.fetch(f"http://127.0.0.1:{port}/p.gif", 5, 1000, _loopback)


def _drip(head: bytes, every: float) -> Handler:
    def handle(conn: socket.socket) -> None:
        conn.sendall(head)
        for _ in range(200):
            conn.sendall(b"x")
            time.sleep(every)
    return handle


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",  # the body a byte at a time
    b"HTTP/1.1 200 OK\r\nX-Slow: ",  # a header that never ends
    b"",  # the status line, a byte at a time
])
def test_a_slow_server_is_cut_off_at_the_time_limit(head: bytes) -> None:
    with serving(_drip(head, 0.1)) as (port, _):
        start = time.monotonic()
        with pytest.raises(remote.RemoteRefused, match="no answer within 1 s"):
            remote.fetch(f"http://127.0.0.1:{port}/p.gif", 1.0, 10**6, _loopback)
        assert time.monotonic() - start < 3  # each byte came well within the socket's timeout


def test_a_silent_server_is_cut_off_too() -> None:
    with serving(lambda conn: time.sleep(2.5)) as (port, _):
        start = time.monotonic()
        with pytest.raises(remote.RemoteRefused, match="no answer within"):
            remote.fetch(f"http://127.0.0.1:{port}/p.gif", 1.0, 1000, _loopback)
        assert time.monotonic() - start < 3


def _endless(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n")
    block = b"\0" * 65536
    for _ in range(2000):  # 128 MiB, unless the client stops reading
        conn.sendall(block)


@pytest.mark.parametrize("handler", [_endless, answer(body=b"x" * 300_001)])
def test_a_body_over_the_limit_is_refused_when_the_limit_is_passed(handler: Handler) -> None:
    with serving(handler) as (port, _):
        start = time.monotonic()
        with pytest.raises(remote.RemoteRefused, match="larger than 300000 bytes"):
            remote.fetch(f"http://127.0.0.1:{port}/p.png", 10, 300_000, _loopback)
        assert time.monotonic() - start < 5


def test_a_body_of_exactly_the_limit_is_kept() -> None:
    with serving(answer(body=b"y" * 5000)) as (port, _):
        assert remote.fetch(f"http://127.0.0.1:{port}/p.gif", 5, 5000, _loopback)[0] == b"y" * 5000


def _raw(data: bytes) -> Handler:
    def handle(conn: socket.socket) -> None:
        conn.sendall(data)
    return handle


@pytest.mark.parametrize("data", [
    b"HELLO THERE\r\n\r\n",  # not HTTP
    b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",  # 200 headers
    b"HTTP/1.1 200 OK\r\nX-Long: " + b"y" * 100_000 + b"\r\n\r\n",  # one endless header line
    b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this",  # the connection drops early
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # a broken chunk size
    b"",  # closed at once
])
def test_garbage_for_an_answer_is_refused(data: bytes) -> None:
    with serving(_raw(data)) as (port, _), pytest.raises(remote.RemoteRefused):
        remote.fetch(f"http://127.0.0.1:{port}/p.gif", 5, 10**6, _loopback)


def test_https_to_a_server_that_speaks_no_tls_is_refused() -> None:
    with serving(answer()) as (port, _), pytest.raises(remote.RemoteRefused, match=r"SSL|EOF|reset"):
        remote.fetch(f"https://127.0.0.1:{port}/p.gif", 5, 1000, _loopback)


def test_the_address_checked_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to an allowed address once, to another after."""
    lookups: list[str] = []

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
        try:  # an address resolves to itself, as in the real resolver
            address = str(ipaddress.ip_address(host))
        except ValueError:
            lookups.append(host)
            address = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def only_127_0_0_2(address: remote.Address) -> bool:
        return str(address) == "127.0.0.2"

    with (serving(answer(body=b"GIF89a-good"), host="127.0.0.2") as (port, good),
          serving(answer(body=b"GIF89a-evil"), port=port) as (_, evil)):
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        data, _ = remote.fetch(f"http://rebind.example:{port}/p.gif", 5, 1000, only_127_0_0_2)
        monkeypatch.undo()
    assert data == b"GIF89a-good" and len(good) == 1 and evil == []
    assert lookups == ["rebind.example"]
    assert b"Host: rebind.example:" in good[0]


def test_each_checked_address_is_tried_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with two addresses: nothing listens on the first; the second answers."""
    real = socket.getaddrinfo

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
        if host != "two.example":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in ("127.0.0.3", "127.0.0.2")]

    with serving(answer(body=b"GIF89a-second"), host="127.0.0.2") as (port, hits):
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        data, _ = remote.fetch(f"http://two.example:{port}/p.gif", 5, 1000, _loopback)
        monkeypatch.undo()
    assert data == b"GIF89a-second" and len(hits) == 1
    with pytest.raises(remote.RemoteRefused, match="Connection refused"):
        remote.fetch(f"http://127.0.0.3:{port}/p.gif", 5, 1000, _loopback)


def test_an_international_name_is_asked_for_as_dns_knows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
        if host.startswith("127."):
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port))]

    with serving(answer(), host="127.0.0.2") as (port, hits):
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        remote.fetch(f"http://clínica.example:{port}/p.gif", 5, 1000, _loopback)
        monkeypatch.undo()
    assert asked == ["xn--clnica-4va.example"]
    assert f"Host: xn--clnica-4va.example:{port}".encode() in hits[0]


def test_a_proxy_from_the_environment_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(answer(body=b"GIF89a-proxy")) as (proxy, proxy_hits):
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy}")
        with serving(answer(body=b"GIF89a-direct")) as (port, _):
            data, _ = remote.fetch(f"http://127.0.0.1:{port}/p.gif", 5, 1000, _loopback)
    assert data == b"GIF89a-direct" and proxy_hits == []


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(remote.RemoteRefused, match="cannot resolve"):
        remote.fetch("http://no-such-host.invalid/p.gif", 5, 1000)
