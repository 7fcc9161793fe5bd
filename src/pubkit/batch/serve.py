"""``pubkit serve``: the output folder on 127.0.0.1, an index page, live reload.

The reload script is added to HTML pages as they are sent, never to the
files on disk (those stay script-free).  Pages learn of a finished build
through Server-Sent Events: each build that changed something bumps a
generation number, and a page seeing a new number reloads itself.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pubkit import formats
from pubkit.batch.manifest import MANIFEST_NAME
from pubkit.site import outputs

EVENTS = "/_pubkit/events"
LIVE_SCRIPT = (
    "<script>/* pubkit serve: live reload (not in the built file) */"
    "(function(){var seen=null;var es=new EventSource('" + EVENTS + "');"
    "es.onmessage=function(e){if(seen!==null&&e.data!==seen){location.reload();}seen=e.data;};"
    "})();</script>"
)
HIDDEN = {MANIFEST_NAME, ".pubkit-build.lock"}
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
    """Every article (and newsletter) with links to each of its outputs."""
    try:
        manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        sources = manifest.get("sources", {})
    except (OSError, ValueError):
        sources = {}
    rows = []
    for src, rec in sorted(sources.items(), key=lambda kv: (kv[1].get("title") or kv[0]).lower()):
        links = []
        slug = rec.get("slug")
        for name in sorted(rec.get("formats", {})):
            if not isinstance(slug, str) or name not in formats.names():
                continue
            fmt = formats.get(name)
            for suffix in (fmt.suffix, *fmt.companions):
                path = outputs.output_file(fmt, slug, suffix)
                if not (out_dir / path).is_file():
                    continue
                label = fmt.name.upper() if suffix == fmt.suffix else f"{fmt.name} ({suffix.lstrip('.')})"
                links.append(f'<a href="/{html.escape(urllib.parse.quote(path))}">{html.escape(label)}</a>')
        title = html.escape(rec.get("title") or src)
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


def make_handler(out_dir: Path, generation: Generation) -> type[BaseHTTPRequestHandler]:
    root = out_dir.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "pubkit-serve"

        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            pass

        def do_GET(self) -> None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if path == EVENTS:
                self._events()
            elif path in ("/", "/index.html"):
                self._send(index_page(root).encode(), "text/html; charset=utf-8", live=True)
            else:
                self._file(path)

        def _file(self, path: str) -> None:
            target = (root / path.lstrip("/")).resolve()
            if (not target.is_relative_to(root) or not target.is_file()
                    or target.name in HIDDEN or target.name.endswith(".tmp")):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if ctype == "text/html":
                ctype += "; charset=utf-8"
            self._send(target.read_bytes(), ctype, live=ctype.startswith("text/html"))

        def _send(self, data: bytes, ctype: str, live: bool = False) -> None:
            if live:
                data = inject(data)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
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
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def inject(page: bytes) -> bytes:
    """``page`` with the live-reload script before ``</body>`` (or at its end)."""
    marker = page.lower().rfind(b"</body>")
    script = LIVE_SCRIPT.encode()
    return page + script if marker < 0 else page[:marker] + script + page[marker:]


def start_server(out_dir: Path, port: int, generation: Generation) -> ThreadingHTTPServer:
    """Serve ``out_dir`` on 127.0.0.1:``port`` from a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(out_dir, generation))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pubkit-serve", daemon=True).start()
    return server
