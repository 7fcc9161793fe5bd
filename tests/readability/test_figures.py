"""Readability figures against texts counted by hand, in English and Spanish.

Each test's docstring gives the hand count (words, sentences, syllables) and
works the formula out, so the expected figure does not come from the code
under test.  The formulas are in :mod:`pubkit.readability.formulas`.
"""

from __future__ import annotations

import pytest

from pubkit.model.article import Article
from pubkit.readability import formulas
from pubkit.readability.measure import Readability, measure
from pubkit.readability.syllables import english, spanish
from pubkit.source.reader import parse_article


def article(body: str, lang: str = "en") -> Article:
    return parse_article(f"---\ntitle: T\nlang: {lang}\n---\n{body}".encode(), "content/t.md")


def figures(body: str, lang: str = "en") -> Readability:
    found = measure(article(body, lang))
    assert found is not None
    return found


def test_easy_english() -> None:
    """"The cat sat on the mat. It was a sunny day."

    Words: The cat sat on the mat (6, one syllable each) + It was a sunny day
    (5: sun-ny has two) = 11 words, 12 syllables, 2 sentences, no word of
    three syllables.
    Flesch-Kincaid: 0.39 * 11/2 + 11.8 * 12/11 - 15.59 = 2.145 + 12.873 - 15.59 = -0.57.
    SMOG: 1.0430 * sqrt(0 * 30 / 2) + 3.1291 = 3.13.
    Reading ease: 206.835 - 1.015 * 5.5 - 84.6 * 12/11 = 108.96.
    """
    found = figures("The cat sat on the mat. It was a sunny day.\n")
    c = found.figures.counts
    assert (c.words, c.sentences, c.syllables, c.polysyllables, c.long_words) == (11, 2, 12, 0, 0)
    scores = found.figures.scores(found.language)
    assert scores["flesch_kincaid"] == pytest.approx(-0.5723, abs=1e-3)
    assert scores["smog"] == pytest.approx(3.1291, abs=1e-4)
    assert scores["flesch_reading_ease"] == pytest.approx(108.96, abs=0.01)
    assert found.figures.grade(found.language) == pytest.approx(-0.5723, abs=1e-3)


def test_hard_english() -> None:
    """"Ketamine changes glutamate signaling. Patients experience temporary confusion."

    Ke-ta-mine 3, chang-es 2, glu-ta-mate 3, sig-nal-ing 3: 4 words, 11 syllables.
    Pa-tients 2, ex-pe-ri-ence 4, tem-po-rar-y 4, con-fu-sion 3: 4 words, 13 syllables.
    8 words, 2 sentences, 24 syllables; 3 or more syllables: ketamine, glutamate,
    signaling, experience, temporary, confusion = 6 (the long words too).
    Flesch-Kincaid: 0.39 * 8/2 + 11.8 * 24/8 - 15.59 = 1.56 + 35.4 - 15.59 = 21.37.
    SMOG: 1.0430 * sqrt(6 * 30 / 2) + 3.1291 = 1.0430 * 9.4868 + 3.1291 = 13.02.
    """
    found = figures("Ketamine changes glutamate signaling. Patients experience temporary confusion.\n")
    c = found.figures.counts
    assert (c.words, c.sentences, c.syllables, c.polysyllables, c.long_words) == (8, 2, 24, 6, 6)
    scores = found.figures.scores(found.language)
    assert scores["flesch_kincaid"] == pytest.approx(21.37, abs=1e-2)
    assert scores["smog"] == pytest.approx(13.024, abs=1e-3)
    hardest = found.figures.hardest
    # Per sentence: 0.39*4 + 11.8*13/4 - 15.59 = 24.32; 0.39*4 + 11.8*11/4 - 15.59 = 18.42.
    assert [round(s.grade, 2) for s in hardest] == [24.32, 18.42]
    assert hardest[0].text == "Patients experience temporary confusion."


def test_easy_spanish() -> None:
    """"El gato come pan. La niña lee un libro."

    El 1, ga-to 2, co-me 2, pan 1: 4 words, 6 syllables.  La 1, ni-ña 2, le-e 2
    (two strong vowels: hiatus), un 1, li-bro 2: 5 words, 8 syllables.
    9 words, 2 sentences, 14 syllables; no word of four syllables.
    Fernández-Huerta: 206.84 - 60 * 14/9 - 1.02 * 9/2 = 206.84 - 93.333 - 4.59 = 108.92,
    above the top band's middle (95: 4th grade), so grade 4.
    INFLESZ: 206.835 - 62.3 * 14/9 - 9/2 = 105.42: "muy fácil".
    """
    found = figures("El gato come pan. La niña lee un libro.\n", "es")
    c = found.figures.counts
    assert (c.words, c.sentences, c.syllables, c.long_words) == (9, 2, 14, 0)
    scores = found.figures.scores(found.language)
    assert scores["fernandez_huerta"] == pytest.approx(108.917, abs=1e-3)
    assert scores["inflesz"] == pytest.approx(105.424, abs=1e-3)
    assert formulas.inflesz_band(scores["inflesz"]) == "muy fácil"
    assert found.figures.grade(found.language) == 4.0


def test_middle_spanish_interpolates_the_grade() -> None:
    """"Nuestra abuela toma su medicina todos los días con agua."

    Nues-tra 2 (ue: diphthong), a-bue-la 3, to-ma 2, su 1, me-di-ci-na 4, to-dos 2,
    los 1, dí-as 2 (accented í: hiatus), con 1, a-gua 2: 10 words, 20 syllables,
    1 sentence, one long word (medicina, four syllables).
    Fernández-Huerta: 206.84 - 60 * 2 - 1.02 * 10 = 76.64, between the middles of
    the 6th-grade band (75) and the 5th (85): 6 - (76.64 - 75) / 10 = 5.84.
    INFLESZ: 206.835 - 62.3 * 2 - 10 = 72.24: "bastante fácil".
    """
    found = figures("Nuestra abuela toma su medicina todos los días con agua.\n", "es-MX")
    c = found.figures.counts
    assert (c.words, c.sentences, c.syllables, c.long_words) == (10, 1, 20, 1)
    scores = found.figures.scores(found.language)
    assert scores["fernandez_huerta"] == pytest.approx(76.64, abs=1e-2)
    assert scores["fernandez_huerta_grade"] == pytest.approx(5.836, abs=1e-3)
    assert formulas.inflesz_band(scores["inflesz"]) == "bastante fácil"


def test_hard_spanish() -> None:
    """"La administración intravenosa del analgésico requiere vigilancia continua."

    La 1, ad-mi-nis-tra-ción 5, in-tra-ve-no-sa 5, del 1, a-nal-gé-si-co 5,
    re-quie-re 3 (the u of "qui" is silent), vi-gi-lan-cia 4, con-ti-nua 3:
    8 words, 27 syllables, 1 sentence; four words of four or more syllables
    (administración, intravenosa, analgésico, vigilancia).
    Fernández-Huerta: 206.84 - 60 * 27/8 - 1.02 * 8 = 206.84 - 202.5 - 8.16 = -3.82,
    below the last band's middle (15: university), so grade 16.
    INFLESZ: 206.835 - 62.3 * 27/8 - 8 = -11.43: "muy difícil".
    """
    found = figures("La administración intravenosa del analgésico requiere vigilancia continua.\n",
                    "es")
    c = found.figures.counts
    assert (c.words, c.sentences, c.syllables, c.long_words) == (8, 1, 27, 4)
    scores = found.figures.scores(found.language)
    assert scores["fernandez_huerta"] == pytest.approx(-3.82, abs=1e-2)
    assert found.figures.grade(found.language) == 16.0
    assert formulas.inflesz_band(scores["inflesz"]) == "muy difícil"


def test_huerta_grade_at_band_middles_and_bounds() -> None:
    assert [formulas.huerta_grade(x) for x in (100, 95, 85, 75, 65, 55, 40, 15, -20)] == \
        [4.0, 4.0, 5.0, 6.0, 7.5, 11.5, 13.5, 16.0, 16.0]
    assert formulas.huerta_grade(60) == pytest.approx(9.5)


@pytest.mark.parametrize(("word", "count"), [
    ("cat", 1), ("water", 2), ("medicine", 3), ("area", 3), ("every", 2), ("table", 2),
    ("ketamine", 3), ("analgesic", 4), ("anesthetic", 4), ("hallucinations", 5),
    ("modulates", 3), ("procedures", 3), ("washes", 2), ("wanted", 2), ("signed", 1),
    ("follow-up", 3), ("we’ll", 1), ("Ketamine’s", 3), ("2025", 0), ("COVID19", 0),
])
def test_english_syllables(word: str, count: int) -> None:
    assert english(word) == count


@pytest.mark.parametrize(("word", "count"), [
    ("día", 2), ("país", 2), ("poesía", 4), ("aéreo", 4), ("leer", 2), ("oído", 3),
    ("ahora", 3), ("guitarra", 3), ("queso", 2), ("pingüino", 3), ("ciudad", 2),
    ("huevo", 2), ("muy", 1), ("hoy", 1), ("rey", 1), ("y", 1), ("yo", 1), ("ayuda", 3),
    ("averiguáis", 4), ("analgésico", 5), ("inflamación", 4), ("paciente", 3),
    ("tratamiento", 4), ("cigüeña", 3), ("reír", 2), ("Raúl", 2), ("búho", 2),
])
def test_spanish_syllables(word: str, count: int) -> None:
    """Counted by the rules of Spanish orthography (RAE): a-ho-ra, po-e-sí-a, a-ve-ri-guáis."""
    assert spanish(word) == count


def test_language_without_rules_is_not_measured() -> None:
    assert measure(article("Le chat est sur le tapis.\n", "fr")) is None


def test_sample_article_figures(sample_article: Article) -> None:
    """The sample, as measured here: Flesch-Kincaid 14.4, SMOG 16.6 (the issue expected about 15)."""
    found = measure(sample_article)
    assert found is not None
    c = found.figures.counts
    assert (c.words, c.sentences) == (396, 23)
    scores = found.figures.scores(found.language)
    assert 14.0 < scores["flesch_kincaid"] < 15.0
    assert 16.0 < scores["smog"] < 17.0
    assert [s.section.title for s in found.sections] == [
        "", "Ketamine as an Anesthetic and Analgesic", "Benefits for Chronic Pain Management",
        "Comparing Ketamine to Opioids"]
