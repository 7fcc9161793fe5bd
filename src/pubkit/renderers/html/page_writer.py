"""The web page's body: the shared HTML writer, with what only a screen offers.

- Pictures as ``<picture>``: WebP and own-format copies in several widths
  (:class:`~pubkit.renderers.html.media.Shown`), their size given so the page
  does not jump as they load, loaded lazily and decoded off the main thread
  (the lead picture at once, first: it is what the reader sees first).
- Tables and code blocks in a scrolling region a keyboard can reach and a
  screen reader names (axe's ``scrollable-region-focusable``): a wide table
  or a long line of code scrolls sideways on a phone, and a region that
  scrolls must be focusable to be scrolled without a mouse.  Its name is
  pubkit's word in the article's language ("Table: Dose", "Code example").
"""

from __future__ import annotations

from pubkit.i18n import Translations
from pubkit.model import nodes as n
from pubkit.model.text import plain_text
from pubkit.renderers.alt import MissingAlt
from pubkit.renderers.html.media import PageMedia, Shown
from pubkit.renderers.html.writer import HtmlWriter, escape

NAME_CHARS = 80
"""Longest name of a scrolling region taken from a table's words."""


class PageWriter(HtmlWriter):
    """:class:`HtmlWriter` for the web page."""

    def __init__(self, media: PageMedia, sizes: str, lang: str, t: Translations,
                 missing_alt: MissingAlt) -> None:
        super().__init__(resolve_image=media.image, resolve_link=media.link, lang=lang, t=t,
                         missing_alt=missing_alt)
        self.media = media
        self.sizes = sizes

    def visit_image(self, node: n.Image) -> str:
        shown = self.media.shown(node.src)
        if shown is None:
            return escape(node.alt)
        return self.picture(shown, self.alt(node), node.title)

    def picture(self, shown: Shown, alt: str, title: str | None = None, lead: bool = False) -> str:
        """The markup showing ``shown`` (``lead``: the article's lead picture, loaded first)."""
        attrs = [f'src="{escape(shown.src)}"']
        sizes = f' sizes="{escape(self.sizes)}"'
        if shown.srcset:
            attrs.append(f'srcset="{escape(shown.srcset)}"{sizes}')
        if shown.width and shown.height:
            attrs.append(f'width="{shown.width}" height="{shown.height}"')
        attrs.append(f'alt="{escape(alt)}"')
        if title is not None:
            attrs.append(f'title="{escape(title)}"')
        attrs.append('fetchpriority="high"' if lead else 'loading="lazy"')
        attrs.append('decoding="async"')
        img = f"<img {' '.join(attrs)}>"
        if not shown.sources:
            return img
        sources = "".join(f'<source type="{escape(kind)}" srcset="{escape(srcset)}"{sizes}>'
                          for kind, srcset in shown.sources)
        return f"<picture>{sources}{img}</picture>"

    def visit_table(self, node: n.Table) -> str:
        words = plain_text(node.header.cells[0].children).strip() if node.header.cells else ""
        if len(words) > NAME_CHARS:
            words = words[:NAME_CHARS - 1].rstrip() + "…"
        name = (self.t.format("Table: %(name)s", name=words) if words
                else self.t.gettext("Table"))
        return self._region(name, super().visit_table(node))

    def visit_code_block(self, node: n.CodeBlock) -> str:
        return self._region(self.t.gettext("Code example"), super().visit_code_block(node))

    def _region(self, name: str, inner: str) -> str:
        return (f'<div class="scroll" tabindex="0" role="region" aria-label="{escape(name)}">\n'
                f"{inner}</div>\n")
