"""Sentence boundaries: pysbd's, with a fast path for text that holds no doubt.

pysbd (a port of the Golden Rules sentence splitter) handles abbreviations,
numbers, initials, ellipses and quotations, but spends about a third of a
millisecond on each sentence, several times what parsing the whole article
costs.  Most patient prose needs none of that: every full stop, question or
exclamation mark ends a sentence and is followed by a space and a capital.
Such a passage is split here by one regular expression; any passage with
something pysbd might decide otherwise (a word from pysbd's own abbreviation
list or a single letter before a full stop, a digit or bracket before it, an
ellipsis, a mark inside a word, marks in a row, a mark before a lower-case
letter) goes to pysbd whole.  The tests check that both paths agree wherever
the fast one is taken.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

Span = tuple[int, int]
"""Start and end offsets of one sentence (without surrounding spaces)."""

_CLOSERS = "\"”’»)\\]"
_OPENERS = "\"“‘«(\\[¿¡"
_LOWER = "a-zß-öø-ÿ"
_DOUBT = re.compile(
    rf"[.!?…](?:[^\s{_CLOSERS}]"  # "2.5", "e.g.", "...", "?!"
    rf"|[{_CLOSERS}]*\s+[{_OPENERS}]*[{_LOWER}0-9])"  # a mark before a lower-case word
    r"|…"  # an ellipsis
    r"|\.(?<![^\W\d_]{2}\.)"  # a stop after a digit, an initial or a bracket
)
_END = re.compile(rf"[.!?][{_CLOSERS}]*(?=\s|$)")


def split(text: str, lang: str) -> list[Span]:
    """The sentences of ``text`` (one paragraph) as offset spans, in order."""
    spans = _fast(text, lang)
    return spans if spans is not None else _pysbd(text, lang)


def _fast(text: str, lang: str) -> list[Span] | None:
    """Spans when every mark is an unambiguous sentence end, else ``None``."""
    if _DOUBT.search(text):
        return None
    abbreviations = _abbreviations(lang)
    spans: list[Span] = []
    start = 0
    for m in _END.finditer(text):
        mark = m.start()
        if text[mark] == "." and _abbreviation_before(text, mark, abbreviations):
            return None
        span = _trim(text, start, m.end())
        if span is not None:
            spans.append(span)
        start = m.end()
    span = _trim(text, start, len(text))
    if span is not None:
        spans.append(span)
    return spans


def _abbreviation_before(text: str, mark: int, abbreviations: frozenset[str]) -> bool:
    """Whether the word before the full stop at ``mark`` is one of ``abbreviations``."""
    word = text[text.rfind(" ", 0, mark) + 1:mark].split()
    return bool(word) and word[-1].lstrip(_OPENERS).lower() in abbreviations


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _base(lang: str) -> str:
    """pysbd's code for ``lang``; languages it has no rules for use English's."""
    import pysbd.languages  # type: ignore[import-untyped]

    base = lang.lower().split("-")[0]
    return base if base in pysbd.languages.LANGUAGE_CODES else "en"


@cache
def _abbreviations(lang: str) -> frozenset[str]:
    import pysbd.languages

    language: Any = pysbd.languages.LANGUAGE_CODES[_base(lang)]
    return frozenset(a.lower() for a in language.Abbreviation.ABBREVIATIONS)


@cache
def _segmenter(lang: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=_base(lang), clean=False, char_span=True)


PIECE = 2000
"""The most text pysbd is given at once, in characters.

pysbd rewrites the whole text once for each abbreviation it finds, so its
time grows with the square of what it is given: a 20 kB paragraph of
"Dr. ... e.g. ..." took a second, 80 kB fourteen.  A longer paragraph is
cut into pieces, each ending where a sentence surely ends (see :func:`pieces`).
"""

_SURE_END = re.compile(rf"(?<=[^\W\d_]{{2}})[.!?][{_CLOSERS}]*\s+(?=[{_OPENERS}]*[A-ZÀ-ÖØ-Þ])")
"""A mark after two letters, then a space and a capital: where pysbd ends a sentence
too, unless the word is an abbreviation (checked apart)."""


def pieces(text: str, lang: str, size: int = PIECE) -> list[Span]:
    """``text`` cut into pieces of at most ``size`` characters, at sentence ends.

    Each cut is at the last sure sentence end (:data:`_SURE_END`, the word
    before it no abbreviation) in the second half of the window; failing that,
    at its last space; failing that (one word of thousands of letters), at
    ``size``.
    """
    abbreviations = _abbreviations(lang)
    out: list[Span] = []
    start = 0
    while len(text) - start > size:
        window_end = start + size
        cut = -1
        for m in _SURE_END.finditer(text, start + size // 2, window_end):
            if not _abbreviation_before(text, m.start(), abbreviations):
                cut = m.end()
        if cut == -1:
            space = max(text.rfind(" ", start + 1, window_end), text.rfind("\n", start + 1, window_end))
            cut = space + 1 if space > start else window_end
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def _pysbd(text: str, lang: str) -> list[Span]:
    spans: list[Span] = []
    segmenter = _segmenter(lang)
    for first, last in pieces(text, lang) if len(text) > PIECE else [(0, len(text))]:
        for piece in segmenter.segment(text[first:last]):
            span = _trim(text, first + piece.start, first + piece.start + len(piece.sent))
            if span is not None:
                spans.append(span)
    return spans
