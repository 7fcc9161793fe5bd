"""The article: validated metadata, the block tree, and facts derived once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pubkit.diagnostics import Diagnostic
from pubkit.model.nodes import Block, FootnoteDef, Node

WORDS_PER_MINUTE = 200
"""Adult silent-reading speed used for the reading-time estimate."""


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    level: int
    id: str
    text: str


ReviewStatus = Literal["draft", "in-review", "approved"]
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("draft", "in-review", "approved")


@dataclass(frozen=True, slots=True)
class ReviewStamp:
    """What ``pubkit review approve`` records: hashes of the text as it was signed off.

    ``text`` covers the whole body and its notes; ``sections`` maps each
    section's id (see :mod:`pubkit.model.sections`) to the hash of that section,
    so a later check can say which sections changed.
    """

    text: str
    sections: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Meta:
    """Front matter after validation.  See :mod:`pubkit.source.meta`."""

    title: str
    slug: str
    subtitle: str | None = None
    summary: str | None = None
    author: str | None = None
    reviewed_by: str | None = None
    reviewed_on: dt.date | None = None
    next_review: dt.date | None = None
    status: ReviewStatus | None = None
    review_stamp: ReviewStamp | None = None
    date: dt.date | None = None
    updated: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    image_alt: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    reading_time: int | None = None
    translation_of: str | None = None
    """The slug of the article this one translates."""
    translated_from: str | None = None
    """The original's text hash (or its first hex digits) the translation was made from."""


@dataclass(slots=True)
class Article:
    """One parsed source file; the only input every renderer receives.

    ``path`` is the source path as shown in messages (relative to the site root
    when inside it); ``source_dir`` is the folder local references resolve from,
    relative to the site root.
    """

    meta: Meta
    body: list[Block]
    footnotes: list[FootnoteDef]
    path: str
    source_dir: str
    word_count: int
    reading_time: int
    summary: str
    outline: list[OutlineEntry]
    lang: str
    source_hash: str
    warnings: list[Diagnostic] = field(default_factory=list)
    text_hash: str = ""
    """sha256 of the words a translator translates (title, subtitle, summary, image text,
    body), not of the front matter around them: what a translation records it was made from."""
    image_line: int | None = None
    """The front matter line naming ``meta.image`` (where a warning about it points)."""
    _nodes: list[Node] | None = field(default=None, init=False, repr=False, compare=False)

    def nodes(self) -> list[Node]:
        """Every node of the body and the notes, depth first in document order.

        Walked once: the index entry, the link resolver and the checks all go
        through every node, and the tree is never changed once parsed.
        """
        if self._nodes is None:
            from pubkit.model.visitor import walk

            self._nodes = walk([*self.body, *self.footnotes])
        return self._nodes

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def last_reviewed(self) -> dt.date | None:
        """The medical sign-off date (front matter ``reviewed_on``); never ``updated``."""
        return self.meta.reviewed_on

    @property
    def last_modified(self) -> dt.date | None:
        """When the text last changed, as the author says (``updated``, else ``date``)."""
        return self.meta.updated or self.meta.date
