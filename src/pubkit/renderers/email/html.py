"""The HTML body of an email: the shared writer, adapted to mail clients.

:class:`EmailHtmlWriter` differs from the web page's writer only where mail
differs: images carry absolute (or ``cid:``) sources with pixel sizes, links
are absolute, headings need no anchors and footnotes are plain numbers.
:func:`page_source` fills ``email/message.html.j2`` and
:func:`inline_styles` inlines ``email/style.css.j2`` with css-inline, which
keeps only the phone media query as a style block in the head.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from pubkit.i18n import Translations
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.text import BALLOT_BOX
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.media import EmailMedia
from pubkit.renderers.html.writer import HtmlWriter, escape

TEMPLATE = "email/message.html.j2"
STYLESHEET = "email/style.css.j2"

PREHEADER_FILLER = "&#8204;&nbsp;" * 90
"""Invisible padding after the preheader, so inbox previews do not run on into the body."""


class EmailHtmlWriter(HtmlWriter):
    """Renders one article's blocks for an email body."""

    def __init__(self, article: Article, media: EmailMedia,
                 tag: Callable[[str], str] | None = None, t: Translations | None = None) -> None:
        def resolve(url: str) -> str | None:
            link = media.link(article, url)
            return tag(link) if link is not None and tag is not None else link

        super().__init__(resolve_link=resolve, heading_ids=False, lang=article.lang, t=t,
                         missing_alt=media.ctx.settings.images.missing_alt)
        self.article = article
        self.media = media

    def task_marker(self, checked: bool) -> str:
        # Mail clients drop form controls: the ballot box characters say the same.
        return BALLOT_BOX[checked] + " "

    def visit_image(self, node: n.Image) -> str:
        ref = self.media.image(self.article, node)
        if ref is None:
            return escape(node.alt)
        height = f' height="{ref.height}"' if ref.height else ""
        title = f' title="{escape(node.title)}"' if node.title else ""
        return (f'<img class="content-image" src="{escape(ref.src)}" alt="{escape(self.alt(node))}" '
                f'width="{ref.width}"{height}{title}>')

    def visit_callout(self, node: n.Callout) -> str:
        # A one-cell table: mail clients (Outlook's Word engine above all) draw borders and
        # fills on table cells reliably, and css-inline puts the look in the cell's style.
        body = self.blocks(node.children, tight=False)
        kind = node.kind
        return (
            f'<table role="presentation" class="callout" width="100%" cellpadding="0" '
            f'cellspacing="0" border="0"><tr><td class="callout-cell callout-{kind}">\n'
            f'<p class="callout-title callout-title-{kind}">{escape(self.callout_title(node))}</p>\n'
            f"{body}</td></tr></table>\n"
        )

    def visit_footnote_ref(self, node: n.FootnoteRef) -> str:
        # In-message anchors jump unreliably across clients; the number is enough.
        return f'<sup class="footnote-ref">[{node.number}]</sup>'

    def visit_footnote_def(self, node: n.FootnoteDef) -> str:
        body = self.blocks(node.children, tight=False)
        return f'<li class="footnote-item" value="{node.number}">{body}</li>\n'

    def footnotes(self, defs: list[n.FootnoteDef]) -> str:
        if not defs:
            return ""
        return f'<ol class="footnotes-list">\n{"".join(self.visit(d) for d in defs)}</ol>\n'


def article_html(article: Article, media: EmailMedia,
                 tag: Callable[[str], str] | None = None,
                 t: Translations | None = None) -> tuple[Markup, Markup]:
    """The body and the footnotes of ``article`` as email HTML; ``tag`` adds UTM parameters."""
    writer = EmailHtmlWriter(article, media, tag, t)
    return Markup(writer.blocks(article.body)), Markup(writer.footnotes(article.footnotes))


def page_source(ctx: RenderContext, values: dict[str, Any]) -> str:
    """The email HTML from the template ``values``, its stylesheet still in the head."""
    settings = ctx.settings
    css = ctx.theme.template(STYLESHEET).render(brand=settings.brand)
    return ctx.theme.template(TEMPLATE).render(
        css=Markup(css), site=settings, brand=settings.brand, email=settings.email,
        preheader_filler=Markup(PREHEADER_FILLER), **{"web": False, "web_url": None, **values},
    )


def inline_styles(html: str) -> str:
    """Every rule into style attributes; at-rules (the phone media query) stay in the head."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return inliner.inline(html)
