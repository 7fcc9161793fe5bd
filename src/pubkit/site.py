"""A site: its root folder, its settings and where things live in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pubkit.safeio import exists
from pubkit.settings import CONFIG_NAME, Settings, load_settings


@dataclass(frozen=True)
class Site:
    root: Path
    settings: Settings

    @property
    def content_dir(self) -> Path:
        return self.root / self.settings.content_dir

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / self.settings.output_dir

    @property
    def newsletters_dir(self) -> Path:
        return self.root / "newsletters"

    @property
    def asset_dirs(self) -> list[Path]:
        return [self.root / d for d in self.settings.asset_dirs]


def find_root(start: Path) -> Path:
    """The nearest folder upward holding ``pubkit.toml`` (as git finds its repository)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if exists(folder / CONFIG_NAME):  # a FIFO or folder by that name is an error, not "no site"
            return folder
    return start


def open_site(site_dir: Path | None = None) -> Site:
    root = site_dir.resolve() if site_dir is not None else find_root(Path.cwd())
    return Site(root, load_settings(root / CONFIG_NAME))


def discover_articles(paths: list[Path], site: Site) -> list[Path]:
    """Markdown files named by ``paths`` (files or folders); the content folder by default."""
    if not paths:
        paths = [site.content_dir]
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.md") if q.is_file()))
        else:
            found.append(p)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
