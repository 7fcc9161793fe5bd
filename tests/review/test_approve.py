"""``pubkit review approve`` writes the sign-off into the front matter and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from pubkit.diagnostics import SourceError
from pubkit.review.approve import SignOff, approve
from pubkit.review.stamp import changes, stamp
from pubkit.source.reader import parse_article

ON = dt.date(2025, 1, 15)
SOURCE = """\
---
# Reviewed yearly; ask the front desk before editing.
title: Knee Pain   # shown as the page title
reviewed_by: Dr. Old      # printed as is
tags: [knee, pain]
review_stamp:
  text: 0123456789abcdef
  sections:
    intro: 0123456789abcdef
# language of the article
lang: en
---

Ice the knee for twenty minutes.

## When to call us

Call us if the knee swells.
"""


PECK = SignOff("peck", ON)


def signed(source: str, sign_off: SignOff = PECK) -> str:
    data = source.encode()
    article = parse_article(data, "content/knee.md")
    out, _ = approve(data, article, sign_off)
    return out.decode()


def test_only_review_keys_change_and_comments_stay() -> None:
    out = signed(SOURCE)
    assert out == """\
---
# Reviewed yearly; ask the front desk before editing.
title: Knee Pain   # shown as the page title
reviewed_by: peck      # printed as is
reviewed_on: 2025-01-15
status: approved
tags: [knee, pain]
review_stamp:
  text: {text}
  sections:
    intro: {intro}
    sec-when-to-call-us: {call}
# language of the article
lang: en
---

Ice the knee for twenty minutes.

## When to call us

Call us if the knee swells.
""".format(**_hashes(out))
    article = parse_article(out.encode(), "content/knee.md")
    assert article.meta.reviewed_on == ON and article.meta.status == "approved"
    assert changes(article, article.meta.review_stamp) == []  # type: ignore[arg-type]


def _hashes(out: str) -> dict[str, str]:
    front = yaml.safe_load(out.split("---\n")[1])
    sections = front["review_stamp"]["sections"]
    return {"text": front["review_stamp"]["text"], "intro": sections["intro"],
            "call": sections["sec-when-to-call-us"]}


def test_missing_keys_go_at_the_end_of_a_bare_front_matter() -> None:
    out = signed("---\ntitle: A\n\n---\nText.\n")
    lines = out.split("\n")
    assert lines[:5] == ["---", "title: A", "reviewed_by: peck", "reviewed_on: 2025-01-15",
                         "status: approved"]
    assert lines[5] == "review_stamp:" and "" in lines[5:]  # the blank line before the fence stays
    assert out.endswith("\n---\nText.\n")


def test_existing_next_review_is_replaced_or_dropped() -> None:
    source = "---\ntitle: A\nreviewed_on: 2020-01-01\nnext_review: 2020-06-01\nstatus: in-review\n---\nT.\n"
    out = signed(source)
    assert "next_review" not in out and "status: approved" in out
    assert "title: A\nreviewed_by: peck\nreviewed_on: 2025-01-15\nstatus: approved\n" in out
    out = signed(source, SignOff("peck", ON, dt.date(2025, 7, 1)))
    assert "next_review: 2025-07-01\n" in out


def test_line_endings_and_byte_order_mark_are_kept() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nText.\r\n"
    article = parse_article(data, "content/a.md")
    out, _ = approve(data, article, SignOff("peck", ON))
    assert out.startswith(b"\xef\xbb\xbf---\r\ntitle: A\r\nreviewed_by: peck\r\n")
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert out.endswith(b"---\r\nText.\r\n")


def test_flow_front_matter_is_refused() -> None:
    data = b"---\n{title: A}\n---\nText.\n"
    with pytest.raises(SourceError, match="one key per line"):
        approve(data, parse_article(data, "content/a.md"), SignOff("peck", ON))


def test_stamp_ignores_wrapping_and_markup_spelling_but_not_words() -> None:
    base = parse_article(b"---\ntitle: A\n---\nTake *one* pill\na day.\n\n## Later\n\nRest.\n", "a.md")
    same = parse_article(b"---\ntitle: A\nupdated: 2025-02-02\n---\n\nTake _one_ pill a day.\n\n\n"
                         b"Later\n-----\n\nRest.\n", "a.md")
    assert stamp(same) == stamp(base)
    dose = parse_article(b"---\ntitle: A\n---\nTake *two* pills\na day.\n\n## Later\n\nRest.\n", "a.md")
    found = changes(dose, stamp(base))
    assert [(c.id, c.kind, c.line) for c in found] == [("intro", "changed", 4)]
    assert found[0].description == "the introduction changed"


def test_stamp_sees_a_callouts_words_and_kind() -> None:
    def article(body: bytes):  # type: ignore[no-untyped-def]
        return parse_article(b"---\ntitle: A\n---\n" + body, "a.md")

    warning = article(b"> [!WARNING]\n> Stop the pill.\n")
    assert stamp(article(b"> [!warning]\n> Stop the\n> pill.\n")) == stamp(warning)
    assert stamp(article(b"> [!NOTE]\n> Stop the pill.\n")) != stamp(warning)
    assert stamp(article(b"> Stop the pill.\n")) != stamp(warning)
    assert stamp(article(b"> [!WARNING]\n> Stop the pills.\n")) != stamp(warning)


def test_stamp_reports_new_removed_and_note_sections() -> None:
    before = parse_article(b"---\ntitle: A\n---\nIntro.\n\n## Old part\n\nX.\n", "a.md")
    after = parse_article(b"---\ntitle: A\n---\nIntro.\n\n## New part\n\nX.[^1]\n\n[^1]: Source.\n",
                          "a.md")
    found = changes(after, stamp(before))
    assert [(c.id, c.kind) for c in found] == [
        ("sec-new-part", "new"), ("notes", "new"), ("sec-old-part", "removed")]
    assert [c.description for c in found] == [
        "section 'New part' is new", "the notes are new", "section 'old part' was removed"]
