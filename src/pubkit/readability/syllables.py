"""Syllables per word, offline: a shipped dictionary for English, rules for Spanish.

English spelling does not tell syllables reliably, so English words are
looked up first in syllapy's list of about 6,400 common words with known
counts (shipped inside that package).  Other words are counted by vowel
groups: one syllable per run of vowels, less a silent final ``e``
("make"), plus a syllabic ``-le`` ("table"), less a silent ``-es`` or
``-ed`` ("modulates", "signed", but not "washes", "wanted").  On syllapy's
own list the rule alone matches 90 % of the counts (syllapy's rule without
the ``-es``/``-ed`` step: 87 %); its usual misses are vowel pairs said as two
syllables ("opioid", "dissociation"), so hard medical words tend to count a
little easy, never hard.  textstat is not used: its English counts come from
a dictionary it downloads on first use, which fails on an offline machine.

Spanish spelling does tell syllables, so Spanish words are counted by rule:
one syllable per vowel nucleus, where a weak vowel (i, u, ü) joins the vowel
beside it into a diphthong unless it carries an accent (día, país), two
strong vowels (a, e, o) stand in hiatus (le-er, po-e-sí-a), ``h`` does not
separate vowels (pro-hi-bir, a-ho-ra), the ``u`` of que/qui/gue/gui is silent
and ``y`` is a vowel only where no vowel follows it (hoy, muy).  Hyphenation
dictionaries (pyphen's) undercount here: Spanish typesetting never splits two
vowels or leaves one letter alone, so they give "día", "poesía" and "ahora"
one syllable too few.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_CACHE = 65536
"""Distinct words remembered per language (a big site uses a few tens of thousands)."""


def _not_a_word(word: str) -> bool:
    """Numbers, "COVID19" and "snake_case" are not words a reader sounds out."""
    return not word.replace("'", "").replace("’", "").replace("-", "").isalpha()


@lru_cache(maxsize=_CACHE)
def english(word: str) -> int:
    """Syllables of one English word (letters, inner apostrophes and hyphens); 0 for a non-word."""
    if _not_a_word(word):
        return 0
    word = word.lower().replace("’", "'")
    known = _known_english().get(word)
    if known:
        return known
    if "-" in word:  # "follow-up", "self-care"
        return sum(english(part) for part in word.split("-") if part)
    return _english_rule(word.replace("'", ""))


@lru_cache(maxsize=1)
def _known_english() -> dict[str, int]:
    """syllapy's list, read from its file: importing syllapy looks up its own version among
    every installed distribution before it reads the list (14 to 24 ms in a ``pubkit check``,
    against 7 to 13 ms read here), and the check's other processes wait for it.  A syllapy
    laid out otherwise is imported."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("syllapy")  # finds the package without running it
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        try:
            text = (Path(folder) / "data.csv").read_text(encoding="utf-8")
        except OSError:
            continue
        return {str(w): int(n) for w, n in csv.reader(text.splitlines())}
    import syllapy  # type: ignore[import-untyped]

    return {str(w): int(n) for w, n in syllapy.WORD_DICT.items()}


_EN_GROUPS = re.compile(r"[aeiouy]+")
_SYLLABIC_LE = re.compile(r"[^aeiouy]le$")
_SILENT_ES_ED = re.compile(
    r"(?<![^aeiouy][rl])(?<=[^aeiouysxzcgh])es$"  # "modulates", not "washes" or "tables"
    r"|(?<![^aeiouy][rl])(?<=[^aeiouytd])ed$"  # "signed", not "wanted" or "hundred"
)


def _english_rule(word: str) -> int:
    count = len(_EN_GROUPS.findall(word))
    if word.endswith("e") and len(word) > 2:
        count -= 1
        if _SYLLABIC_LE.search(word):
            count += 1
    elif len(word) > 4 and _SILENT_ES_ED.search(word):
        count -= 1
    return max(count, 1)


_STRONG = frozenset("aeoáéóíú")  # accented i and u break a diphthong like a strong vowel
_WEAK = frozenset("iuü")
_VOWELS = _STRONG | _WEAK | frozenset("y")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eéií])")


@lru_cache(maxsize=_CACHE)
def spanish(word: str) -> int:
    """Syllables of one Spanish word, by the rules in this module's docstring; 0 for a non-word."""
    if _not_a_word(word):
        return 0
    letters = _SILENT_U.sub("", word.lower().replace("-", ""))
    count = 0
    previous = ""  # the last vowel of the current nucleus group ("" after a consonant)
    for i, ch in enumerate(letters):
        if ch == "y" and i + 1 < len(letters) and letters[i + 1] in _VOWELS:
            ch = "c"  # consonantal y: "yo", "ayuda"
        if ch not in _VOWELS:
            if ch != "h":
                previous = ""
            continue
        vowel = "i" if ch == "y" else ch
        if not previous or _hiatus(previous, vowel):
            count += 1
        previous = vowel
    return max(count, 1)


def _hiatus(a: str, b: str) -> bool:
    """Whether vowels ``a`` then ``b`` belong to two syllables."""
    if a in _STRONG and b in _STRONG:
        return True
    return a == b  # "chiita", "duunviro"


COUNTERS: dict[str, Callable[[str], int]] = {"en": english, "es": spanish}
"""Languages with a syllable counter, by base subtag."""
