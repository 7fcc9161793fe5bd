"""The readability formulas, as pure functions of counts.

English:

- Flesch-Kincaid grade (Kincaid et al., 1975):
  ``0.39 * words/sentences + 11.8 * syllables/words - 15.59``, a US school grade.
- SMOG (McLaughlin, 1969), the formula most used for health material:
  ``1.0430 * sqrt(polysyllables * 30 / sentences) + 3.1291``, where a
  polysyllable has three or more syllables.
- Flesch reading ease (Flesch, 1948): ``206.835 - 1.015 * words/sentences -
  84.6 * syllables/words``, 0 (hard) to 100 (easy).

Spanish:

- Fernández-Huerta (1959), Flesch's scale adapted to Spanish, in the
  corrected form (Law, 2011): ``206.84 - 60 * syllables/words - 1.02 *
  words/sentences``.  Often printed with the sentence term inverted, which
  makes shorter sentences score harder.
- INFLESZ (Barrio-Cantalejo et al., 2008): Szigriszt-Pazos' perspicuity
  ``206.835 - 62.3 * syllables/words - words/sentences`` read on the INFLESZ
  scale, which was calibrated on Spanish health texts.

Fernández-Huerta's bands name school grades (90-100: 4th grade, 80-90: 5th,
70-80: 6th, 60-70: 7th-8th, 50-60: pre-university, 30-50: first university
years, 0-30: university).  :func:`huerta_grade` interpolates between the
middles of those bands to give an approximate US grade, so one target works
for both languages.
"""

from __future__ import annotations

import bisect
import math


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def smog(polysyllables: int, sentences: int) -> float:
    return 1.0430 * math.sqrt(polysyllables * 30 / sentences) + 3.1291


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    return 206.835 - 1.015 * words / sentences - 84.6 * syllables / words


def fernandez_huerta(words: int, sentences: int, syllables: int) -> float:
    return 206.84 - 60 * syllables / words - 1.02 * words / sentences


def inflesz(words: int, sentences: int, syllables: int) -> float:
    return 206.835 - 62.3 * syllables / words - words / sentences


INFLESZ_BANDS = ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"),
                 (80, "bastante fácil"), (math.inf, "muy fácil"))
"""Upper bounds (exclusive) of the INFLESZ scale's bands, in its own words."""


def inflesz_band(score: float) -> str:
    for bound, name in INFLESZ_BANDS:
        if score < bound:
            return name
    return INFLESZ_BANDS[-1][1]  # pragma: no cover - the last bound is infinite


# (Fernández-Huerta score at the middle of a band, school grade of that band),
# easiest first; "7th-8th" counts as 7.5, pre-university as 11.5, first
# university years as 13.5, university as 16.
_HUERTA_POINTS = ((95.0, 4.0), (85.0, 5.0), (75.0, 6.0), (65.0, 7.5), (55.0, 11.5),
                  (40.0, 13.5), (15.0, 16.0))
_POINTS = sorted(_HUERTA_POINTS)
"""Ascending score, descending grade (every sentence of a Spanish article is graded)."""
_SCORES = [p[0] for p in _POINTS]


def huerta_grade(score: float) -> float:
    """An approximate US grade for a Fernández-Huerta score (see the module docstring)."""
    points, scores = _POINTS, _SCORES
    if score <= scores[0]:
        return points[0][1]
    if score >= scores[-1]:
        return points[-1][1]
    i = bisect.bisect_left(scores, score)
    (s0, g0), (s1, g1) = points[i - 1], points[i]
    return g0 + (g1 - g0) * (score - s0) / (s1 - s0)
