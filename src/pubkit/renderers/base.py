"""What a renderer is: a small class naming its format, and a pure ``render``.

A renderer turns (article, context) into bytes and never writes a file,
reads the clock or opens a socket on its own: files it may read come
through ``ctx.resources``, and warnings go to ``ctx.warn``.  Writing is
:mod:`pubkit.output`'s job alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pubkit.diagnostics import Diagnostic
from pubkit.model.article import Article
from pubkit.resources import ResourcePolicy
from pubkit.site import Site
from pubkit.theme import Theme


@dataclass(frozen=True, slots=True)
class Output:
    """A rendered document and its companion files.

    ``extras`` maps names relative to the format's folder (``media/x.png``,
    ``<slug>.txt``) to their bytes.
    """

    data: bytes
    extras: dict[str, bytes] = field(default_factory=dict)


@dataclass
class RenderContext:
    """Everything a renderer may use besides the article."""

    site: Site
    theme: Theme
    resources: ResourcePolicy
    warnings: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def for_site(cls, site: Site, allow_remote: bool | None = None) -> RenderContext:
        theme = Theme(site.templates_dir)
        dirs = [site.content_dir, *theme.search_path, *site.asset_dirs]
        remote = site.settings.allow_remote if allow_remote is None else allow_remote
        return cls(site, theme, ResourcePolicy.for_dirs(site.root, dirs, remote))

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.site.settings

    def article_dir(self, article: Article) -> Path:
        return (self.site.root / article.source_dir).resolve()

    def warn(self, article: Article, line: int | None, message: str) -> None:
        self.warnings.append(Diagnostic(article.path, line, message, "warning"))


class Renderer(ABC):
    """One output format.  Subclasses set ``name`` and ``suffix``."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    version: ClassVar[str] = "1"
    """Bumped when output changes for the same input (invalidates incremental builds)."""
    templates: ClassVar[tuple[str, ...]] = ()
    """Template files the output depends on (for incremental builds)."""

    @property
    def folder(self) -> str:
        return self.name

    def output_name(self, article: Article) -> str:
        return self.output_name_for(article.slug)

    def output_name_for(self, slug: str | None) -> str:
        return f"{slug}{self.suffix}"

    @abstractmethod
    def render(self, article: Article, ctx: RenderContext) -> Output:
        """Render ``article``; raise an exception to fail this article alone."""
