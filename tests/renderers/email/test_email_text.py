"""The plain-text writer: headings, lists, numbered links, tables, footnotes, every paragraph."""

from __future__ import annotations

import re

from pubkit.model.text import plain_text
from pubkit.model.visitor import walk
from pubkit.renderers.email.text_writer import TextWriter
from pubkit.source.reader import parse_article


def text_of(markdown: str, width: int = 72) -> tuple[str, TextWriter]:
    article = parse_article(("---\ntitle: T\n---\n" + markdown).encode(), "t.md")
    writer = TextWriter(width=width)
    body = writer.blocks(article.body)
    notes = writer.footnotes(article.footnotes)
    return body + ("\n\n" + notes if notes else "") + "\n\n" + writer.link_list(), writer


def test_headings_are_underlined_to_their_width() -> None:
    text, _ = text_of("# Title\n\n## Section\n\n### Détail\n\n## 日本語\n")
    assert "Title\n=====" in text
    assert "Section\n-------" in text
    assert "Détail\n~~~~~~" in text
    assert "日本語\n------\n" in text + "\n"  # wide letters take two columns


def test_lists_nest_with_markers_and_wrap_inside_them() -> None:
    long = "word " * 30
    text, _ = text_of(f"- one\n- two\n  1. inner\n  2. {long}\n\n3. three\n4. four\n")
    lines = text.split("\n")
    assert lines[:3] == ["- one", "- two", "  1. inner"]
    assert all(ln.startswith("     word") for ln in lines[4:6])
    assert all(len(ln) <= 72 for ln in lines)
    assert "3. three\n4. four" in text


def test_links_are_numbered_once_and_listed_at_the_end() -> None:
    text, writer = text_of(
        "See [the guide](https://example.com/g) and [again](https://example.com/g), "
        "then [other](https://example.com/o) or <https://example.com/raw>.\n"
    )
    assert "the guide [1]" in text and "again [1]" in text and "other [2]" in text
    assert "https://example.com/raw." in text  # an autolink already shows its address
    assert writer.links == ["https://example.com/g", "https://example.com/o"]
    assert text.rstrip().endswith("[1] https://example.com/g\n[2] https://example.com/o")


def test_narrow_tables_align_and_wide_tables_become_records() -> None:
    text, _ = text_of("| Drug | Dose |\n|:--|--:|\n| Ketamine | 0.5 mg/kg |\n| B | 10 |\n")
    assert text.split("\n")[:4] == [
        "Drug     |      Dose",
        "---------+----------",
        "Ketamine | 0.5 mg/kg",
        "B        |        10",
    ]
    wide = "x" * 70
    text, _ = text_of(f"| Name | Notes |\n|--|--|\n| A | {wide} |\n| B | {wide} |\n")
    assert "Name: A\nNotes:" in text and "\n\nName: B\nNotes:" in text and "|" not in text


def test_hard_breaks_keep_their_line() -> None:
    text, _ = text_of("123 Main St\\\nAustin, TX  \nUSA\n")
    assert text.startswith("123 Main St\nAustin, TX\nUSA")


def test_footnotes_quotes_code_and_breaks() -> None:
    text, _ = text_of("Claim.[^a]\n\n> quoted\n> text\n\n    code  here\n\n---\n\n[^a]: The source.\n")
    assert "Claim.[^1]" in text
    assert "Notes\n-----\n\n[^1] The source." in text
    assert "> quoted text" in text
    assert "    code  here" in text
    assert "* * *" in text


def test_every_paragraph_of_the_sample_article(sample_article) -> None:  # type: ignore[no-untyped-def]
    writer = TextWriter()
    text = " ".join(writer.blocks(sample_article.body).split())
    paragraphs = [b for b in walk(sample_article.body) if b.tagname == "paragraph"]
    assert len(paragraphs) >= 8
    for p in paragraphs:
        assert " ".join(plain_text(p.children).split()) in text
    assert max(len(line) for line in writer.blocks(sample_article.body).split("\n")) <= 72
    assert not re.search(r"[<>]", text)
