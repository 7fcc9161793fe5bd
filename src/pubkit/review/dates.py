"""The review calendar: when an article is next due, from its two dates and the settings.

Apart from :mod:`~pubkit.review.record` because planning a build asks this of
every article from the site index alone, and must not load the document model
to do so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pubkit.settings import Settings


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (January 31 + 1 month is February 28 or 29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(reviewed_on: dt.date | None, next_review: dt.date | None,
                     settings: Settings) -> dt.date | None:
    """When a review is next due: ``next_review`` as written, else ``reviewed_on`` plus
    ``[review] interval_months``."""
    if next_review is None and reviewed_on is not None:
        return add_months(reviewed_on, settings.review.interval_months)
    return next_review
