"""The article body as print HTML: the web writer, with print's notion of references.

Differences from the web page: images point at pseudo URLs that only the
handout's :class:`~pubkit.renderers.pdf.fetch.SiteFetcher` can open (each
remembered with its source line, so a refusal names the line); an image
with a title alone in its paragraph becomes a figure with a caption; every
link goes where the site's link resolver says, as an absolute address (paper
has no sibling files) or an anchor of the handout itself; external links
carry a class so the stylesheet can print their address; a decorative
picture (no alt text, ``[images] missing_alt = "decorative"``) is drawn as
a background, which WeasyPrint marks as an artifact (every ``img`` becomes a
``Figure`` that needs words); callouts are ``div`` boxes; and notes made
only of paragraphs are placed at their first call, where the stylesheet
floats them to the foot of the page (``float: footnote``).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from html import unescape

from weasyprint.urls import iri_to_uri

from pubkit.i18n import Translations
from pubkit.model import nodes as n
from pubkit.model.text import BALLOT_BOX, plain_text
from pubkit.renderers.alt import MissingAlt, is_decorative
from pubkit.renderers.files import Publisher
from pubkit.renderers.html.writer import HtmlWriter, escape
from pubkit.renderers.pdf.fetch import site_url
from pubkit.resources import is_remote
from pubkit.site.links import Kind, LinkResolver

_RAW_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


class PrintHtmlWriter(HtmlWriter):
    """HTML for WeasyPrint.

    ``lines`` and ``refs`` map every URL it emits to its source line and to the
    reference as the author wrote it (for warnings).
    """

    callout_element = "div"
    """WeasyPrint tags ``aside`` as NonStruct (its box would vanish from the tag tree); a ``div``
    is a ``Div`` structure element holding the title and the body."""

    def __init__(
        self,
        base_url: str,
        links: LinkResolver,
        publisher: Publisher,
        page_notes: list[n.FootnoteDef] | None = None,
        lang: str = "en",
        t: Translations | None = None,
        stack_table: Callable[[n.Table], bool] | None = None,
        missing_alt: MissingAlt = "decorative",
        measure: Callable[[str], tuple[int, int] | None] | None = None,
    ) -> None:
        super().__init__(resolve_image=self._image_url, resolve_link=self._link_url, lang=lang, t=t,
                         missing_alt=missing_alt)
        self.measure = measure or (lambda url: None)
        """A picture's size in CSS pixels from its URL (None when it cannot be read)."""
        self.stack_table = stack_table or (lambda table: False)
        self.base_url = base_url
        self.links = links
        self.publisher = publisher
        self.page_notes = {d.number: d for d in page_notes} if page_notes is not None else None
        self.lines: dict[str, int | None] = {}
        self.refs: dict[str, str] = {}
        self.line: int | None = None

    def visit(self, node: n.Node) -> str:
        line = getattr(node, "line", None)
        if line is None:
            return super().visit(node)
        saved, self.line = self.line, line
        try:
            return super().visit(node)
        finally:
            self.line = saved

    def remember(self, url: str, written: str | None = None) -> str:
        """``url`` made absolute against the article's folder, recorded with the current line.

        A relative reference is appended to the folder's URL as written: urljoin()
        would quietly clamp ``../../x`` at the site root, and the fetcher must see
        (and refuse) the escape instead.  The key is what WeasyPrint will ask for.
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or url.startswith("/"):
            absolute: str = iri_to_uri(urllib.parse.urljoin(self.base_url, url))
        else:
            absolute = iri_to_uri(self.base_url + url)
        self.lines.setdefault(absolute, self.line)
        self.refs.setdefault(absolute, written or url)
        return absolute

    # ------------------------------------------------------------ resolvers
    def picture(self, src: str) -> str | None:
        """The URL WeasyPrint loads a picture from, or None when it is left out."""
        target = self.links.image(src)
        if target.kind is Kind.FILE and target.file:
            return self.remember(site_url(urllib.parse.quote(target.file)), src)
        if target.kind is Kind.KEPT and target.url:
            return self.remember(target.url, src)
        return None  # dropped or broken: the resolver has said why

    def _image_url(self, image: n.Image) -> str | None:
        return self.picture(image.src)

    def _link_url(self, url: str) -> str | None:
        target = self.links.link(url)
        if target.kind is Kind.DROPPED:
            return None
        if target.kind is Kind.FILE and not self.publisher.add(target):
            return None
        return target.in_document

    # ------------------------------------------------------------- blocks
    def task_marker(self, checked: bool) -> str:
        # Paper has no checkbox to tick: the ballot box character, read out as such.
        return f'<span class="task-box">{BALLOT_BOX[checked]}</span> '

    def visit_paragraph(self, node: n.Paragraph) -> str:
        kids = [c for c in node.children if not (isinstance(c, n.Text) and not c.text.strip())]
        if not self._tight and len(kids) == 1 and isinstance(kids[0], n.Image) and kids[0].title:
            image = kids[0]
            return (
                f'<figure>{self.visit(image)}'
                f"<figcaption>{escape(image.title or '')}</figcaption></figure>\n"
            )
        return super().visit_paragraph(node)

    def visit_heading(self, node: n.Heading) -> str:
        # The bookmark reads the heading's words only, not its footnote calls.
        html = super().visit_heading(node)
        label = f' data-label="{escape(plain_text(node.children))}"'
        return html.replace(f"<h{node.level}", f"<h{node.level}{label}", 1)

    def visit_table(self, node: n.Table) -> str:
        if self.stack_table(node):
            return f'<div class="table-wrap table-records">{self._records(node)}</div>\n'
        return f'<div class="table-wrap">{super().visit_table(node)}</div>\n'

    def _records(self, node: n.Table) -> str:
        """A table too wide for the page, one row at a time: "header: value" pairs (see tables.py)."""
        heads = [self.inlines(c.children) for c in node.header.cells]
        out = []
        for row in node.rows or [n.TableRow([])]:
            pairs = []
            for i, head in enumerate(heads):
                value = self.inlines(row.cells[i].children) if i < len(row.cells) else ""
                pairs.append(f'<tr>\n<th scope="row">{head}</th>\n<td>{value}</td>\n</tr>\n')
            out.append(f'<table class="record">\n<tbody>\n{"".join(pairs)}</tbody>\n</table>\n')
        return "".join(out)

    def visit_raw_block(self, node: n.RawBlock) -> str:
        self._remember_raw(node.html)
        return super().visit_raw_block(node)

    def visit_raw_inline(self, node: n.RawInline) -> str:
        self._remember_raw(node.html)
        return super().visit_raw_inline(node)

    def _remember_raw(self, html: str) -> None:
        for match in _RAW_SRC.finditer(html):
            self.remember(unescape(next(g for g in match.groups() if g is not None)))

    def footnotes(self, defs: list[n.FootnoteDef]) -> str:
        return "" if self.page_notes is not None else super().footnotes(defs)

    # ------------------------------------------------------------ inlines
    def visit_image(self, node: n.Image) -> str:
        if not is_decorative(node, self.missing_alt):
            return super().visit_image(node)
        url = self.picture(node.src)
        if url is None:
            return ""
        # Drawn as a background: an artifact, outside the tag tree.  The outer box has the
        # picture's width (at most the column's), the inner one its proportions; a picture
        # that cannot be read is still named, so the fetcher reports why it is left out.
        width, height = self.measure(url) or (0, 0)
        ratio = f"{height * 100 / width:.4f}%" if width else "0"
        css_url = url.replace("\\", "\\\\").replace('"', '\\"')  # a CSS string, then an attribute
        return (f'<span class="decorative-picture" style="width: {width}px">'
                f'<span style="padding-top: {ratio}; background-image: url(&quot;{escape(css_url)}&quot;)">'
                "</span></span>")

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        """At the first reference, the note itself, floated to the foot of the page."""
        if self.page_notes is None or node.number not in self.page_notes:
            return super().visit_footnote_ref(node)
        if node.ref_index:
            return (f'<sup class="footnote-ref"><a href="#fn{node.number}" '
                    f'aria-label="{self.footnote_label(node.number)}">{node.number}</a></sup>')
        paras = [self.inlines(p.children) for p in self.page_notes[node.number].children
                 if isinstance(p, n.Paragraph)]
        rest = "".join(f'<span class="footnote-para">{p}</span>' for p in paras[1:])
        return (f'<span class="footnote" id="fn{node.number}" data-n="{node.number}">'
                f"{paras[0] if paras else ''}{rest}</span>")

    def visit_link(self, node: n.Link) -> str:
        html = super().visit_link(node)
        href = self._link_url(node.url)
        if href is None or not is_remote(href):
            return html
        shown = re.sub(r"^https?://", "", href).rstrip("/")
        text = re.sub(r"^https?://", "", plain_text(node.children)).rstrip("/")
        if text == shown:
            return html
        # The address is printed after the link text: a reader cannot click paper.
        return html.replace("<a ", '<a class="print-url" ', 1)


def fits_the_page(defs: list[n.FootnoteDef]) -> bool:
    """Whether every note is plain paragraphs without further notes (a page footnote's shape)."""
    for note in defs:
        if not all(isinstance(b, n.Paragraph) for b in note.children):
            return False
        if any(isinstance(i, n.FootnoteRef) for i in _walk_inlines(note.children)):
            return False
    return True


def _walk_inlines(nodes: list) -> list[n.Node]:  # type: ignore[type-arg]
    out: list[n.Node] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk_inlines(getattr(node, "children", []) or []))
    return out
