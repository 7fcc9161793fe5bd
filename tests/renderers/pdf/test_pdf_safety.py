"""The handout's URL fetcher holds the site boundary against hostile references."""

from __future__ import annotations

import base64
import http.server
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pubkit.pipeline import render_path
from pubkit.renderers.pdf.fetch import SiteFetcher
from pubkit.resources import Refused


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = _png((200, 0, 0))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, "PNG")
    return out.getvalue()


def _images(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(
            1 for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Subtype") == "/Image"
        )


HOSTILE = """\
---
title: Hostile references
---

Escape: ![passwd](../../etc/passwd)

Deep escape: ![deep](../../../../../../../../etc/passwd)

Encoded escape: ![enc](%2e%2e/%2e%2e/etc/passwd)

Absolute: ![abs](/etc/passwd)

Device: ![dev](/dev/urandom)

File URL: <img src="file:///etc/passwd" alt="raw file">

Symlink: ![link](images/link.png)

FIFO: ![fifo](images/fifo.png)

Remote: ![remote]({url}/remote.png)

Raw remote: <img src="{url}/raw.png" alt="raw remote">

A link is not fetched: [page]({url}/page.html)

An SVG that reaches out: ![svg](images/evil.svg)
"""

EVIL_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="40" height="40"><rect width="40" height="40" fill="#0b5a7a"/>
  <image href="file:///etc/passwd" width="10" height="10"/>
  <image xlink:href="{url}/from-svg.png" width="10" height="10"/>
  <image href="../../../../../../etc/passwd" width="10" height="10"/>
</svg>"""


def _hostile_site(make_site, url: str):  # type: ignore[no-untyped-def]
    site = make_site(
        {
            "content/hostile.md": HOSTILE.format(url=url),
            "content/images/ok.png": _png((0, 120, 0)),
            "content/images/evil.svg": EVIL_SVG.format(url=url),
            # A site stylesheet that tries the same tricks from CSS.
            "templates/pdf/handout.css": (
                f'@import url("{url}/import.css");\n'
                'body { background: url("file:///etc/passwd"); }\n'
                f'h1 {{ background: url("{url}/bg.png"); }}\n'
                'p { background: url("../../../../etc/passwd"); }\n'
            ),
        },
        toml='[brand]\nlogo = "../outside.png"\n',
    )
    (site.root.parent / "outside.png").write_bytes(_png((0, 0, 200)))
    os.symlink("/etc/passwd", site.content_dir / "images" / "link.png")
    os.mkfifo(site.content_dir / "images" / "fifo.png")
    return site


@pytest.mark.parametrize("allow_remote", [False, True])
def test_hostile_references_are_refused_and_the_pdf_still_renders(
    make_site, ctx_for, server, allow_remote: bool
) -> None:
    url, hits = server
    site = _hostile_site(make_site, url)
    ctx = ctx_for(site, allow_remote=allow_remote)
    [result] = render_path(site.content_dir / "hostile.md", ["pdf"], ctx)
    assert result.ok, result.error
    data = result.output.data
    assert data.startswith(b"%PDF")
    assert hits == []  # loopback is never fetched, even with remote resources allowed
    assert _images(data) == 0
    passwd = Path("/etc/passwd").read_bytes()
    assert passwd[:40] not in data and b"root:x:0" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
    messages = [(w.line, w.message) for w in result.warnings]
    for line, needle in ((5, "../../etc/passwd"), (7, "../../../../../../../../etc/passwd"),
                         (9, "%2e%2e/%2e%2e/etc/passwd"), (11, "/etc/passwd"),
                         (13, "/dev/urandom"), (17, "images/link.png"), (19, "images/fifo.png"),
                         (21, f"{url}/remote.png"), (23, f"{url}/raw.png")):
        assert any(w_line == line and needle in msg for w_line, msg in messages), (needle, messages)
    assert all(w.path == "content/hostile.md" for w in result.warnings)
    # The SVG is drawn, rebuilt without its references: they never reach the fetcher.
    assert not any("from-svg" in msg or "evil.svg" in msg for _, msg in messages), messages
    assert any("brand.logo" in msg for _, msg in messages)
    assert any("not a regular file" in msg for _, msg in messages)
    assert any("outside the site" in msg for _, msg in messages)
    assert any("stylesheet" in msg and "import.css" in msg for _, msg in messages), messages
    for css_ref in ("file:///etc/passwd", f"{url}/bg.png", "etc/passwd"):
        assert any(f"left out '{css_ref}'" in msg for _, msg in messages), css_ref


def test_an_allowed_image_does_render(make_site, ctx_for) -> None:
    """The control: the same path for an image inside the site embeds it."""
    site = make_site({
        "content/ok.md": "---\ntitle: Fine\nimage: images/lead.png\n---\n\n![green box](images/ok.png)\n",
        "content/images/ok.png": _png((0, 120, 0)),
        "content/images/lead.png": _png((0, 0, 120)),
        # A site stylesheet may use pictures beside it in the theme folder.
        "templates/pdf/handout.css": "h1 { background: url(mark.png) no-repeat; }\n",
        "templates/pdf/mark.png": _png((120, 0, 0)),
    })
    [result] = render_path(site.content_dir / "ok.md", ["pdf"], ctx_for(site))
    assert result.ok and result.warnings == []
    assert _images(result.output.data) == 3


def test_fetcher_refuses_every_other_scheme(make_site, ctx_for) -> None:
    site = make_site({"content/images/ok.png": _png((0, 120, 0))})
    ctx = ctx_for(site)
    refused: list[str] = []
    fetcher = SiteFetcher(ctx.resources, lambda url, why: refused.append(url))
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "/etc/passwd",
                "pubkit://site/../../etc/passwd", "pubkit://site/%2e%2e/etc/passwd",
                "pubkit://theme/handout.css", "pubkit://generated/qr.svg",
                "pubkit://site/content/images/ok.png%00.txt"):
        with pytest.raises(Refused):
            fetcher.fetch(url)
    assert len(refused) == 9
    ok = fetcher.fetch("pubkit://site/content/images/ok.png")
    assert ok.read().startswith(b"\x89PNG") and ok.content_type == "image/png"
    dot = "data:image/png;base64," + base64.b64encode(_png((0, 0, 0))).decode()
    assert fetcher.fetch(dot).read() == _png((0, 0, 0))  # decoded in memory, then inspected
    with pytest.raises(Refused, match="not an image format"):
        fetcher.fetch("data:text/html,<script>alert(1)</script>")


def test_a_file_swapped_after_the_check_is_not_read(tmp_path: Path) -> None:
    """The read itself refuses a FIFO or a symlink put in place after the policy looked."""
    from pubkit.renderers.pdf.fetch import _read_limited

    fifo = tmp_path / "swapped.png"
    os.mkfifo(fifo)
    with pytest.raises(Refused, match="not a regular file"):
        _read_limited(fifo)  # returns at once: opened without blocking
    link = tmp_path / "link.png"
    link.symlink_to("/etc/passwd")
    with pytest.raises(Refused, match="symbolic link"):
        _read_limited(link)


_OPENED: list[str] = []
_RECORDING = threading.Event()


def _record_opens(event: str, args: tuple, recording: threading.Event = _RECORDING) -> None:  # type: ignore[type-arg]
    # The hook outlives the test (audit hooks cannot be removed), even into
    # interpreter shutdown, so it holds its own reference to the flag.
    if recording.is_set() and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _OPENED.append(os.fsdecode(args[0]))


def test_weasyprint_opens_no_local_path_itself(make_site, ctx_for) -> None:
    """Every file read during a render is one the fetcher let through, inside the site."""
    import sys

    site = make_site({
        "content/a.md": "---\ntitle: A\n---\n\n![box](images/ok.png) ![svg](images/b.svg)\n",
        "content/images/ok.png": _png((0, 120, 0)),
        "content/images/b.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
                                '<image href="ok.png" width="9" height="9"/></svg>',
    })
    ctx = ctx_for(site)
    render_path(site.content_dir / "a.md", ["pdf"], ctx)  # warm: fonts and stylesheets parsed
    sys.addaudithook(_record_opens)
    _OPENED.clear()
    _RECORDING.set()
    try:
        [result] = render_path(site.content_dir / "a.md", ["pdf"], ctx)
    finally:
        _RECORDING.clear()
    assert result.ok and _images(result.output.data) >= 1
    opened = {Path(p).resolve() for p in _OPENED}
    assert site.content_dir.resolve() / "images" / "ok.png" in opened  # the hook does see reads
    allowed = ctx.resources.allowed_dirs  # content, templates (site's and built-in), assets
    assert all(any(p.is_relative_to(d) for d in allowed) for p in opened), opened
