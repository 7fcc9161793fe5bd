"""What counts as prose, how sections are cut, and how sentences are split."""

from __future__ import annotations

import pytest

from pubkit.model.sections import INTRO_ID, split_sections
from pubkit.readability import sentences
from pubkit.readability.measure import measure
from pubkit.readability.prose import passages
from pubkit.source.reader import parse_article, read_article
from tests.conftest import REPO

BASE = "The cat sat on the mat. It was a sunny day.\n"
"""11 words, 2 sentences, 12 syllables (see test_figures.test_easy_english)."""


def counts(body: str) -> tuple[int, int, int]:
    found = measure(parse_article(f"---\ntitle: T\n---\n{body}".encode(), "content/t.md"))
    assert found is not None
    c = found.figures.counts
    return c.words, c.sentences, c.syllables


@pytest.mark.parametrize("extra", [
    "## An Extraordinarily Complicated Pharmacological Heading\n",
    "```\nadministration = intravenous_pharmacokinetics(patient)\n```\n",
    "    indented code with extraordinarily complicated vocabulary\n",
    "| Medication | Dosage |\n|---|---|\n| Acetaminophen | Approximately |\n",
    "<https://example.com/extraordinarily/complicated/pharmacology>\n",
    "https://www.example.com/extraordinarily-complicated\n",
    "![An extraordinarily complicated anatomical illustration](pic.png)\n",
    "<div>Raw HTML with extraordinarily complicated vocabulary.</div>\n",
    "---\n",
    "[^1]: Extraordinarily complicated pharmacological reference, 2019;20(5):1-10.\n",
])
def test_only_body_prose_counts(extra: str) -> None:
    """A heading, code, a table, a URL, an image, raw HTML or a note leaves the figures alone."""
    assert counts(BASE) == (11, 2, 12)
    assert counts(BASE + "\n" + extra) == (11, 2, 12), extra
    assert counts(extra + "\n" + BASE) == (11, 2, 12), extra


def test_inline_code_urls_and_markers_inside_a_sentence_do_not_count() -> None:
    body = ("The cat sat on the `pharmacokinetics` mat.[^n] It was a sunny day, "
            "see https://example.com/extraordinarily.\n\n[^n]: Note.\n")
    assert counts(body) == (12, 2, 13)  # "see" is the one word added


def test_link_words_and_list_items_and_quotes_count() -> None:
    body = "- The [cat](https://example.com/cat) sat on the mat.\n\n> It was a sunny day.\n"
    assert counts(body) == (11, 2, 12)


def test_list_items_are_sentences_of_their_own() -> None:
    """Items without a full stop must not run together into one long sentence."""
    assert counts("- Ice the knee\n- Rest the leg\n- Call us\n") == (8, 3, 8)


def test_sections_are_cut_at_every_heading() -> None:
    article = parse_article(b"---\ntitle: T\n---\nIntro words.\n\n## One\n\nA.\n\n### Two\n\nB.\n\n"
                            b"- ## not a section\n\n## Three\n", "content/t.md")
    found = split_sections(article.body)
    assert [(s.id, s.title, s.level, s.line) for s in found] == [
        (INTRO_ID, "", 0, 4), ("sec-one", "One", 2, 6), ("sec-two", "Two", 3, 10),
        ("sec-three", "Three", 2, 16)]
    assert [len(s.blocks) for s in found] == [1, 1, 2, 0]
    no_intro = parse_article(b"---\ntitle: T\n---\n# Start\n\nText.\n", "content/t.md")
    assert [s.id for s in split_sections(no_intro.body)] == ["sec-start"]


def test_section_figures_add_up_to_the_article() -> None:
    article = parse_article(("---\ntitle: T\n---\n" + BASE + "\n## More\n\n" + BASE).encode(),
                            "content/t.md")
    found = measure(article)
    assert found is not None
    assert [p.figures.counts.words for p in found.sections] == [11, 11]
    assert found.figures.counts.words == 22 and found.figures.counts.sentences == 4
    assert [p.line for p in found.sections] == [4, 6]


def test_sentence_lines_follow_soft_breaks() -> None:
    article = parse_article(b"---\ntitle: T\n---\nFirst line ends\nhere. Second sentence\n"
                            b"runs on. Third\nsentence.\n", "content/t.md")
    (passage,) = passages(article.body)
    spans = sentences.split(passage.text, "en")
    assert [passage.line_at(start) for start, _ in spans] == [4, 5, 6]


TRICKY = [
    "Dr. Peck said hi. Then he left.",
    "Take 2.5 mg daily. Call us!",
    "I like apples, pears, etc. But not grapes.",
    "Is it safe? Yes. Call 911 (now!) if needed.",
    "Use it at 5 p.m. Then rest.",
    "It ends in 2024. Then more.",
    "Ketamine works. It is safe…  Really.",
    "J. Smith wrote it. We read it.",
    "The U.S. has rules. We follow them.",
    "Pain is bad. the next word is lower case.",
    "Wait... Is it over?",
    "Sra. López llegó. Luego se fue.",
]
PLAIN = [
    "She said “stop.” Then she left.",
    "Hola. ¿Cómo estás? ¡Bien! Gracias.",
    "One sentence without an end",
    "  Leading space. And “quoted start.” Next one? Yes!  ",
    "Follow-up visits help. We’ll call you.",
]


@pytest.mark.parametrize("text", TRICKY + PLAIN)
def test_fast_path_agrees_with_pysbd(text: str) -> None:
    """Where the fast path answers, it answers as pysbd does; else pysbd decides."""
    lang = "es" if "¿" in text or "Sra." in text else "en"
    fast = sentences._fast(text, lang)
    full = sentences._pysbd(text, lang)
    if text in PLAIN:
        assert fast == full
    else:
        assert fast is None
    assert sentences.split(text, lang) == full


def test_fast_path_agrees_with_pysbd_on_the_sample_and_a_generated_corpus() -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import article as generated
    finally:
        sys.path.remove(str(REPO / "bench"))
    texts = [p.text for p in passages(read_article(REPO / "content" / "ketamine-pain-management.md",
                                                   REPO).body)]
    for i in range(40):
        texts += [p.text for p in passages(parse_article(generated(i).encode(), "g.md").body)]
    taken = 0
    for text in texts:
        fast = sentences._fast(text, "en")
        if fast is not None:
            taken += 1
            assert fast == sentences._pysbd(text, "en"), text
    assert taken >= len(texts) * 0.9  # the fast path is the usual one


def _whole(text: str, lang: str) -> list[tuple[int, int]]:
    """pysbd on all of ``text`` at once (what :func:`sentences._pysbd` did before pieces)."""
    out = []
    for piece in sentences._segmenter(lang).segment(text):
        span = sentences._trim(text, piece.start, piece.start + len(piece.sent))
        if span is not None:
            out.append(span)
    return out


@pytest.mark.parametrize("name", ["ketamine-pain-management.md", "ketamina-manejo-del-dolor.md"])
def test_a_long_paragraph_cut_into_pieces_splits_as_it_does_whole(name: str) -> None:
    """The sample's prose as one paragraph of 10 kB or more, with abbreviations, numbers and
    initials pysbd must judge (the fast path declines it): the same sentences either way."""
    article = read_article(REPO / "content" / name, REPO)
    lang = article.lang
    extra = ("Dr. Peck e.g. saw 2.5 mg at 9 a.m. on Jan. 3. J. R. Lee agreed. " if lang == "en" else
             "La Dra. Peck vio 2.5 mg a las 9 a. m. del 3 de ene. J. R. Lee asintió. ")
    text = " ".join(p.text for p in passages(article.body) for _ in range(3))
    text = ". ".join(f"{extra}{part}" for part in text.split(". "))
    assert len(text) > 4 * sentences.PIECE
    assert sentences._fast(text, lang) is None
    cuts = sentences.pieces(text, lang)
    assert len(cuts) >= 4 and all(last - first <= sentences.PIECE for first, last in cuts)
    assert sentences.split(text, lang) == _whole(text, lang)


HOSTILE = {
    "abbreviations": "Dr. Smith e.g. Mr. Jones vs. Mrs. Lee i.e. St. " * 500,
    "full stops alone": ". " * 10_000,
    "initials": "A. B. C. D. " * 2000,
    "one word of letters": "x" * 20_000 + "...",
    "numbers": "1.2.3.4 " * 3000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_pysbd_is_never_given_more_than_a_piece(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its time grows with the square of what it is given; the pieces keep it linear."""
    real = sentences._segmenter("en")
    given: list[int] = []

    class Recording:
        def segment(self, piece: str) -> object:
            given.append(len(piece))
            return real.segment(piece)

    monkeypatch.setattr(sentences, "_segmenter", lambda lang: Recording())
    spans = sentences.split(text, "en")
    assert max(given, default=0) <= sentences.PIECE  # nothing when the fast path answers
    assert sum(given) in (0, len(text))
    assert spans and all(text[a:b].strip() == text[a:b] for a, b in spans)
    cuts = sentences.pieces(text, "en")
    assert all(any(first <= a and b <= last for first, last in cuts) for a, b in spans)



def test_a_callouts_body_counts_and_its_title_does_not() -> None:
    """The title ("Warning") is pubkit's label, not the author's prose."""
    assert counts("> [!WARNING]\n> The cat sat on the mat. It was a sunny day.\n") == (11, 2, 12)
    assert counts("> [!IMPORTANT]\n> - The cat sat on the mat.\n> - It was a sunny day.\n") == (11, 2, 12)
