"""The preview server is local: ``pubkit serve`` (the real command, in a process of its own)
answers only loopback Host names, never serves recipient data, and answers malformed requests
with 400, never a traceback.

Requests are raw bytes over sockets, so each is exactly what a hostile page (DNS rebinding),
a scanner or a broken client would send.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.conftest import ARTICLE, REPO, TRACEBACK, cli, write_site

NEWSLETTER = "---\nsubject: News\narticles: [knee]\n---\nHi {{ name | default('there') }}.\n"
PATIENT = "ann.patient@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, subprocess.Popen[bytes]]]:
    """``pubkit serve`` on a built site whose output folder holds a dry run's messages."""
    root = write_site(tmp_path_factory.mktemp("serve") / "site", {
        "content/knee.md": ARTICLE, "newsletters/n.md": NEWSLETTER,
        "people.csv": f"email,name\n{PATIENT},Ann Patient\n"})
    assert cli(["send", "newsletters/n.md", "--to", "people.csv"], root).code == 0
    assert any((root / "output/send/n").glob("*.eml"))
    (root / "output/html/inbox").symlink_to(root / "output/send")  # a second way in
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    log = (root.parent / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "pubkit", "serve", "--port", str(port), "-f", "html"],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # listening, and the first build done
            with contextlib.suppress(OSError, AssertionError):
                if status(get(port, "/html/knee.html", f"localhost:{port}")) == 200:
                    break
            time.sleep(0.3)
        else:
            raise AssertionError((root.parent / "serve.log").read_text())
        yield port, root, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        with contextlib.suppress(OSError):
            conn.sendall(raw)
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def get(port: int, path: str, host: str) -> bytes:
    return exchange(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())


def test_loopback_names_are_answered(served: tuple[int, Path, subprocess.Popen[bytes]]) -> None:
    port, _, _ = served
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        answer = get(port, "/html/knee.html", host)
        assert status(answer) == 200 and b"Knee care" in answer, host


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:{port}", "localhost.evil.example", "localhost.:{port}",
    "127.0.0.1.nip.io:{port}", "localhost@evil.example", "evil.example@localhost:{port}",
    "localhost:{port}@evil.example", "localhost:{port} evil.example", "localhost:{port},evil.example",
    "127.1:{port}", "2130706433:{port}", "0x7f000001:{port}", "[::ffff:7f00:1]:{port}",
    "[0:0:0:0:0:0:0:1]:{port}", "localhost:+{port}", "localhost:{port}:{port}", "[::1]",
    "\u217corem.example", "xn--localhost:{port}",
])
def test_other_host_names_are_refused(served: tuple[int, Path, subprocess.Popen[bytes]], host: str) -> None:
    port, _, _ = served
    answer = get(port, "/html/knee.html", host.format(port=port)) if host != "[::1]" else b""
    if host == "[::1]":  # the name without a port is loopback: answered
        assert status(get(port, "/html/knee.html", host)) == 200
        return
    assert status(answer) in (400, 403), (host, answer[:120])
    assert b"Knee care" not in answer


@pytest.mark.parametrize("path", [
    "/send/n/", "/send/n/00001-{patient}.eml", "/send/n/dry-run.json", "/%73end/n/dry-run.json",
    "/SEND/n/dry-run.json", "//send/n/dry-run.json", "/./send/n/dry-run.json", "/html/../send/n/dry-run.json",
    "/html/%2e%2e/send/n/dry-run.json", "/html/inbox/n/dry-run.json", "/html/inbox/n/00001-{patient}.eml",
    "/send%2fn%2fdry-run.json", "/.pubkit-manifest.json", "/.pubkit-index.json",
])
def test_recipient_data_is_never_served(served: tuple[int, Path, subprocess.Popen[bytes]], path: str) -> None:
    port, _, _ = served
    answer = get(port, path.format(patient=PATIENT), f"localhost:{port}")
    assert status(answer) in (400, 404), (path, answer[:200])
    assert PATIENT.encode() not in answer and b"Ann Patient" not in answer


def test_the_index_names_no_recipient(served: tuple[int, Path, subprocess.Popen[bytes]]) -> None:
    port, _, _ = served
    answer = get(port, "/", f"localhost:{port}")
    assert status(answer) == 200 and b"/html/knee.html" in answer
    assert PATIENT.encode() not in answer and b"/send/" not in answer


MALFORMED = [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64),
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: localhost\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/knee%00.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost\r\nX: " + b"b" * 100_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-A: b\r\n" * 500 + b"\r\n",
    b"GET / HTTP/1.1\r\nHost localhost\r\n\r\n",
    b"GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"G\x00T / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET\t/\tHTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/..%5c..%5cpubkit.toml HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /html/knee.html HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
    b"GET /html/knee.html HTTP/1.1\r\n\r\n",
    b"GET /html/knee.html\r\n\r\n",
    b"\r\n\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n",
    b"GET  /  HTTP/1.1\r\nHost: localhost\r\n\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_requests_get_400_and_no_traceback(served: tuple[int, Path, subprocess.Popen[bytes]],
                                                     raw: bytes) -> None:
    port, root, proc = served
    raw = raw.replace(b"Host: localhost\r\n", f"Host: localhost:{port}\r\n".encode())
    answer = exchange(port, raw)
    if answer:  # a client that sends nothing readable may just be dropped
        assert status(answer) in (400, 403, 404, 405), (raw[:60], answer[:200])
        assert b"Knee care" not in answer or raw.startswith(b"GET / HTTP/1.1\r\nHost")
        assert b"[tool" not in answer  # never pubkit.toml
    assert proc.poll() is None  # still serving
    assert status(get(port, "/html/knee.html", f"localhost:{port}")) == 200
    assert TRACEBACK not in (root.parent / "serve.log").read_text(errors="replace")


UNSUBSCRIBE_MALFORMED = [
    b"GET /unsubscribe?token=%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /unsubscribe/" + b"A" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /unsubscribe?token=x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\xff\xfe\x00\x01\x02",
    b"POST /unsubscribe?token=x HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"
    b"List-Unsubscribe=One-Click",
    b"POST /unsubscribe?token=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /unsubscribe?token=" + b"%C0%AF" * 200 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 100_000 + b"\r\n\r\n",
    b"BREW /unsubscribe HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.mark.parametrize("raw", UNSUBSCRIBE_MALFORMED,
                         ids=[str(i) for i in range(len(UNSUBSCRIBE_MALFORMED))])
def test_the_unsubscribe_endpoint_answers_malformed_requests_without_a_traceback(
        tmp_path: Path, raw: bytes, caplog: pytest.LogCaptureFixture) -> None:
    """The other local server (uvicorn, behind the clinic's web server): the same rule."""
    from pubkit.send.unsubscribe import EndpointConfig, create_app
    from pubkit.theme import Theme
    from tests.send.compliant import SECRET, uvicorn_serving

    config = EndpointConfig(tmp_path / "suppressions.sqlite", SECRET, Theme(tmp_path / "templates"),
                            "Clinic")
    with uvicorn_serving(create_app(config)) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        answer = exchange(port, raw)
        if answer:
            assert status(answer) in (400, 404, 405, 411, 413, 414, 431), (raw[:60], answer[:200])
        follow = exchange(port, b"GET /unsubscribe?token=bad HTTP/1.1\r\nHost: x\r\n"
                                b"Connection: close\r\n\r\n")
        assert status(follow) == 400
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info], caplog.text
    from pubkit.send.suppressions import SuppressionStore

    with SuppressionStore.read_only(tmp_path / "suppressions.sqlite") as store:
        assert not store or not list(store.all())  # nothing recorded by a bad request
