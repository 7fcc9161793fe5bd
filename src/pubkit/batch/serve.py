"""``pubkit serve``: the output folder on 127.0.0.1, an index page, live reload.

The reload script is added to HTML pages as they are sent, never to the
files on disk (those stay script-free).  Pages learn of a finished build
through Server-Sent Events: each build that changed something bumps a
generation number, and a page seeing a new number reloads itself.

The server is local, and stays so against a browser on the same machine:
only requests whose ``Host`` is ``localhost``, ``127.0.0.1`` or ``[::1]``
(with this server's port, or none) are answered, as Jupyter does against
DNS rebinding; the send folder (dry-run messages, one per recipient) and
every dot-file are never served; a malformed request (a bad method, a path
with ``..``, NUL or bad escapes, an over-long line) gets 400 and no traceback.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import re
import threading
import urllib.parse
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from pubkit import formats
from pubkit.batch.manifest import load_manifest
from pubkit.safeio import open_regular
from pubkit.site import SEND_FOLDER

if TYPE_CHECKING:
    from pubkit.preview.dashboard import Dashboard

EVENTS = "/_pubkit/events"
THUMBNAILS = "/_pubkit/thumbnails/"
"""First pages of the handouts, as PNG (see :mod:`pubkit.preview.thumbnail`)."""
LIVE_SCRIPT = (
    "<script>/* pubkit serve: live reload (not in the built file) */"
    "(function(){var seen=null;var es=new EventSource('" + EVENTS + "');"
    "es.onmessage=function(e){if(seen!==null&&e.data!==seen){location.reload();}seen=e.data;};"
    "})();</script>"
)
MAX_LINE = 8192
"""Bytes of the request line (browsers send far less)."""
MAX_PATH = 4096
READ_TIMEOUT = 30.0
"""Seconds a client may take to send its request."""
PAGE_LIMIT = 64 * 1024 * 1024
"""Largest HTML page served with the reload script."""
SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_HOST = re.compile(r"^(localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$", re.I)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
mimetypes.add_type("message/rfc822", ".eml")
mimetypes.add_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   ".docx")


class Generation:
    """A counter pages wait on: bumped after every build that changed an output."""

    def __init__(self) -> None:
        self.value = 0
        self.cond = threading.Condition()
        self.closed = False

    def bump(self) -> None:
        with self.cond:
            self.value += 1
            self.cond.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.value != seen or self.closed, timeout)
            return self.value

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


def index_page(out_dir: Path) -> str:
    """Every article (and newsletter) with links to each of its outputs.

    The manifest is read like any untrusted file (:func:`load_manifest`: bounded,
    shape-checked); only names that are plain paths inside the folder are linked.
    """
    manifest, _ = load_manifest(out_dir)
    rows = []
    records = sorted(manifest.sources.items(), key=lambda kv: str(kv[1].title or kv[0]).lower())
    for src, rec in records:
        links = []
        slug = rec.slug
        for name in sorted(rec.formats):
            if not isinstance(slug, str) or name not in formats.names():
                continue
            fmt = formats.get(name)
            # The recorded files, not names made again from the slug: a translation's are in
            # a language folder, and pictures it published are not outputs to list.
            made = sorted(rec.formats[name].outputs)
            for suffix in (fmt.suffix, *fmt.companions):
                found = [p for p in made if p.startswith(fmt.folder + "/") and p.endswith(suffix)
                         and not any(p.endswith(s) for s in _longer(fmt, suffix))]
                if not found:
                    continue
                path = found[0]
                parts = _clean_path("/" + path)
                if parts is None or _refused(parts) or not (out_dir / path).is_file():
                    continue
                label = fmt.name.upper() if suffix == fmt.suffix else f"{fmt.name} ({suffix.lstrip('.')})"
                links.append(f'<a href="/{html.escape(urllib.parse.quote(path))}">{html.escape(label)}</a>')
        title = html.escape(str(rec.title or src))
        rows.append(f"<li><strong>{title}</strong> <small>{html.escape(src)}</small><br>"
                    + " · ".join(links) + "</li>")
    body = "\n".join(rows) or "<li>Nothing built yet.</li>"
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>pubkit preview</title><style>body{font:16px/1.5 system-ui,sans-serif;"
        "max-width:60rem;margin:2rem auto;padding:0 1rem}li{margin:.6rem 0}small{color:#555}"
        "</style></head><body><main><h1>pubkit preview</h1>"
        f"<ul>\n{body}\n</ul></main></body></html>"
    )


def _longer(fmt: formats.Format, suffix: str) -> list[str]:
    """The format's other suffixes that end with ``suffix`` (``.txt.gz`` would end with ``.gz``)."""
    return [s for s in (fmt.suffix, *fmt.companions) if s != suffix and s.endswith(suffix)]


def allowed_host(value: str, port: int) -> bool:
    """Whether a ``Host`` header names this server on the loopback interface.

    The DNS-rebinding defence Jupyter uses: a page on ``evil.example`` whose
    name is re-pointed at 127.0.0.1 still sends ``Host: evil.example``, and is
    refused, so it cannot read the previews (or anything else served here).
    """
    match = _HOST.match(value)
    return match is not None and (match.group(2) is None or int(match.group(2)) == port)


def _refused(parts: Sequence[str]) -> bool:
    """Path parts that are never served: dot names (manifest, lock, temporary files,
    ``.pubkit``) and the send folder (one message per recipient: their data)."""
    return bool(parts) and (parts[0] == SEND_FOLDER or any(p.startswith(".") for p in parts))


def _clean_path(target: str) -> tuple[str, ...] | None:
    """The parts of a request path, or None when it is malformed (that is a 400, never a file)."""
    if not target.startswith("/") or len(target) > MAX_PATH or _UNSAFE.search(target):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if _UNSAFE.search(decoded):
        return None
    parts = decoded.split("/")[1:]
    if any(p in (".", "..") for p in parts):
        return None
    return tuple(p for p in parts if p)


def make_handler(out_dir: Path, generation: Generation,
                 dashboard: Dashboard | None = None) -> type[BaseHTTPRequestHandler]:
    """The request handler; ``dashboard`` (a site's) makes the index page and its thumbnails."""
    root = out_dir.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "pubkit-serve"
        default_request_version = "HTTP/1.0"  # so even a garbled request gets a status line
        timeout = READ_TIMEOUT  # a client that stops sending is dropped, not waited on forever
        parts: tuple[str, ...] = ()

        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            pass

        def handle_one_request(self) -> None:
            """One request, checked before anything is served; never a traceback."""
            try:
                self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
                if not self.raw_requestline:
                    self.close_connection = True
                    return
                if len(self.raw_requestline) > MAX_LINE:
                    self.requestline = self.request_version = self.command = ""
                    self.send_error(HTTPStatus.BAD_REQUEST, "request line too long")
                    return
                if not self.parse_request():  # malformed syntax or headers: answered already
                    return
                problem = self._problem()
                if problem is not None:
                    self.send_error(*problem)
                    return
                self._answer()
                self.wfile.flush()
            except (OSError, ValueError):  # timeouts, resets, a client gone mid-reply
                self.close_connection = True
            except Exception:  # a bug must not print a traceback or stop the server
                self.close_connection = True
                with contextlib.suppress(Exception):
                    self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # Over-long lines and header blocks, and versions that are not HTTP/1, are malformed
            # requests like any other.
            if code in (HTTPStatus.REQUEST_URI_TOO_LONG, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        HTTPStatus.HTTP_VERSION_NOT_SUPPORTED):
                code, message = HTTPStatus.BAD_REQUEST, message or "request too large"
            super().send_error(code, message, explain)

        def end_headers(self) -> None:
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

        def _problem(self) -> tuple[int, str] | None:
            # HTTP/0.9 (no version, no Host), or words parted by anything but single spaces.
            if len(self.requestline.split(" ")) != 3 or len(self.requestline.split()) != 3:
                return HTTPStatus.BAD_REQUEST, "malformed request line"
            if not _TOKEN.match(self.command):
                return HTTPStatus.BAD_REQUEST, "malformed method"
            if self.command not in ("GET", "HEAD"):
                return HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD"
            hosts = self.headers.get_all("Host") or []
            if len(hosts) != 1:
                return HTTPStatus.BAD_REQUEST, "one Host header is needed"
            address = self.server.server_address
            port = address[1] if isinstance(address, tuple) else 0
            if not allowed_host(hosts[0].strip(), port):
                return HTTPStatus.FORBIDDEN, "pubkit serve answers only localhost, 127.0.0.1 and [::1]"
            parts = _clean_path(self.path)
            if parts is None:
                return HTTPStatus.BAD_REQUEST, "malformed path"
            self.parts = parts
            return None

        def _answer(self) -> None:
            path = "/" + "/".join(self.parts)
            if path == EVENTS:
                self._events()
            elif path in ("/", "/index.html"):
                page = dashboard.page() if dashboard is not None else index_page(root).encode()
                self._send(page, "text/html; charset=utf-8", live=True)
            elif dashboard is not None and path.startswith(THUMBNAILS) and path.endswith(".png"):
                # The name is looked up in the site index, never used as a path.
                png = dashboard.thumbnail(path[len(THUMBNAILS):-len(".png")])
                if png is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                else:
                    self._send(png, "image/png")
            else:
                self._file(self.parts)

        def _file(self, parts: tuple[str, ...]) -> None:
            target = root.joinpath(*parts).resolve()
            if (_refused(parts) or not target.is_relative_to(root)
                    or _refused(target.relative_to(root).parts)):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            try:
                fd = open_regular(target, follow_symlinks=False)
            except OSError:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            with os.fdopen(fd, "rb") as fh:
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if ctype == "text/html":
                    data = fh.read(PAGE_LIMIT + 1)
                    if len(data) > PAGE_LIMIT:
                        self.send_error(HTTPStatus.NOT_FOUND, "page too large to preview")
                        return
                    self._send(data, ctype + "; charset=utf-8", live=True)
                    return
                size = os.fstat(fd).st_size
                self._head(ctype, size)
                if self.command == "HEAD":
                    return
                left = size
                while left > 0:  # the size sent is the size served, even if the file grows
                    chunk = fh.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)

        def _head(self, ctype: str, length: int) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            self.send_header("Cache-Control", "no-store")
            if ctype == "image/svg+xml":  # drawings were sanitised; this is the second lock
                self.send_header("Content-Security-Policy", SVG_POLICY)
            self.end_headers()

        def _send(self, data: bytes, ctype: str, live: bool = False) -> None:
            if live:
                data = inject(data)
            self._head(ctype, len(data))
            if self.command != "HEAD":
                self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command == "HEAD":
                return
            seen = generation.value
            try:
                self.wfile.write(f"retry: 500\ndata: {seen}\n\n".encode())
                self.wfile.flush()
                while not generation.closed:
                    now = generation.wait_change(seen, timeout=15)
                    message = f"data: {now}\n\n" if now != seen else ": keep-alive\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
                    seen = now
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass

    return Handler


def inject(page: bytes) -> bytes:
    """``page`` with the live-reload script before ``</body>`` (or at its end)."""
    marker = page.lower().rfind(b"</body>")
    script = LIVE_SCRIPT.encode()
    return page + script if marker < 0 else page[:marker] + script + page[marker:]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Never print a traceback for one connection; the next one is served as usual."""


def start_server(out_dir: Path, port: int, generation: Generation,
                 dashboard: Dashboard | None = None) -> ThreadingHTTPServer:
    """Serve ``out_dir`` on 127.0.0.1:``port`` from a background thread.

    With ``dashboard`` the index page is the site's dashboard; without, a plain
    list of the outputs the build manifest records.
    """
    server = _Server(("127.0.0.1", port), make_handler(out_dir, generation, dashboard))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pubkit-serve", daemon=True).start()
    return server
