"""The plain-language word list: hard words and phrases, and what to say instead.

pubkit ships one list per language (``words/<lang>.toml`` in this package,
flat ``word = "alternative"`` pairs).  A site adds its own in one file
(``[check] plain_language``, default ``plain-language.toml`` at the site
root) with a table per language::

    [en]
    "prior to" = "before"
    chronic = ""          # an empty value turns a built-in entry off

Keys match whole words in any letter case, in body prose only (the passages
the reading level counts), and a plural (``analgesics``, ``remedies``)
matches its singular entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pubkit.diagnostics import ConfigError
from pubkit.readability.prose import WORD, Passage

WORDS_DIR = Path(__file__).parent / "words"


class Hit(NamedTuple):
    """One use of a listed word or phrase (a named tuple: an article may have dozens)."""

    key: str
    alternative: str
    line: int

    @property
    def message(self) -> str:
        return f"{self.key}: try '{self.alternative}'"


@dataclass(frozen=True)
class WordList:
    """The entries for one language, indexed for matching."""

    words: dict[str, tuple[str, str]]
    """Each single-word entry and its plural forms -> (entry, alternative)."""
    phrases: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]
    """First word -> (words, entry, alternative) of each phrase starting with it, longest first."""
    vocabulary: frozenset[str]
    """Every word that may start a hit: one set test rules out most passages."""
    entries: dict[str, tuple[str, str]]
    """Each phrase (words joined by one space) and word form -> (entry, alternative)."""
    _patterns: dict[tuple[frozenset[str], bool], re.Pattern[str]] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, entries: dict[str, str]) -> WordList:
        words: dict[str, tuple[str, str]] = {}
        phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for key, alternative in entries.items():
            if not alternative:
                continue
            parts = tuple(WORD.findall(key.lower()))
            if len(parts) == 1:
                for form in _forms(parts[0]):
                    words.setdefault(form, (key, alternative))
            elif parts:
                phrases.setdefault(parts[0], []).append((parts, key, alternative))
        index = dict(words)
        for found in phrases.values():
            for parts, key, alternative in found:
                index[" ".join(parts)] = (key, alternative)
        return cls(words, {first: tuple(sorted(found, key=lambda p: -len(p[0])))
                           for first, found in phrases.items()},
                   frozenset(words) | frozenset(phrases), index)

    def find(self, passages: Iterable[Passage], words: Sequence[list[str] | None] = ()) -> list[Hit]:
        """Every use in ``passages``, once per entry and line, in document order.

        A word matches where its lower-case form is an entry.  Only the entries
        whose (first) word is in a passage are looked for in it, and a phrase
        hides its own words (one pattern, longest first).  ``words`` may hold
        each passage's words, found already (:class:`~pubkit.readability.measure.Readability`).
        """
        hits: dict[tuple[str, int], Hit] = {}
        for i, passage in enumerate(passages):
            lowered = passage.text.lower()
            # The lower-case text is searched where it keeps every character's offset
            # (nearly always): a pattern without IGNORECASE runs twice as fast.  There its
            # words are the lower-case forms of the passage's words.
            lower = len(lowered) == len(passage.text)
            known = words[i] if lower and i < len(words) else None
            present = self.vocabulary.intersection(
                WORD.findall(lowered) if known is None else map(str.lower, known))
            if not present:
                continue
            for m in self._pattern(present, lower).finditer(lowered if lower else passage.text):
                key, alternative = self.entries[" ".join(m.group().lower().split())]
                line = passage.line_at(m.start())
                if (key, line) not in hits:  # a word used again on its line is not news
                    hits[key, line] = Hit(key, alternative, line)
        return list(hits.values())

    def _pattern(self, present: frozenset[str], lower: bool) -> re.Pattern[str]:
        """One pattern for every entry that may occur, longest first (phrases before words):
        for lower-case text when ``lower``, else ignoring case."""
        pattern = self._patterns.get((present, lower))
        if pattern is None:
            forms = [" ".join(parts) for first in present & self.phrases.keys()
                     for parts, _, _ in self.phrases[first]]
            forms += [word for word in present if word in self.words]
            forms.sort(key=len, reverse=True)
            if lower:
                pattern = re.compile(f"(?:{'|'.join(map(_lower_form, forms))}){_AFTER}")
            else:
                body = "|".join(map(_spaced, forms))
                pattern = re.compile(f"{_BEFORE}(?:{body}){_AFTER}", re.IGNORECASE)
            if len(self._patterns) < 4096:
                self._patterns[present, lower] = pattern
        return pattern


_BEFORE = r"(?<![\w'’-])"
"""Where a listed word may start: not inside a word (``pre-op`` holds no ``op``)."""
_AFTER = r"(?![\w]|['’-]\w)"
"""Where it may end: not inside a word, though a full stop or closing quote may follow."""


def _spaced(form: str) -> str:
    """``form`` as a pattern, any run of white space between its words."""
    return r"\s+".join(map(re.escape, form.split()))


def _lower_form(form: str) -> str:
    """``form`` as an alternative of the lower-case pattern.

    A word checks what precedes it after matching (a lookbehind of its own width
    plus one), so that the pattern starts with letters and sre skips ahead to
    them; a phrase, of no fixed width, checks first.
    """
    if " " in form:
        return _BEFORE + _spaced(form)
    word = re.escape(form)
    return f"{word}(?<![\\w'’-]{word})"


def _forms(word: str) -> tuple[str, ...]:
    """``word`` and its regular plurals (English and Spanish alike)."""
    forms = [word, word + "s", word + "es"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    return tuple(forms)


@cache
def builtin(lang: str) -> dict[str, str]:
    """pubkit's own entries for ``lang`` (its base subtag); empty when there is no list."""
    path = WORDS_DIR / f"{lang.lower().split('-')[0]}.toml"
    if not re.fullmatch(r"[a-z]{2,3}\.toml", path.name) or not path.is_file():
        return {}
    return {str(k): str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}


def read_site_list(path: Path) -> dict[str, dict[str, str]]:
    """A site's own list: language -> entries; ``{}`` when the file does not exist.

    Raises :class:`ConfigError` naming the file (and line) when it is not a
    table of language tables of strings.
    """
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        raise ConfigError(f"{path}{':' + m.group(1) if m else ''}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    out: dict[str, dict[str, str]] = {}
    for lang, entries in data.items():
        if not isinstance(entries, dict):
            raise ConfigError(f'{path}: {lang!r} must be a table of entries, such as [{lang}] '
                              'then "prior to" = "before"')
        for key, value in entries.items():
            if not isinstance(value, str):
                raise ConfigError(f"{path}: [{lang}] {key!r} must be a string (\"\" turns it off)")
        out[lang.lower()] = dict(entries)
    return out


def word_list(lang: str, site_entries: dict[str, dict[str, str]]) -> WordList:
    """The built-in list for ``lang`` with the site's entries laid over it."""
    base = lang.lower().split("-")[0]
    entries = {k.lower(): v for k, v in builtin(base).items()}
    for table in (base, lang.lower()) if lang.lower() != base else (base,):
        entries.update({k.lower(): v for k, v in site_entries.get(table, {}).items()})
    return WordList.of(entries)
