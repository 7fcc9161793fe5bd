"""Content checks that need no renderer: where links and pictures go, and alt text.

Links and pictures are judged by the same :class:`~pubkit.site.links.LinkResolver`
every format uses, so ``pubkit check`` flags exactly what a render would
warn about: here a reference into the content folder that leads nowhere is
an error.
"""

from __future__ import annotations

from pubkit.diagnostics import Diagnostic
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.visitor import walk
from pubkit.renderers.base import RenderContext


def check_article(article: Article, ctx: RenderContext) -> list[Diagnostic]:
    """Broken or unsafe references, a slug taken twice, translations, and pictures without alt text."""
    out: list[Diagnostic] = []
    duplicate = ctx.index.duplicate_error(article.path)
    if duplicate is not None:
        out.append(duplicate)
    # A translation whose original is missing, in its language, or newer than it.
    out += ctx.index.translation_problems(ctx.entry(article))
    before = len(ctx.warnings)
    ctx.translations(article)  # a language without a message catalogue: said once per command
    out += ctx.warnings[before:]
    del ctx.warnings[before:]
    resolver = ctx.links(article)
    resolver.resolve_all()
    out += resolver.diagnostics(broken="error")
    for block in walk([*article.body, *article.footnotes]):
        line = getattr(block, "line", None)
        if not isinstance(block, n.Block):
            continue
        for node in walk([c for c in getattr(block, "children", None) or [] if isinstance(c, n.Inline)]):
            if isinstance(node, n.Image) and not node.alt.strip():
                out.append(Diagnostic(article.path, line, f"image {node.src!r} has no alt text", "warning"))
    if article.meta.image and not article.meta.image_alt:
        out.append(Diagnostic(article.path, None, "front matter 'image' has no 'image_alt'", "warning"))
    unique: dict[tuple[int | None, str], Diagnostic] = {}
    for d in out:
        unique.setdefault((d.line, d.message), d)
    return sorted(unique.values(), key=lambda d: (d.line or 0, d.message))
