"""Every output format, described once, without importing its engine.

A :class:`Format` holds the facts the rest of pubkit needs about a format:
its name, the folder and suffix of its files, the templates and settings its
output depends on, its version, and where its renderer lives.  Commands, the
batch planner and the manifest read these facts from here; the renderer module
(which may import WeasyPrint or python-docx) is imported only when the format
really renders.  A new format is one renderer module plus one
:func:`register` call below.  Like Sphinx's builder registry, a name is taken
once.

``settings`` is not advisory: a renderer sees the site's settings through a
view that refuses every setting its format does not declare (see
:class:`SettingsView`), so the incremental build's notion of "the settings
this format reads" cannot drift from what the code reads.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pubkit.renderers.base import IssueRenderer, Renderer
    from pubkit.settings import Settings

Source = Literal["article", "newsletter"]

LINK_SETTINGS = ("base_url", "content_dir", "asset_dirs", "allow_remote", "language")
"""Settings every format reads: where links go and which local files may be used."""
RUNTIME_SETTINGS = ("render_timeout",)
"""Settings a renderer may read that never change its output (time limits)."""


@dataclass(frozen=True)
class Format:
    """What is known about one output format before its engine loads."""

    name: str
    """The name users type (``pubkit build -f NAME``) and the manifest records."""
    renderer: str
    """``module:Class`` of the renderer, imported on first use."""
    folder: str
    """Folder of the output folder its files go to."""
    suffix: str
    """Suffix of the main file."""
    description: str
    """A few words for help texts and the preview index."""
    companions: tuple[str, ...] = ()
    """Suffixes of further files written beside the main one (same name)."""
    templates: tuple[str, ...] = ()
    """Template files (theme-relative) the output depends on."""
    settings: tuple[str, ...] = ()
    """Top-level settings (fields or whole sections) the output depends on, besides
    :data:`LINK_SETTINGS`."""
    version: str = "1"
    """Bumped when the output changes for the same input (invalidates built outputs)."""
    source: Source = "article"
    """What it renders: articles of ``content/`` or newsletter issues."""
    folder_per_source: bool = False
    """Each source gets a folder of its own (``newsletters/<name>/newsletter.eml``)."""
    built_when: tuple[str, str] | None = None
    """``(setting, value)``: builds make this format by default only when that list setting
    (dotted, ``pdf.variants``) holds the value; None: always."""

    @property
    def module(self) -> str:
        return self.renderer.partition(":")[0]

    @property
    def reads(self) -> frozenset[str]:
        """Every top-level setting the output may depend on."""
        return frozenset((*LINK_SETTINGS, *self.settings))

    def installed(self) -> bool:
        """Whether the renderer module is present (a registered format may be absent)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False


class UnknownFormat(LookupError):
    """No format of that name is registered."""


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> None:
    """Add ``fmt``; a name can be taken only once."""
    if fmt.name in _REGISTRY:
        known = _REGISTRY[fmt.name].renderer
        raise ValueError(f"a format named {fmt.name!r} is already registered ({known})")
    _REGISTRY[fmt.name] = fmt


def unregister(name: str) -> None:
    """Remove a format (for tests that register their own)."""
    _REGISTRY.pop(name, None)
    load.cache_clear()


def get(name: str) -> Format:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFormat(f"unknown format {name!r} (have: {', '.join(names())})") from None


def names(source: Source | None = None) -> list[str]:
    """Registered formats whose renderer is installed, in registration order."""
    return [f.name for f in _REGISTRY.values()
            if (source is None or f.source == source) and f.installed()]


def article_formats() -> list[str]:
    return names("article")


def default_names(settings: Settings, source: Source | None = None) -> list[str]:
    """The installed formats a build makes when told none: those their ``built_when`` allows."""
    chosen = []
    for name in names(source):
        when = _REGISTRY[name].built_when
        if when is not None:
            value: Any = settings
            for part in when[0].split("."):
                value = getattr(value, part)
            if when[1] not in value:
                continue
        chosen.append(name)
    return chosen


@cache
def load(name: str) -> Renderer | IssueRenderer:
    """The renderer of format ``name`` (imports its engine)."""
    fmt = get(name)
    module_name, _, class_name = fmt.renderer.partition(":")
    renderer: Renderer | IssueRenderer = getattr(importlib.import_module(module_name), class_name)()
    return renderer


def article_renderer(name: str) -> Renderer:
    """The renderer of article format ``name``."""
    from pubkit.renderers.base import Renderer

    renderer = load(name)
    if not isinstance(renderer, Renderer):
        raise UnknownFormat(f"{name} does not render articles")
    return renderer


def issue_renderer(name: str) -> IssueRenderer:
    """The renderer of newsletter format ``name``."""
    from pubkit.renderers.base import IssueRenderer

    renderer = load(name)
    if not isinstance(renderer, IssueRenderer):
        raise UnknownFormat(f"{name} does not render newsletter issues")
    return renderer


class UndeclaredSetting(AttributeError):
    """A renderer read a setting its format does not declare."""


class SettingsView:
    """The site's settings as one format may see them: declared fields only."""

    __slots__ = ("_allowed", "_format", "_settings")

    def __init__(self, settings: Settings, fmt: Format) -> None:
        self._settings = settings
        self._allowed = fmt.reads | frozenset(RUNTIME_SETTINGS)
        self._format = fmt.name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in self._allowed:
            return getattr(self._settings, name)
        raise UndeclaredSetting(
            f"format {self._format!r} reads the setting {name!r} without declaring it "
            "(add it to the format's settings in pubkit/formats.py)"
        )


PAGE_SETTINGS = ("site_name", "brand", "reviewers", "review", "images")
"""What every format prints around an article (the site's name and brand, the review line)
and how it shows the article's pictures (``[images]``: what one without alt text says)."""
LOCALE = "locale/"
"""The message catalogues (a folder: every language's), read by every format."""
_PAGE_PARTS = ("html/head.html.j2", "html/site-header.html.j2", "html/site-footer.html.j2")
"""What every web page shares (the article pages and the site's own pages)."""
_EMAIL_TEMPLATES = ("email/message.html.j2", "email/button.html.j2", "email/style.css.j2", LOCALE)
_PDF_TEMPLATES = ("pdf/handout.html.j2", "pdf/handout.css", "pdf/page.css.j2", LOCALE)

register(Format(
    name="html", renderer="pubkit.renderers.html.page:HtmlRenderer",
    folder="html", suffix=".html", description="web page",
    templates=("html/page.html.j2", "html/fragment.html.j2", *_PAGE_PARTS, "html/style.css",
               LOCALE),
    settings=(*PAGE_SETTINGS, "toc_min_headings", "html"),
    version="8",  # 8: no icon named when its source is unusable (7: icons)
))
register(Format(
    name="pdf", renderer="pubkit.renderers.pdf.renderer:PdfRenderer",
    folder="pdf", suffix=".pdf", description="printed handout",
    templates=_PDF_TEMPLATES,
    settings=(*PAGE_SETTINGS, "pdf", "toc_min_headings"),
    version="5", built_when=("pdf.variants", "standard"),  # 5: pictures without metadata
))
register(Format(
    name="docx", renderer="pubkit.renderers.docx.renderer:DocxRenderer",
    folder="docx", suffix=".docx", description="Word document",
    templates=("docx/reference.docx", LOCALE),
    settings=(*PAGE_SETTINGS, "toc_min_headings"),
    version="5",  # 5: pictures without metadata
))
register(Format(
    name="email", renderer="pubkit.renderers.email.renderer:EmailRenderer",
    folder="email", suffix=".eml", description="email", companions=(".html", ".txt"),
    templates=_EMAIL_TEMPLATES,
    settings=(*PAGE_SETTINGS, "email"),
    version="5",  # 5: pictures without metadata
))
register(Format(
    name="newsletter", renderer="pubkit.renderers.email.renderer:NewsletterRenderer",
    folder="newsletters", suffix=".eml", description="newsletter issue",
    companions=(".html", ".txt"),
    templates=_EMAIL_TEMPLATES,
    settings=(*PAGE_SETTINGS, "email"),
    version="5", source="newsletter", folder_per_source=True,
))
# A variant of the handout is a format of its own: its own file beside the standard one,
# its own templates, its own place in the build manifest.
register(Format(
    name="large-print", renderer="pubkit.renderers.pdf.renderer:LargePrintRenderer",
    folder="pdf", suffix=".large-print.pdf", description="large-print handout",
    templates=(*_PDF_TEMPLATES, "pdf/large-print.css"),
    settings=(*PAGE_SETTINGS, "pdf", "toc_min_headings"),
    version="3", built_when=("pdf.variants", "large-print"),
))

SITE_PAGES = Format(
    name="pages", renderer="pubkit.renderers.html.site_pages:render_site_pages",
    folder="html", suffix=".html", description="home, topic and A-Z pages, sitemap, feed",
    templates=("html/listing.html.j2", *_PAGE_PARTS, "html/style.css", LOCALE),
    settings=("site_name", "brand", "reviewers", "images", "html", "pages"),
    version="4",  # 4: no icon named when its source is unusable (3: icons)
)
"""The site's own pages, made from the site index in one piece after the articles (see
:mod:`pubkit.renderers.html.site_pages`): not registered, as no source is rendered into it."""
