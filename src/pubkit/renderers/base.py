"""What a renderer is: a small class naming its format, and a pure ``render``.

A renderer turns (article, context) into bytes and never writes a file,
reads the clock or opens a socket on its own: files it may read come
through ``ctx.resources``, facts about other pages through ``ctx.index``,
where each link goes through ``ctx.links(article)``, and warnings go to
``ctx.warn``.  The facts about its format (folder, suffix, templates,
settings, version) are declared in :mod:`pubkit.formats`, not here.
Writing is :mod:`pubkit.output`'s job alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pubkit.diagnostics import Diagnostic
from pubkit.formats import Format, SettingsView
from pubkit.media.cache import ImageCache
from pubkit.model.article import Article
from pubkit.resources import ResourcePolicy
from pubkit.site import Site
from pubkit.sitefiles import DISK, SiteFiles
from pubkit.theme import Theme

if TYPE_CHECKING:
    from pubkit.i18n import Translations
    from pubkit.media.types import PictureFacts
    from pubkit.site.index import Entry, SiteIndex
    from pubkit.site.links import LinkResolver


@dataclass(frozen=True, slots=True)
class Output:
    """A rendered document and the files that go with it.

    ``companions`` maps suffixes (``.txt``) to files written beside the main
    one under the same name.  ``published`` maps web paths (relative to the
    web root, as the site index names them) to local files the document shows
    or links to by address; they are written once, into the web root.
    """

    data: bytes
    companions: dict[str, bytes] = field(default_factory=dict)
    published: dict[str, bytes] = field(default_factory=dict)
    pictures: dict[str, PictureFacts] = field(default_factory=dict)
    """The pictures given web copies, by site path (see :class:`~pubkit.media.types.PictureFacts`)."""


@dataclass
class RenderContext:
    """Everything a renderer may use besides the article."""

    site: Site
    theme: Theme
    resources: ResourcePolicy
    warnings: list[Diagnostic] = field(default_factory=list)
    format: Format | None = None
    """The format being rendered; its renderer sees only the settings it declares."""
    images: ImageCache = field(default_factory=ImageCache)
    """Copies of pictures already made (a web page's widths): in memory, and in a folder when the
    command that made this context keeps one between builds."""
    _index: SiteIndex | None = None
    _resolvers: dict[int, LinkResolver] = field(default_factory=dict)
    _untranslated: set[str] = field(default_factory=set)
    """Languages already warned about as having no catalogue (shared by every format's render)."""
    _catalogues_looked_up: set[str] = field(default_factory=set)
    """Languages :meth:`warn_untranslated` has looked up."""

    @classmethod
    def for_site(cls, site: Site, allow_remote: bool | None = None,
                 index: SiteIndex | None = None, images: ImageCache | None = None,
                 files: SiteFiles = DISK, builtin: Path | None = None) -> RenderContext:
        """The context of ``site``, whose files are read from ``files``.

        ``builtin`` is the shipped templates' folder when not this installation's
        (a remote worker renders with the files of the submitting machine's).
        """
        theme = Theme(site.templates_dir, files, builtin)
        dirs = [site.content_dir, *theme.search_path, *site.asset_dirs]
        remote = site.settings.allow_remote if allow_remote is None else allow_remote
        return cls(site, theme, ResourcePolicy.for_dirs(site.root, dirs, remote, files),
                   _index=index, images=images or ImageCache())

    @property
    def files(self) -> SiteFiles:
        """Where the site's files are read (see :mod:`pubkit.sitefiles`)."""
        return self.resources.files

    def for_format(self, fmt: Format) -> RenderContext:
        """A context for one render in ``fmt``: its own warnings, link decisions and image counts."""
        return dataclasses.replace(self, warnings=[], format=fmt, _index=self.index, _resolvers={},
                                   images=self.images.counting())

    @property
    def settings(self) -> Any:
        """The site's settings; within a format's render, only those it declares."""
        if self.format is None:
            return self.site.settings
        return SettingsView(self.site.settings, self.format)

    @property
    def index(self) -> SiteIndex:
        """The site index (read from the content folder when the command gave none)."""
        if self._index is None:
            from pubkit.site.indexing import build_index

            self._index = build_index(self.site).index
        return self._index

    def links(self, article: Article) -> LinkResolver:
        """Where ``article``'s links and pictures go (one resolver per article and render)."""
        resolver = self._resolvers.get(id(article))
        if resolver is None:
            from pubkit.site.links import LinkResolver

            settings = self.site.settings
            resolver = LinkResolver(self.index, article, self.resources, settings.base_url,
                                    settings.content_dir, self.site.root, self.warnings)
            self._resolvers[id(article)] = resolver
        return resolver

    def forget(self, article: Article) -> None:
        """Drop ``article``'s resolver: a command that goes through many articles with one
        context (``check``) would otherwise keep every article it has seen."""
        self._resolvers.pop(id(article), None)

    def entry(self, article: Article) -> Entry:
        """``article``'s facts in the site index (made from the article when the index is stale)."""
        entry = self.index.entry(article.path)
        if entry is not None and entry.source_hash == article.source_hash:
            return entry
        from pubkit.site.indexing import article_entry

        return article_entry(article)

    def warn_untranslated(self, article: Article) -> None:
        """The warning :meth:`translations` gives when ``article``'s language has no catalogue,
        with the catalogues looked up once per language (a check of many articles renders none:
        seeing an edit of a catalogue between two of them is not worth a stat per article)."""
        if article.lang not in self._catalogues_looked_up:
            self._catalogues_looked_up.add(article.lang)
            self.translations(article)

    def translations(self, article: Article, lang: str | None = None) -> Translations:
        """pubkit's words in ``lang`` (default: the article's), from the theme's catalogues.

        A language without a catalogue gets English, and one warning per command names it.
        """
        t = self.theme.translations(lang or article.lang)
        if t.missing and t.missing not in self._untranslated:
            self._untranslated.add(t.missing)
            from pubkit.i18n import catalogue_name

            self.warn(article, None, f"no message catalogue for language '{t.missing}' "
                      f"(templates/{catalogue_name(t.missing.replace('-', '_'))}): pubkit's own "
                      "words are in English")
        return t

    def article_dir(self, article: Article) -> Path:
        return self.files.resolve(self.site.root / article.source_dir)

    def warn(self, article: Article, line: int | None, message: str) -> None:
        """Record a warning once: a picture the engine asks for twice is still one thing left out."""
        diagnostic = Diagnostic(article.path, line, message, "warning")
        if diagnostic not in self.warnings:
            self.warnings.append(diagnostic)


class Renderer(ABC):
    """One output format.  Subclasses set ``format``, the name it is registered under."""

    format: ClassVar[str]

    @abstractmethod
    def render(self, article: Article, ctx: RenderContext) -> Output:
        """Render ``article``; raise an exception to fail this article alone."""


class IssueRenderer(ABC):
    """A format of newsletter issues (``newsletters/*.md``) rather than articles."""

    format: ClassVar[str]

    @abstractmethod
    def render_issue(self, path: Path, ctx: RenderContext, now: dt.datetime) -> tuple[Output, str]:
        """Render the issue at ``path`` dated ``now``; its output and its subject."""
