"""A site: its root folder, its settings and where things live in it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pubkit.diagnostics import ConfigError
from pubkit.safeio import exists
from pubkit.settings import CONFIG_NAME, Settings, load_settings

PRIVATE_DIR = ".pubkit"
"""pubkit's own folder in a site (the delivery ledger); never a source, never published."""
IMAGE_CACHE = "cache/images"
"""Below pubkit's own folder: copies of pictures made by builds, kept for the next build."""
SEND_FOLDER = "send"
"""Below the output folder: dry-run messages of ``pubkit send``, one per recipient (never served)."""


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
    def image_cache_dir(self) -> Path:
        """Where copies of pictures are kept between builds (see :mod:`pubkit.media.cache`)."""
        return self.root / PRIVATE_DIR / IMAGE_CACHE

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
    site = Site(root, load_settings(root / CONFIG_NAME))
    check_layout(site)
    return site


def check_layout(site: Site, output: Path | None = None) -> None:
    """Refuse (:class:`ConfigError`) an output folder that is, holds or sits inside the sources.

    Paths are compared once symlinks are followed, so ``output -> content``
    is caught as surely as ``output_dir = "content"``.  The output folder of
    the settings must also stay inside the site; ``output`` (a ``--output``
    on the command line) may be anywhere else.  Content and asset folders may
    not hold the site's ``pubkit.toml`` or ``.pubkit/`` (secrets and the
    delivery ledger would become readable by articles).
    """
    root = site.root.resolve()
    config = root / CONFIG_NAME
    where = f"{config}: setting 'output_dir'" if output is None else f"--output {output}"
    out = (output if output is not None else site.output_dir).resolve()
    if output is None and not out.is_relative_to(root):
        raise ConfigError(f"{where}: '{site.settings.output_dir}' leads outside the site (to {out})")
    readable = [("content_dir", site.content_dir), *(("asset_dirs", d) for d in site.asset_dirs)]
    sources = [*readable, ("templates", site.templates_dir), ("newsletters", site.newsletters_dir)]
    for name, folder in sources:
        # A folder symlinked out of the site would let articles (and templates) read anything.
        real = folder.resolve()
        if not real.is_relative_to(root):
            raise ConfigError(f"{config}: the site's {name} folder {folder} leads outside the "
                              f"site (to {real}); keep the site's sources inside it")
    for name, folder in readable:
        real = folder.resolve()
        for private in (config, root / PRIVATE_DIR):
            if private.is_relative_to(real):
                raise ConfigError(f"{config}: setting '{name}': {real} holds the site's "
                                  f"{private.name}, which articles must not be able to read")
    for name, folder in sources:
        real = folder.resolve()
        if out == real or out.is_relative_to(real):
            raise ConfigError(f"{where}: the output folder {out} is inside the site's {name} ({real})")
        if real.is_relative_to(out):
            raise ConfigError(f"{where}: the output folder {out} holds the site's {name} ({real})")
    if config.is_relative_to(out):
        raise ConfigError(f"{where}: the output folder {out} holds the site's {CONFIG_NAME}")


def discover_articles(paths: list[Path], site: Site) -> list[Path]:
    """Markdown files named by ``paths`` (files or folders); the content folder by default.

    A folder holds the files :func:`markdown_files` finds in it, the ones the
    site index reads from the content folder; a file is taken as named.
    """
    if not paths:
        paths = [site.content_dir]
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(p / name for name in markdown_files(p))
        else:
            found.append(p)
    seen: set[str] = set()
    unique = []
    for p, key in zip(found, real_paths(found), strict=True):
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def markdown_files(folder: Path) -> list[str]:
    """The ``*.md`` files below ``folder``, as names relative to it (``/`` between parts), sorted.

    The one rule for which files are a folder's sources, read by the site
    index and by every command taking folders: hidden names (a leading dot:
    ``.git/``, an editor's ``.draft.md``) are left out, and so are the insides
    of folders reached through a symbolic link; a file linked in is kept.  A
    walk over strings: on a site of ten thousand articles, ``Path`` objects
    (globbing, comparing) cost more than everything else the index does.
    """
    top = os.path.realpath(folder)
    if not os.path.isdir(top):
        return []
    prefix = os.path.join(top, "")
    out: list[str] = []
    stack = [top]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                for item in it:
                    if item.name.startswith("."):
                        continue
                    if item.is_dir(follow_symlinks=False):
                        stack.append(item.path)
                    elif item.name.endswith(".md") and item.is_file():
                        out.append(item.path[len(prefix):])
        except OSError:
            continue
    out.sort()
    return out


def resolve_all(paths: list[Path]) -> list[Path]:
    """``[p.resolve() for p in paths]`` (see :func:`real_paths`)."""
    return [Path(real) for real in real_paths(paths)]


def real_paths(paths: list[Path]) -> list[str]:
    """``[str(p.resolve()) for p in paths]``, each folder resolved once.

    A file that is not a symbolic link resolves to its resolved folder and its
    name: one ``lstat`` instead of one per component of the path, and strings
    instead of ``Path`` objects (a thousand of them cost more than the lstats).
    """
    folders: dict[str, str] = {}
    out = []
    for path in paths:
        text = os.fspath(path)
        head, name = os.path.split(text)
        if name in ("", ".", "..") or os.path.islink(text):
            out.append(os.path.realpath(text))
            continue
        folder = folders.get(head)
        if folder is None:
            folder = folders[head] = os.path.realpath(head or ".")
        out.append(os.path.join(folder, name))
    return out
