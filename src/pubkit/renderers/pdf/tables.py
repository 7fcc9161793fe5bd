"""Whether a table fits the printed page, and how one that does not is printed.

A printed table cannot scroll.  Its columns are sized to their content and
words never break inside (see ``handout.css``), so a table whose longest
words add up to more than the text width would run off the paper: the
large-print handout, at 18 pt, meets this with an 8-column schedule.  Such a
table is printed one row at a time instead, each row a small two-column
table of "header: value" (the reflow WCAG asks for), so every word stays
whole and readable at the handout's size.

The estimate is deliberately generous (a wide letter, bold headers), so a
table that is printed as a table fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pubkit.model import nodes as n
from pubkit.model.text import plain_text
from pubkit.renderers.email.text_writer import display_width

MM_PER_PT = 25.4 / 72
PAPER_WIDTH_MM = {"letter": 215.9, "a4": 210.0, "legal": 215.9}
EM_PER_CHAR = 0.62
"""Width of an average letter of the handout's sans-serif, in em (Noto Sans: about 0.55)."""
EM_PER_BOLD_CHAR = 0.68
LONGEST_WORD = 24
"""Letters beyond which a "word" is a code or an address, allowed to wrap inside anyway."""
CELL_PADDING_MM = 4.0
"""Left plus right padding of a cell (``handout.css``: 2 mm each side)."""

_MARGIN = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$")
_TO_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": MM_PER_PT}


def to_mm(length: str) -> float:
    """A CSS length of the settings' form (``16mm``, ``0.75in``) in millimetres."""
    match = _MARGIN.match(length)
    if not match:
        raise ValueError(f"not a length: {length!r}")
    return float(match.group(1)) * _TO_MM[match.group(2)]


@dataclass(frozen=True)
class TableFit:
    """The room a table has: the text width and the table's font size."""

    text_width_mm: float
    font_pt: float

    def fits(self, table: n.Table) -> bool:
        """Whether every column can be as wide as its longest word, side by side."""
        rows = [table.header, *table.rows]
        columns = max((len(r.cells) for r in rows), default=0)
        needed = 0.0
        for i in range(columns):
            widest = 0.0
            for row in rows:
                if i >= len(row.cells):
                    continue
                per_char = EM_PER_BOLD_CHAR if row is table.header else EM_PER_CHAR
                words = plain_text(row.cells[i].children).split()
                longest = min(max((display_width(w) for w in words), default=0), LONGEST_WORD)
                widest = max(widest, longest * per_char * self.font_pt * MM_PER_PT)
            needed += widest + CELL_PADDING_MM
        return needed <= self.text_width_mm
