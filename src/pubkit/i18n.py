"""Every word pubkit itself writes, looked up in the reader's language.

This is the one home of user-facing strings that pubkit (not the author)
adds to an output: labels, bylines, dates, footers, page chrome.  Python code
asks ``translations(lang).gettext("...")``; templates get the same lookups as
``_``, ``gettext`` and ``ngettext`` (Jinja2's i18n extension, new style: the
translated text is trusted like a template, and every ``%(name)s`` value is
escaped) from the ``t`` the renderer passes in their context.

The messages are gettext catalogues, ``locale/<lang>/LC_MESSAGES/pubkit.po``
on the theme's search path, read with Babel: a site rewords a string or adds
a language with its own ``templates/locale/...`` file, and a string its file
lacks comes from pubkit's file for that language.  A tag falls back subtag by
subtag (``es-MX`` -> ``es``), and a language with no catalogue at all falls
back to English; :attr:`Translations.missing` then names it, so the caller
can warn once.  Dates and numbers are formatted with Babel's own (offline)
CLDR data for the language whose catalogue is used, so a sentence never
mixes two languages.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit.diagnostics import ConfigError

if TYPE_CHECKING:
    from babel.core import Locale

    from pubkit.sitefiles import SiteFiles

DOMAIN = "pubkit"
SOURCE_LANGUAGE = "en"
"""The language msgids are written in; its catalogue exists so sites can reword it too."""
CATALOGUE_LIMIT = 4 * 1024 * 1024


MAX_LANG_CHARS = 35
"""Longest language tag accepted (BCP 47 asks that at least 35 characters be supported)."""
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")  # as front matter's ``lang``


def valid_lang(tag: str) -> bool:
    """Whether ``tag`` looks like a BCP 47 language tag: ``es``, ``es-MX``, ``zh-Hant-TW``.

    Only letters, digits and hyphens, bounded in length: a tag names a folder
    and goes into headers, so an untrusted one must be checked with this first.
    """
    return len(tag) <= MAX_LANG_CHARS and _LANG_TAG.fullmatch(tag) is not None


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is defined; it is translated where it is used."""
    return message


def catalogue_name(locale: str) -> str:
    """The theme-relative catalogue of gettext locale name ``locale`` (``es``, ``es_MX``)."""
    return f"locale/{locale}/LC_MESSAGES/{DOMAIN}.po"


def candidates(lang: str) -> list[str]:
    """Catalogue locale names for BCP 47 ``lang``, most specific first: ``es-MX`` -> es_MX, es."""
    parts = [p for p in lang.replace("_", "-").split("-") if p]
    if not parts:
        return []
    parts[0] = parts[0].lower()
    for i, part in enumerate(parts[1:], start=1):
        # Region subtags are upper case, scripts title case (gettext's and Babel's spelling).
        parts[i] = part.upper() if len(part) in (2, 3) else part.title()
    return ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class Translations:
    """The messages and formats of one language."""

    lang: str
    """The language asked for (an article's ``lang``)."""
    locale: str = SOURCE_LANGUAGE
    """The catalogue's locale that answers (``es`` for ``es-MX``; English when none does)."""
    missing: str | None = None
    """Set when ``lang`` has no catalogue: the language that fell back to English."""
    _messages: _gettext.NullTranslations = field(
        default_factory=_gettext.NullTranslations, repr=False, compare=False)
    _dates: dict[tuple[dt.date, str], str] = field(default_factory=dict, repr=False, compare=False)
    """Dates already written: a listing page of 1,000 cards writes a few hundred, each through Babel."""

    def gettext(self, message: str) -> str:
        """``message`` in this language."""
        return self._messages.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n``, by this language's plural rule."""
        return self._messages.ngettext(singular, plural, n)

    def format(self, message: str, **values: object) -> str:
        """``gettext(message)`` with its ``%(name)s`` placeholders filled (plain text)."""
        return self.gettext(message) % values

    @property
    def babel_locale(self) -> Locale:
        """Babel's locale for dates and numbers: the tag asked for, when its catalogue's language
        answers (``es-MX`` writes 1,234.5 as Mexicans do), else the catalogue's own."""
        asked = _babel_locale(self.lang.replace("-", "_"), self.locale)
        return asked if asked.language == self.locale.split("_")[0] else _babel_locale(self.locale)

    def format_date(self, value: dt.date, form: str = "long") -> str:
        """``value`` as readers of this language write it: "January 15, 2025", "15 de enero de 2025".

        ``form`` is ``long`` or ``month-year`` ("January 2025", "enero de 2025").
        """
        done = self._dates.get((value, form))
        if done is None:
            from babel.dates import format_date, format_skeleton

            done = (format_skeleton("yMMMM", value, locale=self.babel_locale) if form == "month-year"
                    else format_date(value, "long", locale=self.babel_locale))
            self._dates[(value, form)] = done
        return done

    def format_number(self, value: int | float) -> str:
        """``value`` with this language's digits grouping and decimal sign ("1,234.5", "1234,5")."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.babel_locale)

    def upper(self, text: str) -> str:
        """``text`` in capitals by this language's rules (Turkish and Azerbaijani dot their I)."""
        if self.babel_locale.language in _DOTTED_I:
            text = text.replace("i", "\u0130")
        return text.upper()

    def language_name(self, lang: str | None = None) -> str:
        """The name of ``lang`` (default: this language) in its own words: "English", "español"."""
        return language_name(lang or self.lang)


_DOTTED_I = frozenset({"tr", "az"})
"""Languages whose capital of ``i`` is ``İ`` (Unicode's SpecialCasing.txt, conditional mappings)."""


@lru_cache(maxsize=64)
def _babel_locale(name: str, fallback: str = SOURCE_LANGUAGE) -> Locale:
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(fallback)


@lru_cache(maxsize=64)
def language_name(lang: str) -> str:
    """``lang``'s name in its own language (an endonym, for language switchers)."""
    from babel.core import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return lang
    return locale.get_display_name(locale) or lang


def translations(lang: str, search_path: Iterable[Path] | None = None,
                 files: SiteFiles | None = None) -> Translations:
    """The translations for BCP 47 tag ``lang``.

    ``search_path`` is the theme's (a site's ``templates/`` first); without
    it only pubkit's own catalogues are read.  ``files`` is where they are read
    (the disk unless a remote worker's snapshot).
    """
    from pubkit.sitefiles import DISK
    from pubkit.theme import builtin_templates

    folders = tuple(search_path) if search_path is not None else (builtin_templates(),)
    files = files or DISK
    return _translations(lang, folders, _stamp(lang, folders, files), files)


def _stamp(lang: str, folders: tuple[Path, ...],
           files: SiteFiles) -> tuple[tuple[str, float, int], ...]:
    """What the catalogues of ``lang`` are now (path, mtime, size): a cache key that sees edits."""
    out = []
    for name in (*candidates(lang), SOURCE_LANGUAGE):
        for folder in folders:
            path = folder / catalogue_name(name)
            try:
                st = files.stat(path)
            except OSError:
                continue
            out.append((str(path), st.mtime, st.size))
    return tuple(out)


@lru_cache(maxsize=128)
def _translations(lang: str, folders: tuple[Path, ...],
                  stamp: tuple[tuple[str, float, int], ...], files: SiteFiles) -> Translations:
    chain: list[_gettext.NullTranslations] = []
    found = None
    for name in candidates(lang):
        found_files = _catalogues(name, folders, files)
        if found_files:
            found = found or name
            chain += found_files
    missing = None
    if found is None:
        # English needs no catalogue (msgids are English); any other language is reported.
        if candidates(lang)[-1:] != [SOURCE_LANGUAGE]:
            missing = lang
        found = SOURCE_LANGUAGE
    if found.split("_")[0] != SOURCE_LANGUAGE or not chain:
        # Strings no catalogue of the language has yet come from the English one.
        chain += _catalogues(SOURCE_LANGUAGE, folders, files)
    messages: _gettext.NullTranslations = _gettext.NullTranslations()
    for catalogue in reversed(chain):
        catalogue.add_fallback(messages)
        messages = catalogue
    return Translations(lang, found, missing, messages)


def _catalogues(name: str, folders: tuple[Path, ...],
                files: SiteFiles) -> list[_gettext.NullTranslations]:
    out: list[_gettext.NullTranslations] = []
    for folder in folders:
        path = folder / catalogue_name(name)
        data = _read(path, files)
        if data is not None:
            compiled = _compile(str(path), hashlib.sha256(data).hexdigest(), data)
            # A fresh object each time: add_fallback() links it into this one chain.
            out.append(_gettext.GNUTranslations(io.BytesIO(compiled)))
    return out


def _read(path: Path, files: SiteFiles) -> bytes | None:
    if not files.lexists(path):
        return None
    try:
        return files.read(path, CATALOGUE_LIMIT)
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror or exc}") from None


class CatalogueError(ValueError, ConfigError):
    """A message catalogue cannot be read or parsed (named with its path): a site problem (exit 2)."""


@lru_cache(maxsize=64)
def _compile(path: str, digest: str, data: bytes) -> bytes:
    """A ``.po`` file as ``.mo`` bytes (through Babel's reader and writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogueError(f"{path}: not a usable gettext catalogue ({exc})") from None
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


# ------------------------------------------------------------------ templates
def install(env: Any) -> None:
    """Give a Jinja2 environment the i18n extension, reading the ``t`` of each render's context.

    New-style gettext: ``{{ _("Page %(n)s", n=x) }}`` formats with escaped values,
    and a catalogue's text is trusted like the template itself.
    """
    from jinja2 import pass_context

    env.add_extension("jinja2.ext.i18n")

    @pass_context
    def gettext(context: Any, message: str) -> str:
        return _from(context).gettext(message)

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int) -> str:
        return _from(context).ngettext(singular, plural, n)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)


def _from(context: Any) -> Translations:
    t = context.get("t")
    if not isinstance(t, Translations):
        raise TypeError("a template using _() needs 't' (pubkit.i18n.Translations) in its context")
    return t
