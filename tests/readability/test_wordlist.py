"""The plain-language word list: built-in entries, plurals, phrases, a site's own list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pubkit.diagnostics import ConfigError
from pubkit.readability.prose import passages
from pubkit.readability.wordlist import WORDS_DIR, builtin, read_site_list, word_list
from pubkit.site import Site
from pubkit.source.reader import parse_article


def hits(body: str, lang: str = "en", site: dict[str, dict[str, str]] | None = None
         ) -> list[tuple[int, str]]:
    article = parse_article(f"---\ntitle: T\nlang: {lang}\n---\n{body}".encode(), "content/t.md")
    return [(h.line, h.message) for h in word_list(lang, site or {}).find(passages(article.body))]


def test_builtin_lists_ship_for_english_and_spanish() -> None:
    assert sorted(p.name for p in WORDS_DIR.glob("*.toml")) == ["en.toml", "es.toml"]
    assert builtin("en")["analgesic"] == "pain reliever"
    assert builtin("es-MX")["analgésico"].startswith("calmante")
    assert len(builtin("en")) >= 100 and len(builtin("es")) >= 90
    assert builtin("fr") == {} and builtin("../etc/passwd") == {}


def test_words_plurals_and_phrases_with_lines() -> None:
    body = ("Take the Analgesics\nprior to meals. Prior approval is\nneeded, in order to "
            "help.\n\nThe remedy: `analgesic` in code does not count.\n")
    assert hits(body) == [
        (5, "analgesic: try 'pain reliever'"),
        (6, "prior to: try 'before'"),
        (6, "prior: try 'before'"),
        (7, "in order to: try 'to'"),
    ]


def test_each_word_once_per_line() -> None:
    assert hits("An analgesic, an analgesic.\n\nAnd analgesics.\n") == [
        (5, "analgesic: try 'pain reliever'"), (7, "analgesic: try 'pain reliever'")]


def test_spanish_entries() -> None:
    assert hits("El analgésico calma. Los analgésicos también.\n", "es") == [
        (5, "analgésico: try 'calmante, medicina para el dolor'")]


@pytest.mark.parametrize("before", ["", "İstanbul: "])
def test_matching_is_the_same_whether_lowering_keeps_offsets_or_not(before: str) -> None:
    # "İ" lowers to two characters: that passage is searched ignoring case instead of
    # lower-cased, and must find the same words on the same lines.
    body = (f"{before}The ANALGESIC works\nPrior  to meals; pre-analgesic and analgesic's\n"
            "and analgesic-free do not count, xanalgesic neither. Analgesics, in order\nto help.\n")
    assert hits(body) == [
        (5, "analgesic: try 'pain reliever'"),
        (6, "prior to: try 'before'"),
        (7, "analgesic: try 'pain reliever'"),
        (7, "in order to: try 'to'"),
    ]


def test_site_list_adds_overrides_and_turns_off() -> None:
    site = {"en": {"meals": "food", "analgesic": "", "prior to": "ahead of"}}
    assert hits("The analgesic works prior to meals.\n", site=site) == [
        (5, "prior to: try 'ahead of'"), (5, "meals: try 'food'")]


def test_site_list_file(make_site: Callable[..., Site]) -> None:
    site = make_site({"plain-language.toml": '[en]\n"take by mouth" = "swallow"\n[es]\n"tomar" = ""\n'})
    entries = read_site_list(site.root / "plain-language.toml")
    assert entries == {"en": {"take by mouth": "swallow"}, "es": {"tomar": ""}}
    assert read_site_list(site.root / "missing.toml") == {}


@pytest.mark.parametrize(("text", "message"), [
    ("[en\n", ":1: invalid TOML"),
    ('en = "x"\n', "'en' must be a table of entries"),
    ("[en]\nanalgesic = 3\n", "[en] 'analgesic' must be a string"),
])
def test_bad_site_list_names_the_file(make_site: Callable[..., Site], text: str, message: str) -> None:
    site = make_site({"plain-language.toml": text})
    with pytest.raises(ConfigError, match=r"plain-language\.toml") as caught:
        read_site_list(site.root / "plain-language.toml")
    assert message in str(caught.value)


def test_the_words_measure_found_give_the_same_hits() -> None:
    from pubkit.readability.measure import measure
    from pubkit.readability.prose import WORD

    body = ("Take the analgesic prior to meals. Then rest.\n\n"
            "Dr. Peck said e.g. the analgesic works… in order to help.\n\n"  # pysbd's passage
            "- An analgesic, İstanbul style.\n")  # lower-casing moves offsets: searched anew
    article = parse_article(f"---\ntitle: T\n---\n{body}".encode(), "content/t.md")
    readability = measure(article)
    assert readability is not None
    kept = [(p, w) for p, w in zip(readability.passages, readability.words, strict=True) if w is not None]
    assert kept and all(w == WORD.findall(p.text) for p, w in kept)
    lst = word_list("en", {})
    expected = [(h.line, h.message) for h in lst.find(readability.passages)]
    assert [(h.line, h.message) for h in lst.find(readability.passages, readability.words)] == expected
    assert len(expected) == 5
