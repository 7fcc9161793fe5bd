"""What a slug may be: its home, light enough for a build that reads the index from its cache."""

from __future__ import annotations

import re

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$"
_SLUG = re.compile(SLUG_PATTERN)


def valid_slug(slug: str) -> bool:
    """Whether ``slug`` may name outputs: it becomes a file or folder name and part of a URL."""
    return _SLUG.match(slug) is not None
