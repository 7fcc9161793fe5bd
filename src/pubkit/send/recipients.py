"""Recipients of a newsletter, read from a CSV file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person on the list.  ``fields`` holds every CSV column (merge fields)."""

    email: str
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    line: int | None = None
