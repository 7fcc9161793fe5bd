"""Every word pubkit itself writes, looked up in the reader's language.

This is the one home of user-facing strings that pubkit (not the author)
adds to an output or prints: labels, bylines, dates, footers, page chrome.
Python code asks ``translations(lang).gettext("...")``; templates receive the
same callables as ``_`` and ``ngettext`` in their render context.

The message catalogues (gettext ``.po`` through Babel) and the locale-aware
date and number formats are filled in by the internationalisation work; the
interface below is what every caller uses already, so that no string needs a
second home when they arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Translations:
    """The messages and formats of one language."""

    lang: str

    def gettext(self, message: str) -> str:
        """``message`` in this language (English today)."""
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n``."""
        return singular if n == 1 else plural

    def format_date(self, value: dt.date, form: str = "long") -> str:
        """``value`` as readers of this language write it (``form``: long or month-year)."""
        if form == "month-year":
            return f"{value:%B} {value.year}"
        return f"{value:%B} {value.day}, {value.year}"


@cache
def translations(lang: str) -> Translations:
    """The translations for BCP 47 tag ``lang``."""
    return Translations(lang)
