"""The site's own pages as built: what they list, in which words, and what they never let through."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from tests.batch.conftest import build
from tests.renderers.html.pages_site import HOSTILE_TITLE, make_pages_site

TOML = "[pages]\nper_page = 3\n[brand]\nlogo = \"assets/img0.png\"\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages") / "site"
    make_pages_site(root)
    config = (root / "pubkit.toml").read_text()
    # The sample's pubkit.toml has a [brand] section: add the logo to it, and [pages] after it.
    (root / "pubkit.toml").write_text(config.replace("[brand]\n", '[brand]\nlogo = "assets/img0.png"\n', 1)
                                      + "\n[pages]\nper_page = 3\n")
    summary = build(root, formats=["html"], drafts=True)
    assert not [r for r in summary.records if r.status == "failed"], summary.records
    return root / "output" / "html"


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def titles(doc: lxml.html.HtmlElement) -> list[str]:
    return [a.text_content() for a in doc.xpath("//main//h2[@class='card-title']/a | "
                                                "//main//ul[@class='a-z-list']//a")]


def test_home_page_is_paginated_latest_first(site: Path) -> None:
    first, second = page(site / "index.html"), page(site / "page" / "2.html")
    assert len(titles(first)) == 3
    assert first.xpath("//link[@rel='next']/@href") == ["page/2.html"]
    assert second.xpath("//link[@rel='prev']/@href") == ["../index.html"]
    shown = [t for p in [site / "index.html", *sorted((site / "page").glob("*.html"))]
             for t in titles(page(p))]
    assert "The Role of Ketamine in Pain Management" in shown
    assert shown[0].startswith("Managing")  # dated 2024, newer than the sample
    card = first.xpath("//li[@class='card']")[0]
    meta = card.xpath(".//p[@class='card-meta']")[0].text_content()
    assert "min read" in meta and "Medically reviewed by Dr. Peck" in meta


def test_drafts_are_never_listed_even_when_built(site: Path) -> None:
    assert (site / "draft-article.html").is_file()  # built with --drafts ...
    for path in [*site.rglob("*.html"), site / "sitemap.xml", site / "feed.xml"]:
        if path.name != "draft-article.html":
            assert b"Draft nobody may see" not in path.read_bytes(), path  # ... and listed nowhere
            assert b"draft-article" not in path.read_bytes(), path


def test_spanish_articles_have_spanish_pages(site: Path) -> None:
    home = page(site / "es" / "index.html")
    assert home.get("lang") == "es"
    text = home.text_content()
    assert "Artículos recientes" in text and "Latest articles" not in text
    assert set(titles(home)) == {"Ñame y salud", "Náuseas", "La ketamina y el control del dolor"}
    assert "Ñame y salud" not in page(site / "index.html").text_content()
    az = page(site / "es" / "a-z.html")
    letters = [h.text_content() for h in az.xpath("//main//h2")]
    # Spanish order: N before Ñ (a letter of its own), accents aside (Náuseas under N).
    assert letters == ["L", "N", "Ñ"]
    groups = {h.text_content(): [a.text_content() for a in h.getparent().xpath(".//a")]
              for h in az.xpath("//main//h2")}
    assert groups["N"] == ["Náuseas"] and groups["Ñ"] == ["Ñame y salud"]
    # One Spanish topic for "dolor" and "Dolor".
    tags = page(site / "es" / "tags" / "index.html")
    assert [a.text_content() for a in tags.xpath("//ul[@class='tag-list']//a")].count("dolor") == 1
    assert "2 artículos" in tags.text_content()


def test_tag_pages_have_safe_unique_names(site: Path) -> None:
    names = sorted(p.name for p in (site / "tags").iterdir())
    for name in names:
        assert name.endswith(".html") and all(c.isascii() and (c.isalnum() or c in "-.") for c in name)
    assert "pain.html" in names and "c.html" in names
    assert len([n for n in names if n.startswith("c-")]) == 1  # C++ has a page of its own
    assert "index.html" in names and len([n for n in names if n.startswith("index-")]) == 1
    assert [n for n in names if n.startswith("tag-")]  # 日本語 (no ASCII slug), "]]>"
    listed = page(site / "tags" / "index.html")
    links = {a.text_content(): a.get("href") for a in listed.xpath("//ul[@class='tag-list']//a")}
    assert "C++" in links and "c" in links and links["C++"] != links["c"]
    assert '<b onclick="x()">bold</b>' in links  # shown as text
    assert len([k for k in links if k.strip().casefold() == "pain"]) == 1  # "Pain", "pain ": one tag
    for href in links.values():
        assert (site / "tags" / href).is_file()


def home_page_of(site: Path, slug: str) -> Path:
    """The page of the home page that lists article ``slug``."""
    pages = [site / "index.html", *sorted((site / "page").glob("*.html"))]
    return next(p for p in pages if f'href="{"../" if p.parent.name == "page" else ""}{slug}.html"'
                in p.read_text())


def test_hostile_title_and_summary_stay_text(site: Path) -> None:
    home = home_page_of(site, "hostile")
    for path in [home, site / "a-z.html", site / "tags" / "evil.html"]:
        doc = page(path)
        assert doc.xpath("//script") == [], path
        assert doc.xpath("//*[@onerror or @onclick]") == [], path
        assert HOSTILE_TITLE in doc.text_content(), path
    assert "&lt;img src=x onerror=alert(1)&gt;" in home.read_text()
    assert (site / "tags" / "evil.html").is_file() and not (site.parent / "evil.html").exists()


def test_lead_image_and_favicon(site: Path) -> None:
    home = home_page_of(site, "hostile")
    images = page(home).xpath("//li[@class='card']//img")
    assert len(images) == 1
    # The card shows the article page's own copies, named alike, by its alt text.
    card = images[0]
    lead = page(site / "hostile.html").xpath("//figure[@class='lead-image']//img")[0]
    assert card.get("alt") == lead.get("alt") == "A lead picture"
    prefix = "../" if home.parent.name == "page" else ""
    assert card.get("src") == prefix + lead.get("src")
    assert card.get("src").startswith(prefix + "assets/lead-1w.") and card.get("src").endswith(".png")
    assert (card.get("width"), card.get("height"), card.get("decoding")) == ("1", "1", "async")
    # libxml2 knows no <source>, and puts the <img> in it.
    webp = card.xpath("ancestor::picture//source[@type='image/webp']/@srcset")
    assert len(webp) == 1 and webp[0].endswith(".webp 1w")
    for srcset in [card.get("srcset"), webp[0]]:
        assert (site / srcset.removeprefix(prefix).split(" ")[0]).is_file()
    # Every page, article or not, declares the logo made a tab icon and a home-screen icon.
    for path, up in [(site / "index.html", ""), (site / "tags" / "pain.html", "../"),
                     (site / "article-0000.html", ""), (site / "page" / "2.html", "../"),
                     (site / "es" / "ketamina-manejo-del-dolor.html", "../")]:
        doc = page(path)
        assert doc.xpath("//link[@rel='icon']/@href") == [f"{up}favicon.png"], path
        assert doc.xpath("//link[@rel='icon']/@sizes") == ["32x32"], path
        assert doc.xpath("//link[@rel='apple-touch-icon']/@href") == [f"{up}apple-touch-icon.png"], path
    from PIL import Image

    with Image.open(site / "favicon.png") as tab, Image.open(site / "apple-touch-icon.png") as touch:
        assert (tab.format, tab.size, touch.format, touch.size) == ("PNG", (32, 32), "PNG", (180, 180))
        assert touch.mode == "RGB"


def test_not_found_page(site: Path) -> None:
    doc = page(site / "404.html")
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "Page not found" in doc.text_content()
    # Served for any missing address, at any depth: every link absolute.
    hrefs = doc.xpath("//a/@href | //link/@href")
    assert hrefs and all(h.startswith("https://example.com/") or h == "#content" for h in hrefs), hrefs


def test_fragments_are_body_and_byline_with_pubkit_classes(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site", "")
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text() + "\n[html]\nfragments = true\n")
    build(root, formats=["html"])
    out = root / "output" / "html"
    fragment = (out / "ketamine-pain-management.fragment.html").read_text()
    assert "<html" not in fragment and "<body" not in fragment and "site-header" not in fragment
    doc = lxml.html.fragment_fromstring(fragment)
    classes = {c for el in doc.iter() for c in (el.get("class") or "").split()}
    assert classes and all(c.startswith("pubkit-") for c in classes), classes
    assert "pubkit-byline" in classes and "pubkit-review-line" in classes
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert all(h.startswith(("https://", "http://", "#", "mailto:", "tel:")) for h in hrefs), hrefs
    assert (out / "es" / "ketamina-manejo-del-dolor.fragment.html").is_file()


def test_pages_can_be_switched_off_and_reserved_slugs_are_refused(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    (root / "content" / "index.md").write_text("---\ntitle: Home?\n---\n\nText.\n")
    summary = build(root, formats=["html"])
    failed = [r for r in summary.records if r.status == "failed"]
    assert [(r.source, r.format) for r in failed] == [("content/index.md", "html")]
    assert "site's own pages" in (failed[0].error or "")
    out = root / "output" / "html"
    assert "Home?" not in (out / "index.html").read_text()
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text() + "\n[pages]\nenabled = false\n")
    summary = build(root, formats=["html"])
    assert not [r for r in summary.records if r.status == "failed"]
    assert (out / "index.html").read_text().count("Home?") >= 1  # now the article's own page
    assert not (out / "sitemap.xml").exists() and not (out / "tags").exists()
    assert not (out / "feed.xml").exists() and not (out / "a-z.html").exists()


def test_folder_index_pages_are_named_by_their_folder(site: Path) -> None:
    """The canonical address of ``index.html`` is its folder's, as every web server serves it."""
    home = page(site / "index.html").xpath("//link[@rel='canonical']/@href")
    tags = page(site / "tags" / "index.html").xpath("//link[@rel='canonical']/@href")
    second = page(site / "page" / "2.html").xpath("//link[@rel='canonical']/@href")
    assert len(home) == len(tags) == len(second) == 1
    assert home[0].endswith("/") and not home[0].endswith("//")
    assert tags[0] == home[0] + "tags/"
    assert second[0] == home[0] + "page/2.html"


HOSTILE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="alert(1)">'
               b'<script>alert(2)</script><rect width="40" height="20" fill="#0b5a7a"/></svg>')


def test_a_drawn_logo_is_declared_as_a_drawing_too(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    (root / "assets" / "logo.svg").write_bytes(HOSTILE_SVG)
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/logo.svg"\n', 1))
    build(root, formats=["html"])
    out = root / "output" / "html"
    for path, up in [(out / "index.html", ""), (out / "article-0000.html", ""),
                     (out / "tags" / "index.html", "../")]:
        doc = page(path)
        assert doc.xpath("//link[@rel='icon'][@type='image/svg+xml']/@href") == [f"{up}assets/logo.svg"]
        assert doc.xpath("//link[@rel='icon'][@type='image/png']/@href") == [f"{up}favicon.png"]
    drawing = (out / "assets" / "logo.svg").read_bytes()
    assert b"<rect" in drawing and b"script" not in drawing and b"onload" not in drawing
    from PIL import Image

    with Image.open(out / "favicon.png") as tab:
        assert tab.size == (32, 32) and tab.convert("RGBA").getpixel((16, 16)) == (0x0B, 0x5A, 0x7A, 255)


def test_a_site_file_never_takes_an_icons_name(tmp_path: Path) -> None:
    """A picture the content publishes as ``favicon.png`` gets a name of its own."""
    from tests.batch.sitegen import PNGS

    root = make_pages_site(tmp_path / "site")
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/img0.png"\n', 1))
    (root / "content" / "favicon.png").write_bytes(PNGS[1])
    (root / "content" / "apple-touch-icon.png").write_bytes(PNGS[1])
    (root / "content" / "icons.md").write_text(
        "---\ntitle: Icons\nslug: icons\n---\n\n![A dot](favicon.png) ![A dot](apple-touch-icon.png)\n")
    summary = build(root, formats=["html"])
    assert not [r for r in summary.records if r.status == "failed"], summary.records
    out = root / "output" / "html"
    shown = page(out / "icons.html").xpath("//main//img/@src")
    assert len(shown) == 2 and not {"favicon.png", "apple-touch-icon.png"} & set(shown), shown
    from PIL import Image

    with Image.open(out / "favicon.png") as tab, Image.open(out / "apple-touch-icon.png") as touch:
        assert tab.size == (32, 32) and touch.size == (180, 180)


def test_an_unusable_icon_is_warned_about_and_nothing_is_made(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/logo.png"\n', 1))
    (root / "assets" / "logo.png").write_bytes(b"<html><script>alert(1)</script></html>")
    summary = build(root, formats=["html"])
    assert any("assets/logo.png: the web pages' icon is left out" in n for n in summary.notes), summary.notes
    out = root / "output" / "html"
    assert not (out / "favicon.png").exists() and not (out / "apple-touch-icon.png").exists()
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 3 and any(p.name.startswith("article-") for p in pages)
    for path in pages:  # no page names an icon that was not made (``data:,`` asks for none)
        assert page(path).xpath("//link[contains(@rel, 'icon')]/@href") == ["data:,"], path
