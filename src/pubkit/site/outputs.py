"""Where every output goes: the one home of output file names and public URLs.

Paths here are relative to the output folder (``html/knee-pain.html``) or to
the web root, the folder the site's ``base_url`` serves (the HTML format's
folder).  Local files that articles show or link to (pictures, a PDF form)
are published once, into the web root, under a path that mirrors the source:
``content/forms/intake.pdf`` becomes ``forms/intake.pdf`` and
``assets/logo.png`` stays ``assets/logo.png``.  The address is stable across
edits, so a printed handout or an email sent last month keeps working.

A translation (an article whose front matter names its original with
``translation_of``) is published in a folder named for its language, in
every format alike: ``html/es/<slug>.html``, ``pdf/es/<slug>.pdf``.  That
rule is :func:`name_for`; every path and address below follows from the
:class:`Name` it makes, so links, the build manifest and the preview all agree.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pubkit.formats import Format
from pubkit.formats import get as get_format

if TYPE_CHECKING:
    from pubkit.renderers.base import Output

WEB_FORMAT = "html"
"""The format whose folder is the web root that ``base_url`` points at."""

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
REPUBLISHED_AS = {"bmp": "png", "dib": "png", "tif": "png", "tiff": "png", "ico": "png"}
"""Pictures browsers and mail clients cannot all show, published converted (see pubkit.media)."""


@dataclass(frozen=True, slots=True)
class Name:
    """What a source's output paths are made of: its slug, and the folder of a translation."""

    slug: str
    folder: str = ""
    """A language folder (``es``), or empty for a source published at the top."""

    @property
    def stem(self) -> str:
        return f"{self.folder}/{self.slug}" if self.folder else self.slug


def name_for(slug: str, lang: str, translation_of: str | None = None) -> Name:
    """The naming rule: an original at the top, a translation in its language's folder."""
    if not translation_of:
        return Name(slug)
    return Name(slug, language_folder(lang))


def language_folder(lang: str) -> str:
    """The folder of language ``lang``: its BCP 47 tag in lower case (``es``, ``es-mx``)."""
    return _UNSAFE_CHARS.sub("-", lang.lower()).strip(".-") or "und"


def output_file(fmt: Format, name: Name, suffix: str | None = None) -> str:
    """The file of ``name`` in ``fmt`` (its main file, or the companion with ``suffix``)."""
    end = fmt.suffix if suffix is None else suffix
    if fmt.folder_per_source:
        return f"{fmt.folder}/{name.stem}/{fmt.name}{end}"
    return f"{fmt.folder}/{name.stem}{end}"


def output_files(fmt: Format, name: Name) -> list[str]:
    """The main file and every companion of ``name`` in ``fmt``."""
    return [output_file(fmt, name), *(output_file(fmt, name, s) for s in fmt.companions)]


def web_root() -> str:
    """The web root's folder inside the output folder."""
    return get_format(WEB_FORMAT).folder


def page_path(name: Name) -> str:
    """The web page of ``name``, relative to the web root."""
    web = get_format(WEB_FORMAT)
    return output_file(web, name)[len(web.folder) + 1:]


ISSUE_PAGES = "newsletters"
"""Folder of the web root holding each newsletter issue's public page ("View in your browser")."""


def split_issue_name(stem: str) -> tuple[str, str]:
    """An issue file's stem as (name, language): ``sample.es`` -> (``sample``, ``es``).

    The base issue's language part is empty: ``sample`` -> (``sample``, ``""``).
    """
    name, _, lang = stem.partition(".")
    return name, lang


def issue_name(name: str, version: str = "") -> Name:
    """The output name of newsletter issue ``name``, or of its language version ``version``.

    A language version (``newsletters/sample.es.md``) is named like a
    translation, in its language's folder: ``newsletters/es/sample/…`` beside
    ``newsletters/sample/…``, and its web page ``newsletters/es/sample.html``.
    """
    return name_for(name, version, name if version else None)


def issue_page_path(name: str | Name) -> str:
    """The public page of newsletter issue ``name`` (or a version's Name), relative to the web root."""
    stem = name.stem if isinstance(name, Name) else name
    return f"{ISSUE_PAGES}/{stem}.html"


def in_web_root(path: str) -> str:
    """A web-root-relative path as a path relative to the output folder."""
    return f"{web_root()}/{path}"


def public_url(base_url: str, path: str) -> str:
    """The address of web-root-relative ``path``; a folder's ``index.html`` is the folder's
    address (``…/`` and ``…/es/``, as every web server serves them), so the canonical link,
    the sitemap and the feed name the home page as people and search engines reach it."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url.rstrip("/") + "/" + urllib.parse.quote(path, safe="/")


def relative_href(from_page: str, to_path: str) -> str:
    """A link from web page ``from_page`` to ``to_path`` (both web-root-relative)."""
    here = posixpath.dirname(from_page)
    if not here:
        rel = to_path
    elif (to_path.partition("/")[0] != here.partition("/")[0]
          and not any(odd in f"/{here}/{to_path}/" for odd in ("/./", "/../", "//"))):
        # No folder in common (a card on a tag page showing a picture): up to the top, then
        # down, as relpath finds it without its work (thousands of links on a site's pages).
        rel = "../" * (here.count("/") + 1) + to_path
    else:
        rel = posixpath.relpath(to_path, here)
    return urllib.parse.quote(rel, safe="/")


def publish_path(site_path: str, content_dir: str) -> str:
    """The web path a local file is published under (before conflicts are settled).

    ``site_path`` is relative to the site root.  Files in the content folder
    lose that folder's name; every part is reduced to characters that need no
    escaping anywhere (URLs, file systems, mail clients).
    """
    parts = site_path.split("/")
    prefix = [p for p in content_dir.strip("/").split("/") if p not in ("", ".")]
    if prefix and parts[: len(prefix)] == prefix:
        parts = parts[len(prefix):]
    clean = [(_UNSAFE_CHARS.sub("-", p).strip(".-") or "file") for p in parts]
    stem, dot, ext = clean[-1].rpartition(".")
    if dot and stem and ext.lower() in REPUBLISHED_AS:
        clean[-1] = f"{stem}.{REPUBLISHED_AS[ext.lower()]}"
    return "/".join(clean)


def variant_path(published: str, width: int, extension: str, key: str) -> str:
    """The web path of a copy of the picture published at ``published``, ``width`` pixels wide.

    Beside the picture, named for it, its width and its cache key (so that a
    changed picture gets a new address and a browser never shows a stale
    copy): ``images/lead.jpg`` -> ``images/lead-960w.1a2b3c4d5e6f.webp``.
    """
    folder, base = posixpath.split(published)
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    name = f"{stem or 'file'}-{width}w.{key[:12]}.{extension}"
    return f"{folder}/{name}" if folder else name


def disambiguated(path: str, site_path: str) -> str:
    """``path`` made unique for ``site_path`` (two files would share it otherwise)."""
    stem, dot, suffix = posixpath.basename(path).rpartition(".")
    tag = hashlib.sha256(site_path.encode("utf-8")).hexdigest()[:8]
    name = f"{stem}-{tag}.{suffix}" if dot and stem else f"{posixpath.basename(path)}-{tag}"
    folder = posixpath.dirname(path)
    return f"{folder}/{name}" if folder else name


def files_of(fmt: Format, name: Name, output: Output) -> dict[str, bytes]:
    """Every file of one rendered output, by path relative to the output folder."""
    files = {output_file(fmt, name): output.data}
    for suffix, data in output.companions.items():
        files[output_file(fmt, name, suffix)] = data
    for path, data in output.published.items():
        files[in_web_root(path)] = data
    return files


# ------------------------------------------------------------- the site's own pages
# The home page, tag pages and A-Z index of each language are in that language's folder
# (``es/index.html``, ``es/tags/dolor.html``); the site's language is at the top.  Paths are
# relative to the web root, like page_path().

SITE_PAGE_SLUGS = frozenset({"index", "a-z", "404"})
"""Slugs the site's own pages take, at the top and in each language folder: an article
claiming one has no web page while listing pages are built (``[pages] enabled``)."""
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
ICON = "favicon.png"
"""The 32-pixel icon every web page declares, in the web root."""
TOUCH_ICON = "apple-touch-icon.png"
"""The 180-pixel home-screen icon, where phones also look for it unasked."""
SITE_FILES = frozenset({SITEMAP, ROBOTS, "feed.xml", ICON, TOUCH_ICON})
"""Top-level files of the web root that no published local file may take."""
_TAG_RESERVED = frozenset({"index"})
"""Tag file names that other pages of ``tags/`` take."""


def pages_folder(lang: str, site_lang: str) -> str:
    """The folder of the listing pages that list articles in ``lang`` (empty: the top)."""
    folder = language_folder(lang)
    return "" if folder == language_folder(site_lang) else folder


def _in(folder: str, path: str) -> str:
    return f"{folder}/{path}" if folder else path


def home_page(folder: str, number: int = 1) -> str:
    """Page ``number`` of the latest articles: ``index.html``, then ``page/2.html`` ..."""
    return _in(folder, "index.html" if number == 1 else f"page/{number}.html")


def tags_page(folder: str) -> str:
    return _in(folder, "tags/index.html")


def tag_page(folder: str, tag_name: str) -> str:
    """The page of one tag, by the file name :func:`tag_names` gave it."""
    return _in(folder, f"tags/{tag_name}.html")


def a_z_page(folder: str) -> str:
    return _in(folder, "a-z.html")


def feed_path(folder: str) -> str:
    return _in(folder, "feed.xml")


def tag_key(tag: str) -> str:
    """What makes two tags the same tag: ``Pain`` and `` pain`` are one (Unicode NFC, case folded)."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", tag).casefold().split())


def tag_names(tags: list[str]) -> dict[str, str]:
    """A safe, unique file name for each tag key (see :func:`tag_key`), decided here only.

    The name is the tag's slug (ASCII letters, digits, hyphens); a tag whose
    slug is empty, reserved or already taken by another tag (``C++`` and
    ``C``) gets its slug plus a short hash of the tag, so no two tags share a page.
    """
    from pubkit.model.text import slugify

    names: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted({tag_key(t) for t in tags}):
        slug = _UNSAFE_CHARS.sub("-", slugify(key, 60)).strip(".-")
        if not slug or slug in _TAG_RESERVED or slug in taken:
            tag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
            slug = f"{slug}-{tag}" if slug else f"tag-{tag}"
        taken.add(slug)
        names[key] = slug
    return names
