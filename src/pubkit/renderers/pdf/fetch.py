"""The one door through which WeasyPrint reads anything: the site boundary for PDFs.

The handout's HTML is handed to WeasyPrint as a string whose base URL is a
pseudo URL, ``pubkit://site/<folder of the article>/``, so every relative
reference (images, the stylesheet's ``url()``, an SVG's own references)
arrives here as ``pubkit://site/...`` and WeasyPrint never opens a local path
itself.  Such a URL is a path below the site root and goes through
:meth:`ResourcePolicy.local_path`; ``http(s)`` goes through
:meth:`ResourcePolicy.fetch_remote` (off unless remote resources are allowed);
``data:`` is decoded without any I/O; every other scheme (``file:`` above all)
is refused, except that a fetcher for the theme's own stylesheets may open the
system font files Fontconfig lists (``@font-face { src: local(...) }`` arrives
as a ``file:`` URL).  A refusal is reported to ``on_refused`` and raised, which makes
WeasyPrint leave the resource out and carry on.
"""

from __future__ import annotations

import mimetypes
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from functools import cache
from pathlib import Path

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pubkit.media import Refusal, inspect_picture
from pubkit.resources import REMOTE_MAX_BYTES, Refused, ResourcePolicy
from pubkit.safeio import FONT_LIMIT, Unreadable, read_regular
from pubkit.sitefiles import DISK, SiteFiles

SCHEME = "pubkit"
SITE = f"{SCHEME}://site/"
THEME = f"{SCHEME}://theme/"
GENERATED = f"{SCHEME}://generated/"

# urljoin() resolves relative references only for schemes it knows; without
# this, "img.png" inside an SVG served from pubkit://site/... would stay relative.
for _registry in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
    if SCHEME not in _registry:
        _registry.append(SCHEME)

mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("image/webp", ".webp")


class RenderDeadline(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint has no type information
    """The render ran past its time limit (raised through WeasyPrint, which swallows others)."""


def site_url(root_relative: str) -> str:
    """The pseudo URL of a path relative to the site root (already URL-quoted)."""
    return SITE + root_relative.lstrip("/")


def folder_url(root_relative_dir: str) -> str:
    """The pseudo URL of a folder relative to the site root, with its trailing slash."""
    rel = urllib.parse.quote(root_relative_dir.strip("/").replace("\\", "/"))
    return SITE + (rel + "/" if rel and rel != "." else "")


class SiteFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type information
    """A WeasyPrint URL fetcher bound to one site's :class:`ResourcePolicy`.

    ``pubkit://theme/<name>`` is a file on the theme's search path (found by
    ``find_theme``, then held to the same boundary).  ``generated`` serves bytes
    made during the render (the QR code) under ``pubkit://generated/<name>``.
    ``deadline`` is a ``time.monotonic()`` instant after which any further
    load stops the render.
    """

    def __init__(
        self,
        policy: ResourcePolicy,
        on_refused: Callable[[str, str], None],
        generated: dict[str, tuple[bytes, str]] | None = None,
        deadline: float | None = None,
        find_theme: Callable[[str], Path] | None = None,
        system_fonts: bool = False,
    ) -> None:
        super().__init__(allow_redirects=False)
        self.policy = policy
        self.on_refused = on_refused
        self.generated = generated or {}
        self.deadline = deadline
        self.find_theme = find_theme
        self.system_fonts = system_fonts

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RenderDeadline(f"time limit reached while loading {url}")
        try:
            return self._resolve(url)
        except Refused as exc:
            self.on_refused(url, str(exc))
            raise
        except OSError as exc:
            self.on_refused(url, exc.strerror or str(exc))
            raise Refused(str(exc)) from None

    def _resolve(self, url: str) -> URLFetcherResponse:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if url.startswith(SITE):
            return self._local(url)
        if url.startswith(THEME):
            return self._theme(url)
        if url.startswith(GENERATED):
            return self._generated(url)
        if scheme in ("http", "https"):
            data, _ = self.policy.fetch_remote(url)
            return _picture(url, data, url)
        if scheme == "file" and self.system_fonts:
            return self._system_font(url)
        if scheme == "data":
            # urllib's DataHandler decodes in memory: no file, no socket.
            response = super().fetch(url, headers=None)
            if self.system_fonts:  # the theme's stylesheets: their own fonts and pictures
                return response
            return _picture(url, response.read(), "data: URL")
        raise Refused(f"{scheme or 'relative'} URLs are not loaded into handouts ({url})")

    def _local(self, url: str) -> URLFetcherResponse:
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        if not rel or "\x00" in rel:
            raise Refused(f"not a file name: {rel!r}")
        # check_path() resolves symlinks and "..", then holds the real path to the site.
        path = self.policy.check_path(self.policy.root / rel, rel)
        return _picture(url, _read_limited(path, self.policy.files), rel)

    def _theme(self, url: str) -> URLFetcherResponse:
        name = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        if self.find_theme is None or not name or "\x00" in name:
            raise Refused(f"no theme file {name!r}")
        try:
            found = self.find_theme(name)
        except (FileNotFoundError, OSError, ValueError):
            raise Refused(f"no theme file {name!r}") from None
        path = self.policy.check_path(found, name)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, _read_limited(path, self.policy.files), {"Content-Type": ctype})

    def _system_font(self, url: str) -> URLFetcherResponse:
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        real = path.resolve()
        if str(real) not in system_font_files() or not real.is_file():
            raise Refused(f"file: URLs are not allowed ({url})")
        return URLFetcherResponse(url, read_regular(real, FONT_LIMIT), {"Content-Type": "font/sfnt"})

    def _generated(self, url: str) -> URLFetcherResponse:
        name = url[len(GENERATED):]
        if name not in self.generated:
            raise Refused(f"nothing was generated as {name!r}")
        data, ctype = self.generated[name]
        return URLFetcherResponse(url, data, {"Content-Type": ctype})


def _read_limited(path: Path, files: SiteFiles = DISK) -> bytes:
    """The bytes of the regular file at the (already resolved) ``path``.

    Read from ``files`` (the disk: :func:`pubkit.safeio.read_regular`) without following a final
    symlink: a file swapped for a link or a FIFO between the policy's check
    and this read is refused, never waited on.
    """
    try:
        return files.read(path, REMOTE_MAX_BYTES, follow_symlinks=False)
    except Unreadable as exc:
        raise Refused(f"{path.name} is {exc.strerror}") from None


def _picture(url: str, data: bytes, name: str) -> URLFetcherResponse:
    """What a page or SVG of the handout may draw from ``data``: the inspected picture, or Refused.

    Everything the site (or the web) gives a handout is a picture (stylesheets
    come from the theme): its type is sniffed from the bytes, bombs and broken
    files are refused here with a reason rather than dropped silently by
    WeasyPrint, and an SVG arrives rebuilt from the allow-list.
    """
    checked = inspect_picture(data, name)
    if isinstance(checked, Refusal):
        raise Refused(checked.reason)
    return URLFetcherResponse(url, checked.data, {"Content-Type": checked.type})


@cache
def system_font_files() -> frozenset[str]:
    """Real paths of the font files Fontconfig knows (read once per process)."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        out = ffi.new("FcChar8 **")
        files = set()
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            if fontconfig.FcPatternGetString(fonts.fonts[i], b"file", 0, out) == 0:
                files.add(str(Path(ffi.string(out[0]).decode()).resolve()))
    finally:
        fontconfig.FcConfigDestroy(config)
    return frozenset(files)


def picture_size(policy: ResourcePolicy) -> Callable[[str], tuple[int, int] | None]:
    """A picture's size in CSS pixels from its handout URL, read as the render reads it.

    For pictures drawn as backgrounds (which, unlike ``img``, do not size
    their box); None when the picture is refused or unreadable, which the
    render itself then reports.
    """
    fetcher = SiteFetcher(policy, lambda url, why: None)

    def size(url: str) -> tuple[int, int] | None:
        try:
            data = fetcher.fetch(url).read()
        except (Refused, OSError):
            return None
        checked = inspect_picture(data, url)
        return None if isinstance(checked, Refusal) else (checked.width, checked.height)

    return size
