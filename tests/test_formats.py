"""The format registry: each format described once, its settings enforced."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from pubkit import formats
from pubkit.pipeline import render_one
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.source.reader import read_article


def test_every_format_is_registered_once_with_its_facts() -> None:
    assert formats.names() == ["html", "pdf", "docx", "email", "newsletter", "large-print"]
    assert formats.article_formats() == ["html", "pdf", "docx", "email", "large-print"]
    for name in formats.names():
        fmt = formats.get(name)
        assert fmt.installed() and fmt.templates and fmt.suffix.startswith(".")
        assert set(formats.LINK_SETTINGS) <= fmt.reads
    assert formats.get("newsletter").source == "newsletter"
    # The newsletter is laid out by the email templates: editing them must rebuild it.
    assert set(formats.get("email").templates) <= set(formats.get("newsletter").templates)
    with pytest.raises(formats.UnknownFormat, match="unknown format 'epub'"):
        formats.get("epub")


def test_facts_are_read_without_importing_any_engine() -> None:
    code = ("import sys; from pubkit import formats; "
            "[(f.folder, f.suffix, f.templates, f.reads, f.version) "
            "for f in map(formats.get, formats.names())]; "
            "print(sorted(m for m in ('weasyprint', 'docx', 'css_inline', 'dask', 'markdown_it') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_renderer_reading_an_undeclared_setting_fails_naming_it(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\nx\n"})
    article = read_article(site.content_dir / "a.md", site.root)
    html = formats.get("html")
    narrowed = formats.Format(**{**html.__dict__, "settings": ("site_name", "brand", "images")})
    monkeypatch.setitem(formats._REGISTRY, "html", narrowed)
    result = render_one(article, "html", RenderContext.for_site(site))
    assert result.error is not None
    assert "format 'html' reads the setting 'toc_min_headings' without declaring it" in result.error.message


@pytest.mark.parametrize("name", ["html", "pdf", "docx", "email"])
def test_each_format_renders_within_its_declared_settings(
    make_site: Callable[..., Site], name: str,
) -> None:
    """Rendering under the settings view succeeds: nothing undeclared is read."""
    site = make_site({"content/a.md": "---\ntitle: A\n---\n## One\n\n## Two\n\ntext [x](#one)\n"})
    article = read_article(site.content_dir / "a.md", site.root)
    result = render_one(article, name, RenderContext.for_site(site))
    assert result.error is None and result.output is not None
