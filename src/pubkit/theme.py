"""Templates and styles: the site's ``templates/`` first, then the built-in ones.

Like MkDocs' theme search path, a site overrides the shipped files one by
one.  Autoescape is on everywhere; article content is data passed to a
template, never compiled as one.  Every template file is read through
:func:`pubkit.safeio.read_regular` (Jinja's own loader would wait forever
on a FIFO), and a name the site's folder holds is never passed over for the
built-in file: a FIFO or folder there is an error naming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit import i18n
from pubkit.diagnostics import SourceError
from pubkit.safeio import TEMPLATE_LIMIT, read_regular
from pubkit.sitefiles import DISK, SiteFiles

if TYPE_CHECKING:
    # Jinja2 loads when a template is first needed: a no-op build asks the theme
    # only for the hash of its files.
    import jinja2


def builtin_templates() -> Path:
    """The shipped templates: inside the wheel, or at the checkout's top level."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class Theme:
    """The template search path of one site."""

    def __init__(self, site_templates: Path | None = None, files: SiteFiles = DISK,
                 builtin: Path | None = None) -> None:
        """``builtin``: where the shipped templates are (a remote worker is told the
        submitting machine's folder, whose files it was sent)."""
        self.files = files
        dirs = [builtin or builtin_templates()]
        # The repository is itself a site whose templates/ are the built-in ones.
        if (
            site_templates is not None
            and files.is_dir(site_templates)
            and files.resolve(site_templates) != files.resolve(dirs[0])
        ):
            dirs.insert(0, site_templates)
        self.search_path: tuple[Path, ...] = tuple(files.resolve(d) for d in dirs)
        self._shown_root = (files.resolve(site_templates).parent if site_templates is not None
                            else None)
        self._texts: dict[str, str] = {}

    @cached_property
    def env(self) -> jinja2.Environment:
        import jinja2

        env = jinja2.Environment(
            loader=_safe_loader(self),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        i18n.install(env)
        return env

    def translations(self, lang: str) -> i18n.Translations:
        """pubkit's words in ``lang``, from the catalogues on this theme's search path."""
        return i18n.translations(lang, self.search_path, self.files)

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)

    def find(self, name: str) -> Path:
        """The first entry called ``name`` on the search path (not necessarily a readable file)."""
        for folder in self.search_path:
            candidate = folder / name
            if self.files.lexists(candidate):
                return candidate
        raise FileNotFoundError(f"no template file {name!r} in {', '.join(map(str, self.search_path))}")

    def read_bytes(self, name: str) -> bytes:
        """The bytes of template file ``name``, or :class:`SourceError` naming the file."""
        path = self.find(name)
        try:
            return self.files.read(path, TEMPLATE_LIMIT)
        except OSError as exc:
            raise SourceError(self.shown(path), None, f"cannot read: {exc.strerror or exc}") from None

    def read_text(self, name: str) -> str:
        """The text of a template file, read once per theme (like compiled templates)."""
        if name not in self._texts:
            data = self.read_bytes(name)
            try:
                self._texts[name] = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(self.shown(self.find(name)), data[: exc.start].count(b"\n") + 1,
                                  "not UTF-8 text") from None
        return self._texts[name]

    def shown(self, path: Path) -> str:
        """``path`` as messages name it: relative to the site for the site's own templates."""
        if self._shown_root is not None and path.is_relative_to(self._shown_root):
            return path.relative_to(self._shown_root).as_posix()
        return str(path)

    def fingerprint(self, names: list[str]) -> str:
        """A hash of the named files as found (for incremental builds).

        A name ending in ``/`` is a folder: every file below it, in every folder
        of the search path (message catalogues are read that way, see :mod:`pubkit.i18n`).
        """
        h = hashlib.sha256()
        for name in sorted(names):
            if name.endswith("/"):
                self._fingerprint_folder(h, name)
                continue
            try:
                data = read_regular(self.find(name), TEMPLATE_LIMIT)
            except FileNotFoundError:
                continue
            except OSError as exc:  # the render itself reports it; the hash only has to differ
                data = f"\0unreadable: {exc.strerror}".encode()
            h.update(name.encode() + b"\0" + data)
        return h.hexdigest()


    def _fingerprint_folder(self, h: Any, name: str) -> None:
        for i, folder in enumerate(self.search_path):
            # Which folder it is, not where on the path: a site adding templates/ for
            # something else must not change this hash.
            role = "pubkit" if i == len(self.search_path) - 1 else "site"
            base = folder / name
            if not base.is_dir():
                continue
            for path in sorted(p for p in base.rglob("*") if p.is_file() or p.is_symlink()):
                try:
                    data = read_regular(path, TEMPLATE_LIMIT)
                except OSError as exc:
                    data = f"\0unreadable: {exc.strerror}".encode()
                rel = path.relative_to(folder).as_posix()
                h.update(f"{role}\0{rel}\0".encode() + data)


def _safe_loader(theme: Theme) -> jinja2.BaseLoader:
    """Jinja's file loader, reading through :func:`read_regular` with the theme's search rules."""
    import jinja2

    class SafeLoader(jinja2.BaseLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            pieces = jinja2.loaders.split_template_path(template)  # refuses ".." like Jinja's own
            name = "/".join(pieces)
            try:
                path = theme.find(name)
            except FileNotFoundError:
                raise jinja2.TemplateNotFound(template) from None
            text = theme.read_text(name)
            mtime = _mtime(theme.files, path)
            return text, str(path), lambda: _mtime(theme.files, path) == mtime

    return SafeLoader()


def _mtime(files: SiteFiles, path: Path) -> float | None:
    try:
        return files.stat(path).mtime
    except OSError:
        return None
