"""Content checks that need no renderer: where links and pictures go, alt text, alert markers.

Links and pictures are judged by the same :class:`~pubkit.site.links.LinkResolver`
every format uses, so ``pubkit check`` flags exactly what a render would
warn about: here a reference into the content folder that leads nowhere is
an error.
"""

from __future__ import annotations

import re

from pubkit.diagnostics import Diagnostic
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext

_ALERT_LIKE = re.compile(r"\[!(\w+)\]")
"""What an author writes meaning an alert: ``[!WORD]`` at the start of a quote."""


def alert_mistake(quote: n.BlockQuote) -> str | None:
    """Why a quote that starts like a GitHub alert stayed a plain quote, or None.

    A warning box that silently prints as a quotation is a safety problem in
    patient material, so the near misses are named: an unknown kind
    (``[!WARN]``), or text on the marker's own line.
    """
    first = quote.children[0] if quote.children else None
    if not isinstance(first, n.Paragraph) or not first.children or not isinstance(first.children[0], n.Text):
        return None
    match = _ALERT_LIKE.match(first.children[0].text)
    if match is None:
        return None
    kinds = ", ".join(f"[!{kind.upper()}]" for kind in n.CALLOUT_TITLES)
    if match.group(1).lower() not in n.CALLOUT_TITLES:
        return f"block quote starts with {match.group(0)}, which is not an alert ({kinds}): it stays a quote"
    return (f"{match.group(0)} makes a callout only alone on the quote's first line with text after it: "
            "this stays a quote")


def check_article(article: Article, ctx: RenderContext) -> list[Diagnostic]:
    """Broken or unsafe references, a slug taken twice, translations, pictures without alt text,
    and quotes meant as callouts that are not."""
    out: list[Diagnostic] = []
    duplicate = ctx.index.duplicate_error(article.path)
    if duplicate is not None:
        out.append(duplicate)
    # A translation whose original is missing, in its language, or newer than it.
    out += ctx.index.translation_problems(ctx.entry(article))
    before = len(ctx.warnings)
    ctx.warn_untranslated(article)  # a language without a message catalogue: said once per command
    out += ctx.warnings[before:]
    del ctx.warnings[before:]
    resolver = ctx.links(article)
    resolver.resolve_all()
    out += resolver.diagnostics(broken="error")
    line: int | None = None
    """The line of the block the nodes that follow are in (inlines hold no blocks)."""
    for node in article.nodes():
        if isinstance(node, n.Block):
            line = node.line
            mistake = alert_mistake(node) if isinstance(node, n.BlockQuote) else None
            if mistake is not None:
                out.append(Diagnostic(article.path, line, mistake, "warning"))
        elif isinstance(node, n.Image) and not node.alt.strip():
            out.append(Diagnostic(article.path, line, f"image {node.src!r} has no alt text", "warning"))
    if article.meta.image and not article.meta.image_alt:
        out.append(Diagnostic(article.path, None, "front matter 'image' has no 'image_alt'", "warning"))
    unique: dict[tuple[int | None, str], Diagnostic] = {}
    for d in out:
        unique.setdefault((d.line, d.message), d)
    return sorted(unique.values(), key=lambda d: (d.line or 0, d.message))
