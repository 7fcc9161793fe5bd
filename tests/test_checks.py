"""``pubkit check``'s content checks that need no renderer."""

from __future__ import annotations

from collections.abc import Callable

from pubkit.checks import check_article
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.source.reader import read_article

BODY = """\
---
title: Alerts
---
Intro.

> [!WARN]
> Meant as a warning box.

> [!Note] Text on the marker's line.

> [!CAUTION]
> A real callout.

> A plain quote, [!NOTE] inside it.
"""


def test_quotes_meant_as_callouts_are_named_with_their_lines(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": BODY})
    article = read_article(site.content_dir / "a.md", site.root)
    found = [(d.line, d.severity, d.message) for d in check_article(article, RenderContext.for_site(site))]
    assert found == [
        (6, "warning", "block quote starts with [!WARN], which is not an alert ([!NOTE], [!TIP], "
                       "[!IMPORTANT], [!WARNING], [!CAUTION]): it stays a quote"),
        (9, "warning", "[!Note] makes a callout only alone on the quote's first line with text "
                       "after it: this stays a quote"),
    ]
