"""Templates and styles: the site's ``templates/`` first, then the built-in ones.

Like MkDocs' theme search path, a site overrides the shipped files one by
one.  Autoescape is on everywhere; article content is data passed to a
template, never compiled as one.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path

import jinja2


def builtin_templates() -> Path:
    """The shipped templates: inside the wheel, or at the checkout's top level."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class Theme:
    """The template search path of one site."""

    def __init__(self, site_templates: Path | None = None) -> None:
        dirs = [builtin_templates()]
        # The repository is itself a site whose templates/ are the built-in ones.
        if (
            site_templates is not None
            and site_templates.is_dir()
            and site_templates.resolve() != dirs[0].resolve()
        ):
            dirs.insert(0, site_templates)
        self.search_path: tuple[Path, ...] = tuple(d.resolve() for d in dirs)
        self._texts: dict[str, str] = {}

    @cached_property
    def env(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.search_path]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        return env

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)

    def find(self, name: str) -> Path:
        """The first file called ``name`` on the search path."""
        for folder in self.search_path:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise FileNotFoundError(f"no template file {name!r} in {', '.join(map(str, self.search_path))}")

    def read_text(self, name: str) -> str:
        """The text of a template file, read once per theme (like compiled templates)."""
        if name not in self._texts:
            self._texts[name] = self.find(name).read_text(encoding="utf-8")
        return self._texts[name]

    def fingerprint(self, names: list[str]) -> str:
        """A hash of the named files as found (for incremental builds)."""
        h = hashlib.sha256()
        for name in sorted(names):
            try:
                path = self.find(name)
            except FileNotFoundError:
                continue
            h.update(name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()
