"""The web page: structure, metadata, safety, local media and theme overrides."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

from PIL import Image

from pubkit.diagnostics import Diagnostic
from pubkit.model.article import Article
from pubkit.pipeline import render_one
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.source.reader import read_article


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


_PNG = _png()


def render(site: Site, name: str) -> tuple[str, list[Diagnostic], dict[str, bytes]]:
    """The page, its warnings and the files it publishes (by web path)."""
    ctx = RenderContext.for_site(site)
    article = read_article(site.content_dir / name, site.root)
    result = render_one(article, "html", ctx)
    assert result.output is not None, result.error
    return result.output.data.decode(), result.warnings, result.output.published


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(html)
    return p.tags


def test_sample_page_structure(sample_site: Site, sample_article: Article) -> None:
    html, warnings, published = render(sample_site, "ketamine-pain-management.md")
    assert warnings == [] and published == {}
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">")
    names = [t for t, _ in tags(html)]
    for landmark in ("header", "main", "article", "footer"):
        assert landmark in names
    assert names.count("h1") == 1
    assert "Now In-Network With BCBS Texas, United Healthcare &amp; Cigna!" in html
    assert "<p class=\"subtitle\">Ketamine For Pain Management</p>" in html
    assert ('<p class="review-line">Medically reviewed by Jane Peck, MD on November 16, 2026'
            " · Next review November 2027</p>") in html
    assert "2 min read" in html
    assert "not a substitute for professional medical advice" in html
    assert html.count("<strong>") == 8  # the banner and the seven bold labels
    # three headings: fewer than toc_min_headings (4), so no table of contents
    assert "class=\"toc\"" not in html


def test_metadata_and_json_ld(sample_site: Site) -> None:
    html, _, _ = render(sample_site, "ketamine-pain-management.md")
    attrs = [a for t, a in tags(html) if t in ("meta", "link")]
    props = {a.get("property") or a.get("name") or a.get("rel"): a.get("content") or a.get("href")
             for a in attrs}
    assert props["description"].startswith("Pain, whether acute or chronic")
    assert props["canonical"] == "https://example.com/ketamine-pain-management.html"
    assert props["og:title"] == "The Role of Ketamine in Pain Management"
    assert props["og:type"] == "article"
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Jane Peck", "honorificSuffix": "MD"}
    assert data["lastReviewed"] == "2026-11-16"
    assert data["inLanguage"] == "en"


def test_last_reviewed_and_dates(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": """\
        ---
        title: Dated
        reviewed_by: Dr. Peck
        reviewed_on: 2024-12-02
        date: 2024-05-01
        updated: 2025-01-15
        canonical_url: https://clinic.example/a
        ---
        Text.
        """})
    html, _, _ = render(site, "a.md")
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    # The sign-off date, not the last edit: an edit is no medical review.
    assert data["lastReviewed"] == "2024-12-02" and data["datePublished"] == "2024-05-01"
    assert data["dateModified"] == "2025-01-15"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr. Peck"}  # free text, as written
    assert '<time datetime="2024-05-01">Published May 1, 2024</time>' in html
    assert "Medically reviewed by Dr. Peck on December 2, 2024 · Next review December 2025" in html
    assert '<link rel="canonical" href="https://clinic.example/a">' in html


def test_hostile_content_is_neutralised(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/x.md": """\
        ---
        title: "</title><script>alert(1)</script> {{ 7*7 }}"
        summary: '"><script>alert(2)</script>'
        ---
        {% raw %}{{ config }}{% endraw %} {{ 7*7 }}

        <script>alert(3)</script>
        <img src="x" onerror="alert(4)">
        <iframe src="https://evil.example"></iframe>
        <a href="JaVaScRiPt:alert(5)">a</a> <a href="&#106;avascript:alert(6)">b</a>
        <a href="vbscript:x">c</a> <a href="data:text/html;base64,PHNjcmlwdD4=">d</a>
        <style>body{display:none}</style><object data="x"></object>
        <h2 id="content">clobber</h2>

        [e](javascript:alert(7)) ![f](data:image/png;base64,AAAA)
        """})
    html, _, _ = render(site, "x.md")
    body = html.split("<body>", 1)[1]
    assert "<script" not in body
    assert not re.search(r"\son\w+=", html)
    assert not re.search(r"(?i)(href|src)\s*=\s*\"?\s*(javascript|vbscript|data):", body)
    for tag in ("<iframe", "<object", "<style", "<embed"):
        assert tag not in body
    assert "{{ 7*7 }}" in html and "49" not in html  # content is never a template
    assert html.count('id="content"') == 1  # raw ids cannot clobber the page's own
    assert "&lt;/title&gt;&lt;script&gt;" in html


def test_local_media_copied_and_outside_refused(make_site: Callable[..., Site], tmp_path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG secret")
    site = make_site({
        "content/img/ok.png": _PNG,
        "content/other.md": "---\ntitle: Other\n---\nHi.\n",
        "content/a.md": """\
            ---
            title: Media
            ---
            ![ok](img/ok.png) ![up](../../../../etc/passwd) ![abs](/etc/passwd)
            ![file](file:///etc/passwd) ![link](img/escape.png)

            See [other](other.md#top) and [missing](nope.md).
            """,
    })
    (site.content_dir / "img" / "escape.png").symlink_to(outside)
    html, warnings, published = render(site, "a.md")
    # The picture itself, and its copies for the page (4 pixels wide: at its own width only).
    assert published.pop("img/ok.png") == _PNG
    assert sorted(re.sub(r"\.[0-9a-f]{12}\.", ".#.", p) for p in published) == [
        "img/ok-4w.#.png", "img/ok-4w.#.webp"]
    assert re.search(r'<picture><source type="image/webp" srcset="img/ok-4w\.[0-9a-f]{12}\.webp 4w"'
                     r' sizes="[^"]+"><img src="img/ok-4w\.[0-9a-f]{12}\.png" srcset="[^"]+ 4w" '
                     r'sizes="[^"]+" width="4" height="4" alt="ok" loading="lazy" decoding="async">'
                     r"</picture>", html), html
    # Nothing outside the site is read; a root path the site lacks is a web address, kept.
    assert '<img src="/etc/passwd" alt="abs" loading="lazy" decoding="async">' in html
    assert not re.search(r'(src|href)="[^"]*(\.\./etc/passwd|file:|escape|secret)', html)
    assert b"secret" not in b"".join(published.values())
    # A heading that does not exist and an article that does not exist: kept, and reported.
    assert '<a href="other.html#top">other</a>' in html
    assert '<a href="nope.md">missing</a>' in html
    shown = sorted(str(w) for w in warnings)
    assert len(shown) == 4, shown  # markdown-it itself refuses file: URLs as images
    assert all(s.startswith(("content/a.md:4: warning: left out", "content/a.md:7: warning: link"))
               for s in shown), shown
    assert sum("outside the site" in s for s in shown) == 2, shown


def test_table_of_contents_for_long_articles(make_site: Callable[..., Site]) -> None:
    sections = "\n\n".join(f"## Part {i}\n\nText {i}." for i in range(5))
    site = make_site({"content/long.md": f"---\ntitle: Long\n---\n{sections}\n"})
    html, _, _ = render(site, "long.md")
    nav = re.search(r'<nav class="toc".*?</nav>', html, re.S)
    assert nav and nav.group(0).count("<li") == 5
    assert 'href="#sec-part-0"' in nav.group(0) and 'id="sec-part-0"' in html


def test_right_to_left_language(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/ar.md": "---\ntitle: الألم\nlang: ar\n---\nنص.\n"})
    html, _, _ = render(site, "ar.md")
    assert '<html lang="ar" dir="rtl">' in html


def test_site_templates_override_file_by_file(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/a.md": "---\ntitle: Styled\n---\nBody.\n",
        "templates/html/style.css": "body { color: rebeccapurple; }\n",
    })
    html, _, _ = render(site, "a.md")
    assert "rebeccapurple" in html
    assert "<main id=\"content\">" in html  # page template still the built-in one


def test_footnotes_link_both_ways(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/f.md": "---\ntitle: F\n---\nClaim[^1] again[^1].\n\n[^1]: Source.\n"})
    html, _, _ = render(site, "f.md")
    assert 'href="#fn1" id="fnref1"' in html and 'id="fnref1-1"' in html
    assert 'id="fn1"' in html and 'href="#fnref1"' in html and 'href="#fnref1-1"' in html
