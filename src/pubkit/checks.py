"""Content checks that need no renderer: references and alt text."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from pubkit.diagnostics import Diagnostic
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.visitor import walk
from pubkit.resources import Refused, ResourcePolicy, is_remote


def check_article(article: Article, policy: ResourcePolicy, base_dir: Path) -> list[Diagnostic]:
    """Local links and images that do not resolve, and images without alt text."""
    out: list[Diagnostic] = []

    def error(line: int | None, message: str, severity: str = "error") -> None:
        out.append(Diagnostic(article.path, line, message, severity))  # type: ignore[arg-type]

    def local(ref: str, line: int | None, what: str) -> None:
        parts = urllib.parse.urlsplit(ref)
        if is_remote(ref) or parts.scheme in ("mailto", "tel") or not parts.path:
            return
        try:
            policy.local_path(ref, base_dir)
        except Refused as exc:
            error(line, f"{what} {ref!r}: {exc}")

    for block in walk(article.body):
        line = getattr(block, "line", None)
        for node in walk(getattr(block, "children", None) or []):
            if isinstance(node, n.Image):
                local(node.src, line, "image")
                if not node.alt.strip():
                    error(line, f"image {node.src!r} has no alt text", "warning")
            elif isinstance(node, n.Link):
                local(node.url, line, "link")
    if article.meta.image:
        local(article.meta.image, None, "lead image")
        if not article.meta.image_alt:
            error(None, "front matter 'image' has no 'image_alt'", "warning")
    unique: dict[tuple[int | None, str], Diagnostic] = {}
    for d in out:
        unique.setdefault((d.line, d.message), d)
    return list(unique.values())
