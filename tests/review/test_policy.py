"""The publishing policy and the review state, as pure functions of (article, settings, day)."""

from __future__ import annotations

import datetime as dt

import pytest

from pubkit.model.article import Article
from pubkit.review.approve import SignOff, approve
from pubkit.review.dates import add_months
from pubkit.review.policy import publish_decision
from pubkit.review.record import review_state
from pubkit.settings import Settings
from pubkit.source.reader import parse_article

SETTINGS = Settings.model_validate({"reviewers": {"peck": {"name": "Jane Peck", "credentials": "MD"}}})
STRICT = Settings.model_validate({"review": {"strict": True},
                                  "reviewers": {"peck": {"name": "Jane Peck", "credentials": "MD"}}})
DAY = dt.date(2025, 6, 1)


def article(front: str, body: str = "Rest the knee.\n\n## Later\n\nWalk a little.\n") -> Article:
    return parse_article(f"---\ntitle: Knee\n{front}---\n{body}".encode(), "content/knee.md")


def approved(body: str = "Rest the knee.\n\n## Later\n\nWalk a little.\n",
             on: dt.date = dt.date(2025, 1, 15)) -> Article:
    source = article("", body)
    data = f"---\ntitle: Knee\n---\n{body}".encode()
    out, _ = approve(data, source, SignOff("peck", on))
    return parse_article(out, "content/knee.md")


def edited(a: Article, old: str, new: str) -> Article:
    """``a`` with its body text changed, the stamp kept."""
    source = a.meta.review_stamp
    assert source is not None
    front = (f"reviewed_by: peck\nreviewed_on: {a.meta.reviewed_on}\nstatus: approved\n"
             f"review_stamp:\n  text: {source.text}\n  sections:\n"
             + "".join(f"    {k}: {v}\n" for k, v in source.sections.items()))
    return article(front, "Rest the knee.\n\n## Later\n\nWalk a little.\n".replace(old, new))


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2025, 1, 15), 12) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_current_approved_article_publishes_quietly() -> None:
    a = approved()
    decision = publish_decision(a, SETTINGS, DAY)
    assert decision.publish and not decision.draft and decision.diagnostics == ()
    state = review_state(a, SETTINGS, DAY)
    assert state.reviewer is not None and state.reviewer.display == "Jane Peck, MD"
    assert state.next_review == dt.date(2026, 1, 15) and not state.overdue and not state.changed


def test_overdue_date_moves_with_reviewed_on_and_interval() -> None:
    late = dt.date(2026, 1, 16)
    assert review_state(approved(on=dt.date(2025, 1, 15)), SETTINGS, late).overdue
    assert not review_state(approved(on=dt.date(2025, 1, 15)), SETTINGS, dt.date(2026, 1, 15)).overdue
    assert not review_state(approved(on=dt.date(2025, 3, 1)), SETTINGS, late).overdue
    six = Settings.model_validate({"review": {"interval_months": 6}})
    assert review_state(approved(on=dt.date(2025, 3, 1)), six, late).next_review == dt.date(2025, 9, 1)
    assert review_state(approved(on=dt.date(2025, 3, 1)), six, late).overdue
    explicit = article("reviewed_on: 2025-01-15\nnext_review: 2027-01-01\n")
    assert review_state(explicit, SETTINGS, late).next_review == dt.date(2027, 1, 1)
    decision = publish_decision(approved(), SETTINGS, late)
    assert decision.publish
    assert [str(d) for d in decision.diagnostics] == [
        "content/knee.md: warning: review overdue since 2026-01-15 "
        "(reviewed by Jane Peck, MD on 2025-01-15)"]


def test_changed_since_review_names_the_section() -> None:
    a = edited(approved(), "Walk a little.", "Walk two miles a day.")
    state = review_state(a, SETTINGS, DAY)
    assert [(c.id, c.kind) for c in state.changes] == [("sec-later", "changed")]
    decision = publish_decision(a, SETTINGS, DAY)
    assert decision.publish
    (warning,) = decision.diagnostics
    assert str(warning) == (
        "content/knee.md:14: warning: changed since Jane Peck, MD reviewed it on 2025-01-15\n"
        "  content/knee.md:14: section 'Later' changed")


def test_strict_refuses_what_would_only_warn() -> None:
    a = edited(approved(), "Walk a little.", "Walk two miles a day.")
    decision = publish_decision(a, STRICT, DAY)
    assert not decision.publish
    assert [d.severity for d in decision.diagnostics] == ["error"]
    assert publish_decision(approved(), STRICT, DAY).publish
    never = publish_decision(article(""), STRICT, DAY)
    assert not never.publish and "no medical review on record" in never.diagnostics[0].message
    hand = publish_decision(article("reviewed_on: 2025-05-01\n"), STRICT, DAY)
    assert not hand.publish and "has no review stamp" in hand.diagnostics[0].message
    assert publish_decision(article(""), SETTINGS, DAY).diagnostics == ()  # not strict: quiet


@pytest.mark.parametrize("strict", [False, True])
def test_drafts_are_left_out_unless_asked_for(strict: bool) -> None:
    settings = STRICT if strict else SETTINGS
    draft = article("status: draft\n")
    left = publish_decision(draft, settings, DAY)
    assert not left.publish and left.draft and left.skipped and left.diagnostics == ()
    asked = publish_decision(draft, settings, DAY, drafts=True)
    assert asked.publish and asked.draft and asked.diagnostics == ()


def test_in_review_warns_and_strict_refuses() -> None:
    a = article("status: in-review\n")
    assert [d.message for d in publish_decision(a, SETTINGS, DAY).diagnostics] == [
        "in review: not yet approved"]
    assert not publish_decision(a, STRICT, DAY).publish


def test_free_text_reviewer_is_printed_as_written() -> None:
    state = review_state(article("reviewed_by: Dr. Peck\nreviewed_on: 2025-01-15\n"), SETTINGS, DAY)
    assert state.reviewer is not None and state.reviewer.display == "Dr. Peck"
    assert state.reviewer.key is None and state.status == "approved" and not state.stamped
