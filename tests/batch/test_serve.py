"""The preview server is local: loopback Host names only, no recipient data, 400 for malformed requests.

The real server (``start_server``) runs on 127.0.0.1 in this process and is
spoken to over raw sockets, so every request is exactly the bytes written
here: DNS-rebinding Host headers, dry-run messages of ``pubkit send``,
``..`` and NUL in paths, bad escapes, over-long lines, bad methods, a TLS
handshake on the plain port.  After all of them the server still answers,
and nothing it printed is a traceback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubkit.batch.manifest import MANIFEST_NAME
from pubkit.batch.serve import Generation, start_server

SECRET = b"To: patient@example.org\r\nSubject: Your results\r\n\r\nprivate\r\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """One server for the module: every test only reads, and a shutdown takes half a second."""
    tmp_path = tmp_path_factory.mktemp("serve")
    out = tmp_path / "output"
    (out / "html" / "media").mkdir(parents=True)
    (out / "html" / "a.html").write_text("<html><body><p>Article</p></body></html>")
    (out / "html" / "media" / "d.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (out / "pdf").mkdir()
    (out / "pdf" / "a.pdf").write_bytes(b"%PDF-1.7 " + b"x" * 5000)
    send = out / "send" / "sample"
    send.mkdir(parents=True)
    (send / "patient@example.org.eml").write_bytes(SECRET)
    (send / "report.json").write_text('{"sent": ["patient@example.org"]}')
    (out / "public").symlink_to(out / "send")  # a second name for the send folder
    (out / "html" / ".pubkit-abcd1234.tmp").write_text("half-written")
    (out / ".pubkit-build.lock").write_text("123\n")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (out / "html" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    manifest = {"schema": 2, "pubkit": "x", "sources": {"content/a.md": {
        "source_hash": "0", "slug": "a", "title": "<script>alert(1)</script>", "deps": {},
        "formats": {"html": {"key": "k", "outputs": {
            "html/a.html": 1, "send/sample/patient@example.org.eml": 1}}}}}}
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    server = start_server(out, 0, Generation())
    try:
        yield out, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw`` as it is; everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(raw)
        with __import__("contextlib").suppress(OSError):
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def get(port: int, path: str, host: str | None = None, method: str = "GET") -> bytes:
    host_line = "" if host is None else f"Host: {host}\r\n"
    return exchange(port, f"{method} {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n".encode())


def test_loopback_names_are_answered(served: tuple[Path, int]) -> None:
    _, port = served
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LocalHost:{port}",
                 "localhost", "127.0.0.1"):
        answer = get(port, "/html/a.html", host)
        assert status(answer) == 200, host
        assert b"<p>Article</p>" in answer and b"EventSource" in answer
        assert b"X-Content-Type-Options: nosniff" in answer


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}",
    "localhost:1", "localhost:{other}", "127.0.0.2:{port}", "0.0.0.0:{port}", "[::ffff:127.0.0.1]:{port}",
    "2130706433:{port}", "localhost:{port}:{port}", "localhost@evil.example", "localhost.:{port}",
    "[::1]evil", "localhost:0{port}0", "", " ", "local host",
])
def test_any_other_host_is_refused(served: tuple[Path, int], host: str) -> None:
    _, port = served
    answer = get(port, "/html/a.html", host.format(port=port, other=port + 1))
    assert status(answer) in (400, 403), answer[:100]
    assert b"Article" not in answer


def test_a_request_without_one_host_is_refused(served: tuple[Path, int]) -> None:
    _, port = served
    assert status(get(port, "/html/a.html")) == 400
    twice = f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example\r\n\r\n".encode()
    assert status(exchange(port, twice)) == 400
    assert status(exchange(port, b"GET /html/a.html\r\n")) == 400  # HTTP/0.9: no headers at all


@pytest.mark.parametrize("path", [
    "/send/sample/patient@example.org.eml", "/send/sample/report.json", "/send/", "/send",
    "/%73end/sample/report.json", "/public/sample/patient@example.org.eml", "//send/sample/report.json",
    "/.pubkit-manifest.json", "/.pubkit-build.lock", "/html/.pubkit-abcd1234.tmp", "/html/leak.txt",
    "/html/", "/nope.html",
])
def test_recipient_data_and_hidden_files_are_never_served(served: tuple[Path, int], path: str) -> None:
    _, port = served
    answer = get(port, path, f"localhost:{port}")
    assert status(answer) == 404, path
    assert b"patient@example.org" not in answer and b"private" not in answer


def test_the_index_lists_only_what_may_be_served(served: tuple[Path, int]) -> None:
    _, port = served
    answer = get(port, "/", f"localhost:{port}")
    assert status(answer) == 200
    assert b'href="/html/a.html"' in answer
    assert b"send/" not in answer and b"secret" not in answer
    assert b"<script>alert(1)</script>" not in answer and b"&lt;script&gt;" in answer


@pytest.mark.parametrize("raw", [
    b"GET /../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/../../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/%2E%2E%2F%2E%2E%2Fsecret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/./a.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/a.html%00.png HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/a\x00.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html\\..\\..\\secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /%5c..%5csecret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /%ff%fe HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /a%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET http://evil.example/html/a.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET html/a.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: " + b"x" * 70_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n",
    b"G\x01T / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET / HTTP/1.1.1\r\nHost: localhost\r\n\r\n",
    b"GET / FTP/1.0\r\nHost: localhost\r\n\r\n",
    b"GET /  HTTP/1.1 extra\r\nHost: localhost\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\r\n\r\n",
], ids=["dotdot", "deep-dotdot", "encoded-dotdot", "encoded-slashes", "dot", "encoded-nul", "nul",
        "backslashes", "encoded-backslash", "bad-utf8", "header-injection", "absolute-form",
        "asterisk", "relative", "long-line", "long-header", "many-headers", "control-in-method",
        "bad-version", "not-http", "extra-words", "tls-hello"])
def test_malformed_requests_get_400(served: tuple[Path, int], raw: bytes) -> None:
    _, port = served
    answer = exchange(port, raw)
    assert status(answer) == 400, answer[:200]
    assert b"private" not in answer and b"Traceback" not in answer


@pytest.mark.parametrize("method, code", [("POST", 405), ("PUT", 405), ("DELETE", 405),
                                          ("BREW", 405), ("OPTIONS", 405), ("TRACE", 405),
                                          ("GE@T", 400), ("G ET", 400)])
def test_methods_other_than_get_and_head_are_refused(served: tuple[Path, int], method: str,
                                                     code: int) -> None:
    _, port = served
    answer = get(port, "/html/a.html", f"localhost:{port}", method=method)
    assert status(answer) == code, answer[:200]
    assert b"Article" not in answer


def test_head_and_files_are_served_with_their_types(served: tuple[Path, int]) -> None:
    _, port = served
    head = get(port, "/pdf/a.pdf", f"localhost:{port}", method="HEAD")
    assert status(head) == 200 and b"Content-Length: 5009" in head and b"xxxx" not in head
    pdf = get(port, "/pdf/a.pdf", f"localhost:{port}")
    assert b"Content-Type: application/pdf" in pdf and pdf.endswith(b"x" * 5000)
    drawing = get(port, "/html/media/d.svg", f"localhost:{port}")
    assert b"Content-Type: image/svg+xml" in drawing
    assert b"Content-Security-Policy: default-src 'none'" in drawing


def test_the_server_survives_every_hostile_request_without_a_traceback(
    served: tuple[Path, int], capfd: pytest.CaptureFixture[str]
) -> None:
    _, port = served
    assert exchange(port, b"\r\n\r\n\r\n") == b""  # blank lines before a request are ignored
    for raw in (b"", b"\x00" * 5000, b"GET", b"GET / HTTP/1.1\r\nHost: localhost\r\nBad header\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n"):
        exchange(port, raw)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:  # hang up mid-request
        conn.sendall(b"GET /pdf/a.pdf HTTP/1.1\r\nHost: loc")
    assert status(get(port, "/html/a.html", f"localhost:{port}")) == 200
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
