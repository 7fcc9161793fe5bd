"""Reading-level figures of an article and of each of its sections.

The counts (words, sentences, syllables, long words) come from the body
prose only (:mod:`pubkit.readability.prose`); the formulas are in
:mod:`pubkit.readability.formulas`.  A word is a run of letters, with inner
apostrophes or hyphens (``we'll``, ``follow-up``); numbers and symbols are not
words.  A sentence without a word ("2025.") is not counted.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from pubkit.model.article import Article
from pubkit.model.sections import Section, split_sections
from pubkit.readability import formulas as f
from pubkit.readability import sentences
from pubkit.readability.prose import WORD, Passage, passages
from pubkit.readability.syllables import COUNTERS

HARDEST = 3
"""How many of the hardest sentences a warning quotes."""


@dataclass(frozen=True, slots=True)
class Language:
    """What measuring one language needs."""

    code: str
    syllables: Callable[[str], int]
    long_word: Literal[3, 4]
    """Syllables that make a word long (Spanish words run a syllable longer than English)."""
    scores: Callable[[Counts], dict[str, float]]
    grade: Callable[[int, int, int], float]
    """The grade compared with ``[check] reading_grade``, of words, sentences and syllables."""


@dataclass(slots=True)
class Counts:
    words: int = 0
    sentences: int = 0
    syllables: int = 0
    long_words: int = 0
    polysyllables: int = 0
    """Words of three or more syllables (SMOG's count, whatever ``long_word`` is)."""

    def add(self, other: Counts) -> None:
        self.words += other.words
        self.sentences += other.sentences
        self.syllables += other.syllables
        self.long_words += other.long_words
        self.polysyllables += other.polysyllables


def _english_scores(c: Counts) -> dict[str, float]:
    return {
        "flesch_kincaid": f.flesch_kincaid_grade(c.words, c.sentences, c.syllables),
        "smog": f.smog(c.polysyllables, c.sentences),
        "flesch_reading_ease": f.flesch_reading_ease(c.words, c.sentences, c.syllables),
    }


def _spanish_scores(c: Counts) -> dict[str, float]:
    huerta = f.fernandez_huerta(c.words, c.sentences, c.syllables)
    return {
        "fernandez_huerta": huerta,
        "fernandez_huerta_grade": f.huerta_grade(huerta),
        "inflesz": f.inflesz(c.words, c.sentences, c.syllables),
    }


LANGUAGES = {
    "en": Language("en", COUNTERS["en"], 3, _english_scores, f.flesch_kincaid_grade),
    "es": Language("es", COUNTERS["es"], 4, _spanish_scores,
                   lambda words, sentences, syllables: f.huerta_grade(
                       f.fernandez_huerta(words, sentences, syllables))),
}


def language_for(lang: str) -> Language | None:
    """The measuring rules for BCP 47 tag ``lang`` (``es-MX`` uses ``es``), if any."""
    return LANGUAGES.get(lang.lower().split("-")[0])


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a passage: where it is, its counts and its own grade."""

    passage: Passage
    start: int
    end: int
    counts: Counts
    grade: float

    @property
    def text(self) -> str:
        return " ".join(self.passage.text[self.start:self.end].split())

    @property
    def line(self) -> int:
        return self.passage.line_at(self.start)


@dataclass(slots=True)
class Figures:
    """The counts of some prose, the scores they give, and its hardest sentences."""

    counts: Counts = field(default_factory=Counts)
    hardest: list[Sentence] = field(default_factory=list)

    def scores(self, language: Language) -> dict[str, float]:
        return language.scores(self.counts) if self.counts.sentences else {}

    def grade(self, language: Language) -> float | None:
        c = self.counts
        return language.grade(c.words, c.sentences, c.syllables) if c.sentences else None


@dataclass(slots=True)
class SectionFigures:
    section: Section
    figures: Figures
    line: int | None


@dataclass(slots=True)
class Readability:
    """An article's figures, whole and per section."""

    language: Language
    figures: Figures
    sections: list[SectionFigures]
    line: int | None
    """The first line of prose (where article-wide messages point)."""
    passages: list[Passage] = field(default_factory=list)
    """The prose measured, in document order (the word list reads the same, unsplit again)."""
    words: list[list[str] | None] = field(default_factory=list)
    """Each passage's words, as :data:`~pubkit.readability.prose.WORD` finds them in its text;
    None where its sentences leave text between them (the word list then finds them itself)."""


def measure(article: Article) -> Readability | None:
    """Figures for ``article``, or ``None`` when its language has no syllable rules."""
    language = language_for(article.lang)
    if language is None:
        return None
    whole = Figures()
    parts: list[SectionFigures] = []
    everything: list[_Found] = []
    prose: list[Passage] = []
    words: list[list[str] | None] = []
    first_line: int | None = None
    for section in split_sections(article.body):
        mine = list(passages(section.blocks))
        prose += mine
        found = _sentences(mine, language, words)
        figures = _figures(found)
        whole.counts.add(figures.counts)
        everything += found
        line = section.line if section.level or not found else _line(found[0])
        if first_line is None and found:
            first_line = _line(found[0])
        parts.append(SectionFigures(section, figures, line))
    whole.hardest = _hardest(everything)
    return Readability(language, whole, parts, first_line, prose, words)


_Found = tuple[float, int, tuple[int, int, int, int], Passage, int, int]
"""A sentence as measured: its grade, words, (words, syllables, long words, polysyllables),
passage, start and end.  Only the hardest become :class:`Sentence` objects, with
:class:`Counts` (a dataclass each costs more than measuring the sentence)."""
_HARDNESS = operator.itemgetter(0, 1)
"""What makes a sentence hard: its grade, then its length."""


def _line(found: _Found) -> int:
    return found[3].line_at(found[4])


def _figures(found: list[_Found]) -> Figures:
    figures = Figures()
    if found:
        words, syllables, long_words, polysyllables = map(sum, zip(*[s[2] for s in found], strict=True))
        figures.counts = Counts(words, len(found), syllables, long_words, polysyllables)
    figures.hardest = _hardest(found)
    return figures


def _hardest(found: list[_Found]) -> list[Sentence]:
    return [Sentence(passage, start, end, Counts(counts[0], 1, *counts[1:]), grade)
            for grade, _, counts, passage, start, end in heapq.nlargest(HARDEST, found, key=_HARDNESS)]


def _sentences(found: Iterable[Passage], language: Language, words: list[list[str] | None]) -> list[_Found]:
    """The sentences of ``found``, measured; each passage's words are appended to ``words``."""
    count, long_word, grade = language.syllables, language.long_word, language.grade
    out = []
    for passage in found:
        text = passage.text
        mine: list[str] | None = []
        last = 0
        for start, end in sentences.split(text, language.code):
            in_sentence = WORD.findall(text, start, end)
            # The sentences' words are the passage's while only white space lies between
            # sentences (always, unless pysbd left some text out of them).
            if mine is not None and (start == 0 or text[last:start].isspace()):
                mine += in_sentence
            else:
                mine = None
            last = end
            per_word = list(map(count, in_sentence))  # no frame per word
            n_words = len(per_word) - per_word.count(0)
            if not n_words:
                continue
            short = per_word.count(1) + per_word.count(2)
            long_words = n_words - short - (per_word.count(3) if long_word == 4 else 0)
            syllables = sum(per_word)
            counts = (n_words, syllables, long_words, n_words - short)
            out.append((grade(n_words, 1, syllables), n_words, counts, passage, start, end))
        words.append(mine if mine is not None and not text[last:].strip() else None)
    return out
