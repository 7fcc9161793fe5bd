"""Reading newsletter issues: article selection, merge fields, and bad input with path:line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pubkit.diagnostics import SourceError
from pubkit.site import Site
from pubkit.source.newsletter import read_newsletter

ARTICLES = {
    "content/a.md": "---\ntitle: Alpha\ndate: 2024-01-05\ntags: [pain]\n---\nAlpha body.\n",
    "content/b.md": "---\ntitle: Beta\ndate: 2024-03-01\ntags: [Pain, sleep]\n---\nBeta body.\n",
    "content/c.md": "---\ntitle: Gamma\ndate: 2024-02-01\ntags: [sleep]\n---\nGamma body.\n",
}


@pytest.fixture
def issue(make_site: Callable[..., Site]) -> Callable[[str], tuple[Site, object]]:
    def build(text: str) -> tuple[Site, object]:
        site = make_site({**ARTICLES, "newsletters/n.md": text})
        return site, site.root / "newsletters" / "n.md"

    return build


def read(issue: Callable[[str], tuple[Site, object]], text: str):  # type: ignore[no-untyped-def]
    site, path = issue(text)
    return read_newsletter(path, site)  # type: ignore[arg-type]


def error(issue: Callable[[str], tuple[Site, object]], text: str) -> str:
    with pytest.raises(SourceError) as exc:
        read(issue, text)
    return str(exc.value)


def test_slug_list_keeps_order_and_reads_intro(issue) -> None:  # type: ignore[no-untyped-def]
    nl = read(issue, "---\nsubject: Hello\narticles:\n  - c\n  - a\n---\nHi *all*.\n")
    assert [a.slug for a in nl.articles] == ["c", "a"]
    assert nl.name == "n" and nl.layout == "teasers" and nl.button == "Read more"
    assert nl.intro.body[0].line == 7
    assert nl.intro.body[0].children[1].tagname == "emphasis"


def test_tag_is_case_insensitive_newest_first_and_latest_caps_it(issue) -> None:  # type: ignore[no-untyped-def]
    assert [a.slug for a in read(issue, "---\nsubject: S\ntag: pain\n---\n").articles] == ["b", "a"]
    nl = read(issue, "---\nsubject: S\nlatest: 2\n---\n")
    assert [a.slug for a in nl.articles] == ["b", "c"]
    nl = read(issue, "---\nsubject: S\ntag: sleep\nlatest: 1\n---\n")
    assert [a.slug for a in nl.articles] == ["b"]


def test_missing_article_names_it_and_its_line(issue) -> None:  # type: ignore[no-untyped-def]
    msg = error(issue, "---\nsubject: S\narticles:\n  - a\n  - alpah\n---\n")
    assert msg.startswith("newsletters/n.md:5: ")
    assert "'alpah' not found" in msg
    msg = error(issue, "---\nsubject: S\narticles: [a, zeta]\n---\n")
    assert msg.startswith("newsletters/n.md:3: ") and "'zeta'" in msg


def test_line_breaks_in_subject_are_refused_naming_the_field(issue) -> None:  # type: ignore[no-untyped-def]
    msg = error(issue, '---\nsubject: "Hello\\r\\nBcc: x@example.com"\narticles: [a]\n---\n')
    assert msg.startswith("newsletters/n.md:2: ") and "'subject'" in msg and "line break" in msg
    msg = error(issue, "---\nsubject: |\n  two\n  lines\narticles: [a]\n---\n")
    assert "'subject'" in msg


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\narticles: [a]\n---\n", 1, "'subject' is required"),
        ("---\nsubject: {{ first_name }}\narticles: [a]\n---\n", 2, "quote a value"),
        ("---\nsubject: S\narticles: [a]\ntag: pain\n---\n", 3, "not both"),
        ("---\nsubject: S\ntag: pain\nlayout: full\n---\n", 4, "one article in full"),
        ("---\nsubject: S\nlayout: wide\narticles: [a]\n---\n", 3, "teasers, full"),
        ("---\nsubject: S\nlatest: 0\n---\n", 3, "whole number"),
        ("---\nsubject: S\ntag: nothing\n---\n", 3, "no article has the tag"),
        ("---\nsubject: S\n---\n\n", 1, "nothing to send"),
        ("---\nsubject: S\narticles: [a]\n---\nHi {{ first_name | nosuch }}\n", 5, "nosuch"),
        ("---\nsubject: S\narticles: [a]\n---\n\nHi {{ first_name \n", 6, "never closed"),
        ("---\nsubject: S\narticles: [a]\n---\n{% if x %}y{% endif %}\n", 5, "only {{ ... }}"),
        ("---\nsubject: \"{{ ''.__class__.__mro__ }}\"\narticles: [a]\n---\n", 2, "unsafe"),
        ("---\nsubject: S\narticles: [a]\n---\n{{ 9 ** 999999 }}\n", 5, "unsafe power"),
        ("---\nsubject: S\narticles: [a]\n---\n{{ 'x' * 10**9 }}\n", 5, "unsafe repetition"),
    ],
)
def test_bad_input(issue, text: str, line: int, words: str) -> None:  # type: ignore[no-untyped-def]
    msg = error(issue, text)
    assert msg.startswith(f"newsletters/n.md:{line}: "), msg
    assert words in msg


def test_unknown_key_is_a_warning_with_a_hint(issue) -> None:  # type: ignore[no-untyped-def]
    nl = read(issue, "---\nsubject: S\narticle: [a]\nlatest: 1\n---\n")
    assert any("did you mean 'articles'" in str(w) and w.line == 3 for w in nl.warnings)


def test_merge_fields_become_tokens_compiled_once(issue) -> None:  # type: ignore[no-untyped-def]
    nl = read(issue, "---\nsubject: \"{{ first_name | default('Friend') }}, hi\"\narticles: [a]\n"
                     "---\nDear {{ name }} {{ ''.__class__ }}\n")
    assert "{{" not in nl.subject and "{{" not in nl.intro.body[0].children[0].text
    assert [f.source for f in nl.fields.fields] == [
        "name", "''.__class__", "first_name | default('Friend')"]
    # Empty columns count as missing; the sandbox turns private attributes into nothing.
    values = nl.fields.values({"first_name": "", "name": "Ann"})
    assert values == ["Ann", "", "Friend"]
    assert nl.fields.values({"first_name": "Bo"})[2] == "Bo"
