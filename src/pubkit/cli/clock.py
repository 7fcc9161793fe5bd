"""Today's date, read in one place at the command line's edge.

Review dates (overdue, the sign-off date) depend on the day; everything
below the CLI takes it as an argument.  ``PUBKIT_TODAY=YYYY-MM-DD`` sets it,
for tests and for asking "what would tonight's run say on that day?".
"""

from __future__ import annotations

import datetime as dt
import os

from pubkit.cli.app import fail_usage

TODAY_VARIABLE = "PUBKIT_TODAY"


def today() -> dt.date:
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return dt.date.today()
    return parse_date(value, TODAY_VARIABLE)


def parse_date(value: str, what: str) -> dt.date:
    """``value`` as a YYYY-MM-DD date, or a usage error naming ``what``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail_usage(f"{what}: {value!r} is not a date (use YYYY-MM-DD)")
