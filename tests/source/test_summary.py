"""Every article has a summary (the page's description for search engines), written or derived."""

from __future__ import annotations

import pytest

from pubkit.source.reader import SUMMARY_LIMIT, parse_article

CASES = [
    ("written", "summary: Written.\n", "## Part\n\nFirst paragraph.\n", "Written."),
    ("first paragraph", "", "## Part\n\n- item\n\nFirst  *paragraph*.\n", "First paragraph."),
    ("a list, no paragraph", "", "## Heading\n\n- call the clinic\n- rest\n", "call the clinic rest"),
    ("a table, no paragraph", "", "| Drug | Dose |\n|---|---|\n| Ibuprofen | 400 mg |\n",
     "Drug Dose Ibuprofen 400 mg"),
    ("a callout", "", "> [!WARNING]\n> Call 911.\n", "Call 911."),
    ("code and headings are not a description", "subtitle: The subtitle\n",
     "## Heading\n\n```\nrm -rf /\n```\n\n<div>\n", "The subtitle"),
    ("nothing but front matter", "", "", "The title"),
    ("a picture alone", "", "![](a.png)\n", "The title"),
]


@pytest.mark.parametrize(("case", "front", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_summary_falls_back_to_the_first_words_then_the_subtitle_then_the_title(
    case: str, front: str, body: str, expected: str,
) -> None:
    article = parse_article(f"---\ntitle: The title\n{front}---\n{body}".encode(), "content/a.md")
    assert article.summary == expected


def test_a_summary_from_a_long_list_is_shortened_at_a_word() -> None:
    items = "- alpha betagamma\n" * 200
    summary = parse_article(f"---\ntitle: T\n---\n{items}".encode(), "content/a.md").summary
    assert len(summary) <= SUMMARY_LIMIT and summary.endswith("…")
    assert summary[:-1].split()[-1] in ("alpha", "betagamma")
