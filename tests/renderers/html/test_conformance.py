"""CommonMark and GFM conformance, measured on the pages ``pubkit render --html`` writes.

The figures asserted here are the ones the README quotes.  Every allowed
difference is listed by example with the reason; anything else that stops
matching fails the test by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import (
    ACTIVE,
    GFM,
    Example,
    commonmark_examples,
    gfm_examples,
    has_raw_html,
    markdown_it_fixtures,
    normalise,
    render_pages,
)

COMMONMARK_ALLOWED = {
    "cm-610": "GFM links the bare https:// URL inside '< https://foo.bar >'",
    "cm-613": "GFM links a bare https:// URL",
}
GFM_ALLOWED = {
    "spec-616": "GFM links the bare URL inside '< http://foo.bar >' (the CommonMark part of GFM's spec)",
    "spec-619": "GFM links a bare URL (the CommonMark part of GFM's spec)",
    "spec-628": "bare ftp:// addresses stay text (pubkit links http, https and www. addresses)",
    "spec-629": "bare e-mail addresses stay text (write <desk@clinic.example> to link one)",
    "spec-630": "bare e-mail addresses stay text",
    "spec-631": "bare e-mail addresses stay text",
    "extensions-19": "bare e-mail addresses stay text (the rest of the example matches)",
    "extensions-23": "footnote markup is markdown-it's, not cmark-gfm's "
                     "(see test_cmark_footnotes_keep_their_sense)",
    "regression-13": "footnote markup is markdown-it's, not cmark-gfm's",
}
FOOTNOTE_ALLOWED = {
    "footnote-7": "a note's second reference reads [1], not markdown-it's [1:1]",
    "footnote-13": "the fixture turns off autolinks; pubkit links the address",
    "footnote-16": "the fixture sets its own back-reference text",
    "footnote-18": "the fixture turns off indented code blocks",
    "footnote-20": "the fixture turns on references without a definition",
}


def measure(examples: list[Example], tmp_path: Path) -> tuple[set[str], int, int, list[str]]:
    """(mismatching keys, matches, raw-HTML examples, raw examples leaking active content)."""
    bodies, _ = render_pages(examples, tmp_path / "site")
    mismatched: set[str] = set()
    matched = raw = 0
    leaks = []
    for ex in examples:
        got = bodies[ex.key]
        if has_raw_html(ex.markdown):
            raw += 1
            if ACTIVE.search(got):
                leaks.append(ex.key)
        elif ex.html.strip() == "<IGNORE>":
            continue  # "must not crash": it rendered
        elif normalise(got) == normalise(ex.html):
            matched += 1
        else:
            mismatched.add(ex.key)
    return mismatched, matched, raw, leaks


def test_commonmark_through_pubkit_render(tmp_path: Path) -> None:
    examples = commonmark_examples()
    assert len(examples) == 655
    mismatched, matched, raw, leaks = measure(examples, tmp_path)
    assert (len(examples) - raw, raw) == (581, 74)
    assert mismatched == set(COMMONMARK_ALLOWED), sorted(mismatched)
    assert matched == 579 >= 578  # the figure in the README
    assert leaks == []  # raw HTML comes out sanitised


@pytest.mark.parametrize("corpus", ["spec.txt", "extensions.txt", "regression.txt",
                                    "extensions-table-prefer-style-attributes.txt"])
def test_gfm_through_pubkit_render(tmp_path: Path, corpus: str) -> None:
    examples = gfm_examples(corpus)
    mismatched, _, _, leaks = measure(examples, tmp_path)
    allowed = {k for k in GFM_ALLOWED if k.startswith(corpus.split(".")[0] + "-")}
    assert mismatched == allowed, sorted(mismatched)
    assert leaks == []
    if corpus == "spec.txt":
        # GFM's own sections: tables, task lists, strikethrough, autolinks, the tag filter.
        extension = [e for e in examples if "(extension)" in e.section]
        sections = {e.section for e in extension}
        assert len(extension) == 24 and len(sections) == 5, sections
        plain = [e for e in extension if not has_raw_html(e.markdown)]
        passed = [e.key for e in plain if e.key not in mismatched]
        assert len(passed) == len(plain) - 4 == 19  # all but the four autolink choices above


def test_markdown_it_footnote_fixture(tmp_path: Path) -> None:
    examples = markdown_it_fixtures(GFM / "footnote.md")
    assert len(examples) == 20
    mismatched, matched, _, _ = measure(examples, tmp_path)
    assert mismatched == set(FOOTNOTE_ALLOWED), sorted(mismatched)
    assert matched == 15


def test_cmark_footnotes_keep_their_sense(tmp_path: Path) -> None:
    """cmark-gfm's footnote example: the same notes, numbers and links both ways."""
    from lxml import html

    (example,) = [e for e in gfm_examples("extensions.txt") if e.key == "extensions-23"]
    bodies, _ = render_pages([example], tmp_path / "site")
    got, want = html.fromstring(f"<div>{bodies[example.key]}</div>"), html.fromstring(example.html)
    refs = [a.get("href") for a in got.xpath("//sup/a")]
    assert refs == [a.get("href") for a in want.xpath("//sup/a")] == ["#fn1", "#fn2", "#fn3", "#fn4"]
    notes = got.xpath("//li[starts-with(@id, 'fn')]")
    assert [n.get("id") for n in notes] == ["fn1", "fn2", "fn3", "fn4"]
    for note, expected in zip(notes, want.xpath("//li[starts-with(@id, 'fn')]"), strict=True):
        words = note.text_content().replace("↩︎", "").split()
        assert words == expected.text_content().replace("↩", "").split()
        assert note.xpath(".//a[@class='footnote-backref']/@href") == [f"#fnref{note.get('id')[2:]}"]
    assert "[^nope]" in got.text_content()  # a reference without a note stays as written
