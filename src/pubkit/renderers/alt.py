"""What a picture without alt text says: one rule, the same in every format.

``![](chart.png)`` has no alt text.  The ``[images] missing_alt`` setting
decides, once, what every renderer makes of it, so the page, the handout,
the Word document and the email never disagree:

``"decorative"`` (the default, as HTML reads ``alt=""``)
    The picture is decoration and screen readers skip it everywhere:
    ``alt=""`` in the page and the email, an artifact in the tagged PDF (not
    a figure), ``descr=""`` with Word's decorative mark in the ``.docx``, and
    nothing in the email's text part.

``"fallback"``
    The picture is named everywhere by the same words: its title when it has
    one, else the catalogue's "Picture" in the article's language.

Alt text the author wrote is always used as written; text of only spaces
counts as none.  ``pubkit check`` warns about every picture without it.
"""

from __future__ import annotations

from pubkit.i18n import N_, Translations
from pubkit.model import nodes as n
from pubkit.model.article import Meta
from pubkit.settings import MissingAlt

__all__ = ["FALLBACK_LABEL", "MissingAlt", "alt_text", "is_decorative", "lead_picture"]

FALLBACK_LABEL = N_("Picture")
"""The words for a picture with neither alt text nor title, under ``"fallback"``."""


def alt_text(image: n.Image, policy: MissingAlt, t: Translations) -> str:
    """The words that stand for ``image``; ``""`` means it is decorative."""
    if image.alt.strip():
        return image.alt
    if policy == "decorative":
        return ""
    return " ".join((image.title or "").split()) or t.gettext(FALLBACK_LABEL)


def lead_picture(meta: Meta) -> n.Image:
    """The front matter's lead picture (``image``, ``image_alt``) as a picture of the body,
    so the same rule decides what it says."""
    return n.Image(meta.image or "", meta.image_alt or "")


def is_decorative(image: n.Image, policy: MissingAlt) -> bool:
    """Whether ``image`` is hidden from screen readers (no alt text, and the policy says so)."""
    return not image.alt.strip() and policy == "decorative"
