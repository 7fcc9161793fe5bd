"""An article's review state on a given day: reviewer, dates, status, changes, overdue.

``reviewed_by`` is a key of ``[reviewers]`` in ``pubkit.toml`` (whose full
name and credentials are then printed) or, failing that, free text printed
as written.  ``next_review`` defaults to ``reviewed_on`` plus ``[review]
interval_months``.  An article with ``reviewed_on`` and no ``status`` counts
as approved.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from pubkit.model.article import Article, ReviewStatus
from pubkit.review.dates import next_review_date
from pubkit.review.stamp import Change, changes
from pubkit.settings import Settings


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who reviewed an article, as printed and as structured data."""

    display: str
    name: str
    credentials: str | None = None
    key: str | None = None


def reviewer_of(reviewed_by: str | None, settings: Settings) -> Reviewer | None:
    """Resolve front matter ``reviewed_by`` against ``[reviewers]``."""
    if not reviewed_by:
        return None
    known = settings.reviewers.get(reviewed_by)
    if known is None:
        return Reviewer(reviewed_by, reviewed_by)
    return Reviewer(known.display, known.name, known.credentials, reviewed_by)


def unknown_key_hint(reviewed_by: str | None, settings: Settings) -> str | None:
    """A "did you mean" when ``reviewed_by`` is no key but looks like a mistyped one."""
    if not reviewed_by or reviewed_by in settings.reviewers:
        return None
    close = difflib.get_close_matches(reviewed_by, list(settings.reviewers), n=1, cutoff=0.75)
    return close[0] if close else None


@dataclass(frozen=True, slots=True)
class ReviewState:
    """The review facts of one article on ``today``."""

    reviewer: Reviewer | None
    reviewed_on: dt.date | None
    next_review: dt.date | None
    status: ReviewStatus | None
    """As written, or ``approved`` when only ``reviewed_on`` is given."""
    stamped: bool
    changes: tuple[Change, ...]
    """Sections that differ from the stamped text (empty without a stamp)."""
    overdue: bool
    today: dt.date

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_on is not None

    def as_json(self) -> dict[str, Any]:
        """The record as ``pubkit review --json`` and ``pubkit check --json`` print it."""
        r = self.reviewer
        return {
            "status": self.status,
            "reviewer": r.display if r else None,
            "reviewer_key": r.key if r else None,
            "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None,
            "next_review": self.next_review.isoformat() if self.next_review else None,
            "overdue": self.overdue,
            "stamped": self.stamped,
            "changed": self.changed if self.stamped else None,
            "changed_sections": [{"id": c.id, "title": c.title, "line": c.line, "change": c.kind}
                                 for c in self.changes],
        }

    @property
    def signed_off_by(self) -> str:
        """``Jane Peck, MD`` (or "someone" when the record names nobody)."""
        return self.reviewer.display if self.reviewer else "the reviewer"


def next_review_of(article: Article, settings: Settings) -> dt.date | None:
    """``next_review`` as written, else ``reviewed_on`` plus ``[review] interval_months``."""
    return next_review_date(article.meta.reviewed_on, article.meta.next_review, settings)


def review_state(article: Article, settings: Settings, today: dt.date) -> ReviewState:
    """Work out ``article``'s review state as of ``today``."""
    meta = article.meta
    next_review = next_review_of(article, settings)
    status = meta.status or ("approved" if meta.reviewed_on else None)
    found = tuple(changes(article, meta.review_stamp)) if meta.review_stamp else ()
    return ReviewState(
        reviewer=reviewer_of(meta.reviewed_by, settings),
        reviewed_on=meta.reviewed_on,
        next_review=next_review,
        status=status,
        stamped=meta.review_stamp is not None,
        changes=found,
        overdue=next_review is not None and today > next_review,
        today=today,
    )
