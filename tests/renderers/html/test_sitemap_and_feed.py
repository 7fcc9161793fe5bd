"""sitemap.xml against the sitemaps.org schema (xmlschema), feed.xml read by feedparser, robots.txt."""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.etree
import pytest
import xmlschema

from tests.batch.conftest import build
from tests.renderers.html.pages_site import HOSTILE_TITLE, make_pages_site

SCHEMAS = Path(__file__).resolve().parents[2] / "fixtures" / "sitemaps"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_pages_site(tmp_path_factory.mktemp("sitemap") / "site")
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text() + "\n[pages]\nfeed_entries = 4\n")
    build(root, formats=["html"])
    return root / "output" / "html"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "sitemap-with-alternates.xsd"))


def test_sitemap_is_valid_and_lists_every_page(out: Path, schema: xmlschema.XMLSchema) -> None:
    schema.validate(str(out / "sitemap.xml"))
    tree = lxml.etree.parse(str(out / "sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces=NS)
    assert len(locs) == len(set(locs))
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    # A folder's index page is listed at the folder's address, as servers serve it.
    assert {"https://example.com/", "https://example.com/es/", "https://example.com/tags/"} <= set(locs)
    assert not [loc for loc in locs if loc.endswith("index.html")]
    assert {loc.removeprefix("https://example.com/") for loc in locs} == {
        page.removesuffix("index.html") for page in pages}
    # lastmod from the article's dates (article 0 is dated 2024-01-01); none for an undated one.
    first = tree.xpath("//s:url[s:loc='https://example.com/article-0000.html']", namespaces=NS)[0]
    assert first.findtext("s:lastmod", namespaces=NS) == "2024-01-01"
    sample = tree.xpath("//s:url[s:loc='https://example.com/ketamine-pain-management.html']",
                        namespaces=NS)[0]
    assert sample.findtext("s:lastmod", namespaces=NS) is None
    alternates = {(link.get("hreflang"), link.get("href"))
                  for link in sample.findall("x:link", namespaces=NS)}
    assert alternates == {("en", "https://example.com/ketamine-pain-management.html"),
                          ("es", "https://example.com/es/ketamina-manejo-del-dolor.html"),
                          ("x-default", "https://example.com/ketamine-pain-management.html")}


def test_the_schema_can_fail(schema: xmlschema.XMLSchema, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(f'<urlset xmlns="{NS["s"]}"><url><lastmod>yesterday</lastmod></url></urlset>')
    assert not schema.is_valid(str(bad))


def test_robots_names_the_sitemap_by_its_absolute_address(out: Path) -> None:
    text = (out / "robots.txt").read_text()
    assert "Sitemap: https://example.com/sitemap.xml\n" in text
    assert "User-agent: *" in text


def test_feed_parses_without_errors(out: Path) -> None:
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo is False or feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 4  # [pages] feed_entries
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert all(e.link.startswith("https://example.com/") for e in feed.entries)
    spanish = feedparser.parse((out / "es" / "feed.xml").read_bytes())
    assert not spanish.bozo and spanish.feed.language == "es"


def test_hostile_title_survives_the_feed_and_sitemap_as_text(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text() + "\n[pages]\nfeed_entries = 100\n")
    build(root, formats=["html"])
    out = root / "output" / "html"
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert HOSTILE_TITLE in titles
    hostile = next(e for e in feed.entries if e.title == HOSTILE_TITLE)
    # The summary is text, as written: no element of it reaches a feed reader as markup.
    assert hostile.summary == "<img src=x onerror=alert(1)> ]]> &amp;"
    assert hostile.summary_detail.type == "text/plain"
    lxml.etree.parse(str(out / "feed.xml"))  # well-formed XML, "]]>" and all
    xmlschema.XMLSchema(str(SCHEMAS / "sitemap-with-alternates.xsd")).validate(str(out / "sitemap.xml"))
