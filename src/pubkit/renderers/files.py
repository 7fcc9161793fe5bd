"""Local files an output shows or links to by address, checked and read once for publishing.

The site index names each file's web path; every format that points at a
file (a PDF form linked from the handout, a picture of the web page or the
email) hands the bytes over in :attr:`Output.published`, so the file is
written into the web root whichever formats are built, and every format
uses the one address.  What is published is what :mod:`pubkit.media` makes
of the file: a picture decoded within its budget (an SVG rebuilt from an
allow-list), a PDF without active content, plain text; anything else is
left out with one warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pubkit.media import Picture, Refusal, inspect_attachment, inspect_picture, left_out
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
    pictures: dict[str, Picture] = field(default_factory=dict)
    """What :mod:`pubkit.media` made of each picture published, by web path (its size, its type)."""

    def add(self, target: Target, picture: bool = False) -> bool:
        """Publish the local file ``target`` names (a picture when ``picture``).

        False, with one warning naming the article's line, when it cannot be
        read or may not be published as it is.
        """
        if target.kind is not Kind.FILE or target.path is None or target.published is None:
            return False
        if target.published in self.files:
            return True
        inspect = inspect_picture if picture else inspect_attachment
        try:
            checked = inspect(self.ctx.resources.read_checked(target.path, target.written),
                              target.path.name)
            if isinstance(checked, Refusal):
                raise Refused(checked.reason)
        except Refused as exc:
            line = self.ctx.links(self.article).line_of(target.written)
            self.ctx.warn(self.article, line, left_out(target.written, exc))
            return False
        self.files[target.published] = checked.data
        if isinstance(checked, Picture):
            self.pictures[target.published] = checked
        return True

    def read(self, target: Target) -> bytes | None:
        """The bytes of a published file (after :meth:`add`)."""
        return self.files.get(target.published or "")
