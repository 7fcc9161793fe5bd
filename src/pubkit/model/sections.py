"""An article's sections: the blocks under each heading.

A section is what a reader sees as one part of the article: a heading and
everything up to the next heading of any level.  Text before the first
heading is the ``intro`` section.  Reading-level figures and review stamps
are both kept per section, so both cut the article the same way, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pubkit.model.nodes import Block, Heading
from pubkit.model.text import plain_text

INTRO_ID = "intro"
"""Id of the text before the first heading (generated heading ids start with ``sec-``)."""


@dataclass(frozen=True, slots=True)
class Section:
    """One heading (none for the intro) and the blocks under it."""

    id: str
    title: str
    level: int
    line: int | None
    blocks: tuple[Block, ...]


def split_sections(blocks: list[Block]) -> list[Section]:
    """Cut the body at every top-level heading; an empty intro is left out."""
    out: list[Section] = []
    heading: Heading | None = None
    current: list[Block] = []

    def close() -> None:
        if heading is None:
            if current:
                out.append(Section(INTRO_ID, "", 0, current[0].line, tuple(current)))
        else:
            out.append(Section(heading.id, " ".join(plain_text(heading.children).split()),
                               heading.level, heading.line, tuple(current)))

    for block in blocks:
        if isinstance(block, Heading):
            close()
            heading, current = block, []
        else:
            current.append(block)
    close()
    return out
