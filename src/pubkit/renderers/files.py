"""Local files an output shows or links to by address, read once for publishing.

The site index names each file's web path; every format that points at a
file (a PDF form linked from the handout, a picture of the web page or the
email) hands the bytes over in :attr:`Output.published`, so the file is
written into the web root whichever formats are built, and every format
uses the one address.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.resources import Refused
from pubkit.site.links import Kind, Target


@dataclass
class Publisher:
    """The files one render publishes, by web path."""

    ctx: RenderContext
    article: Article
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, target: Target) -> bool:
        """Publish the local file ``target`` names; False (warned) when it cannot be read."""
        if target.kind is not Kind.FILE or target.path is None or target.published is None:
            return False
        if target.published in self.files:
            return True
        try:
            data = self.ctx.resources.read_checked(target.path, target.written)
        except Refused as exc:
            line = self.ctx.links(self.article).line_of(target.written)
            self.ctx.warn(self.article, line, f"left out {target.written!r}: {exc}")
            return False
        self.files[target.published] = data
        return True

    def read(self, target: Target) -> bytes | None:
        """The bytes of a published file (after :meth:`add`)."""
        return self.files.get(target.published or "")
