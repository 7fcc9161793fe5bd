"""The site's own pages in incremental builds: rebuilt for a listing fact, never for a body edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubkit.batch.manifest import Manifest, ManifestError, load_manifest
from pubkit.batch.report import BuildSummary
from tests.batch.conftest import Collect, build, built, output_tree
from tests.renderers.html.pages_site import make_pages_site


def pages_status(summary: BuildSummary) -> str | None:
    return summary.pages.status if summary.pages else None

LISTING = ("html/index.html", "html/a-z.html", "html/sitemap.xml", "html/feed.xml",
           "html/tags/index.html")


def pages_outputs(root: Path) -> set[str]:
    manifest, warning = load_manifest(root / "output")
    assert warning is None and manifest.pages is not None
    return set(manifest.pages.outputs)


def test_body_edit_title_edit_and_deletion(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    out = root / "output"
    first = build(root, formats=["html"])
    assert pages_status(first) == "built"
    names = pages_outputs(root)
    assert set(LISTING) <= names and "html/404.html" in names
    before = output_tree(out)

    # Nothing changed: nothing rebuilt, the site's pages neither.
    again = build(root, formats=["html"])
    assert built(again) == set() and pages_status(again) == "skipped"

    # A body edit that leaves the listing facts (summary, reading time) alone.
    article = root / "content" / "article-0001.md"
    article.write_text(article.read_text().replace("Follow-up visit", "Follow-up visits"))
    body = build(root, formats=["html"])
    assert built(body) == {("content/article-0001.md", "html")}
    assert pages_status(body) == "skipped"
    after = output_tree(out)
    assert {n: after[n] for n in names} == {n: before[n] for n in names}

    # A title edit rebuilds the site's pages too, and they show the new title.
    article.write_text(article.read_text().replace("guide 1\"", "guide one\""))
    title = build(root, formats=["html"])
    assert built(title) == {("content/article-0001.md", "html")} and pages_status(title) == "built"
    assert "guide one" in (out / "html" / "a-z.html").read_text()
    assert "guide one" in (out / "html" / "feed.xml").read_text()

    # A deleted article leaves every page; a tag only it had loses its page.
    hostile = root / "content" / "hostile.md"
    assert (out / "html" / "tags" / "evil.html").is_file()
    hostile.unlink()
    gone = build(root, formats=["html"])
    assert pages_status(gone) == "built" and "content/hostile.md" in {r.source for r in gone.records
                                                              if r.status == "removed"}
    for name, data in output_tree(out).items():
        assert b"hostile.html" not in data, name
    assert not (out / "html" / "tags" / "evil.html").exists()
    assert "html/tags/evil.html" not in pages_outputs(root)


def test_draft_and_settings_and_templates(tmp_path: Path) -> None:
    root = make_pages_site(tmp_path / "site")
    out = root / "output" / "html"
    build(root, formats=["html"])
    # A draft approved: listed from then on.
    draft = root / "content" / "draft.md"
    draft.write_text(draft.read_text().replace("status: draft", "status: approved"))
    summary = build(root, formats=["html"])
    assert pages_status(summary) == "built"
    assert "Draft nobody may see" in (out / "tags" / "pain.html").read_text()
    # A setting only the site's pages read rebuilds them alone.
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text() + "\n[pages]\nper_page = 2\n")
    summary = build(root, formats=["html"])
    assert built(summary) == set() and pages_status(summary) == "built"
    assert (out / "page" / "2.html").is_file()
    # So does a site's own listing template (overridable file by file).
    (root / "templates" / "html").mkdir(parents=True, exist_ok=True)
    from pubkit.theme import builtin_templates

    listing = (builtin_templates() / "html" / "listing.html.j2").read_text()
    (root / "templates" / "html" / "listing.html.j2").write_text(
        listing.replace("<main id=\"content\">", "<main id=\"content\" class=\"site-own\">"))
    listener = Collect()
    summary = build(root, listener, formats=["html"])
    assert built(summary) == set() and pages_status(summary) == "built"
    assert 'class="site-own"' in (out / "index.html").read_text()
    # Fewer pages after a setting change: the extra ones are removed.
    (root / "pubkit.toml").write_text((root / "pubkit.toml").read_text().replace("per_page = 2",
                                                                                "per_page = 1000"))
    build(root, formats=["html"])
    assert not (out / "page").exists()


def test_a_crafted_pages_record_makes_the_manifest_untrusted() -> None:
    good = {"schema": 2, "sources": {}, "pages": {"key": "k", "outputs": {"html/index.html": 3}}}
    assert Manifest.from_json(good).pages is not None
    for outputs in ({"../../etc/passwd": 1}, {"/etc/passwd": 1}, {"html/index.html": -1}):
        with pytest.raises(ManifestError):
            Manifest.from_json({**good, "pages": {"key": "k", "outputs": outputs}})
    with pytest.raises(ManifestError):
        Manifest.from_json({**good, "pages": ["not", "a", "record"]})


def test_a_new_logo_reaches_the_web_root(tmp_path: Path) -> None:
    from tests.batch.sitegen import PNGS

    root = make_pages_site(tmp_path / "site")
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/logo.png"\n', 1))
    (root / "assets" / "logo.png").write_bytes(PNGS[0])
    build(root, formats=["html"])
    html = root / "output" / "html"
    from PIL import Image

    def colours() -> tuple[object, object]:
        with Image.open(html / "favicon.png") as tab, Image.open(html / "apple-touch-icon.png") as touch:
            return tab.convert("RGBA").getpixel((16, 16)), touch.convert("RGB").getpixel((90, 90))

    before = colours()
    (root / "assets" / "logo.png").write_bytes(PNGS[1])
    summary = build(root, formats=["html"])
    assert pages_status(summary) == "built"
    after = colours()
    assert before != after
    with Image.open(root / "assets" / "logo.png") as logo:
        assert after[0] == logo.convert("RGBA").getpixel((0, 0))
    assert not (html / "assets" / "logo.png").exists()  # a raster logo is not published as it is


def card_pictures(html: Path) -> set[str]:
    """Every picture file the home pages' cards name (``src`` and each ``srcset`` entry)."""
    import lxml.html

    found = set()
    for path in [html / "index.html", *sorted((html / "page").glob("*.html"))]:
        doc = lxml.html.fromstring(path.read_bytes())
        for node in doc.xpath("//img[@class='card-image'] | //ul[@class='cards']//source"):
            refs = [node.get("src"), *(part.split()[0] for part in (node.get("srcset") or "").split(","))]
            found |= {(path.parent / ref).resolve().relative_to(html.resolve()).as_posix()
                      for ref in refs if ref}
    return found


def test_a_new_lead_picture_gives_the_cards_new_copies_and_the_old_ones_go(tmp_path: Path) -> None:
    from tests.batch.sitegen import PNGS

    root = make_pages_site(tmp_path / "site")
    html = root / "output" / "html"

    def copies() -> set[str]:
        return {p.relative_to(html).as_posix() for p in (html / "assets").glob("lead-*")}

    build(root, formats=["html"])
    old = copies()
    assert len(old) == 2 and card_pictures(html) == old  # a WebP copy and a PNG one
    assert {f"html/{name}" for name in old} <= pages_outputs(root)  # the pages publish them too

    # A body edit: the pages (and their copies) stay.
    hostile = root / "content" / "hostile.md"
    hostile.write_text(hostile.read_text().replace("Some words", "Some more words"))
    body = build(root, formats=["html"])
    assert built(body) == {("content/hostile.md", "html")} and pages_status(body) == "skipped"
    assert copies() == old

    # The same picture file with new bytes: new copies, shown by the cards; the old ones go.
    (root / "assets" / "lead.png").write_bytes(PNGS[1])
    changed = build(root, formats=["html"])
    assert pages_status(changed) == "built"
    new = copies()
    assert len(new) == 2 and new.isdisjoint(old) and card_pictures(html) == new
    for name, data in output_tree(root / "output").items():
        assert not any(n.encode() in data for n in old), name

    # Nothing changed since: the pages are not rebuilt.
    again = build(root, formats=["html"])
    assert pages_status(again) == "skipped" and copies() == new

    # The article deleted: its picture's copies leave with it.
    hostile.unlink()
    gone = build(root, formats=["html"])
    assert pages_status(gone) == "built" and copies() == set()
    assert not (html / "assets" / "lead.png").exists()


def retitle(path: Path, title: str) -> None:
    """Give the article at ``path`` the title ``title`` (a listing fact)."""
    import json
    import re

    line = f"title: {json.dumps(title)}"
    path.write_text(re.sub(r"(?m)^title: .*$", lambda _: line, path.read_text(), count=1))


def card_image_tags(html: Path) -> list[str]:
    """The home page's card ``<img>`` elements, as written."""
    import re

    return re.findall(r'<img class="card-image"[^>]*>', (html / "index.html").read_text())


def test_the_cards_name_the_copies_from_what_the_articles_pages_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A title edit of another article rebuilds the pages without reading the lead picture again:
    its facts come from the manifest, recorded when its article's page checked it."""
    import pubkit.media
    from tests.batch.sitegen import PNGS

    root = make_pages_site(tmp_path / "site")
    html = root / "output" / "html"
    build(root, formats=["html"])
    manifest, _ = load_manifest(root / "output")
    raw, facts = manifest.pictures["assets/lead.png"]
    assert raw == manifest.files["assets/lead.png"][0]
    assert (facts.type, facts.width, facts.height) == ("image/png", 1, 1)
    before = card_image_tags(html)
    assert before and 'width="1" height="1"' in before[0]

    inspected: list[bytes] = []
    real = pubkit.media.inspect_picture

    def counting(data: bytes, name: str = "") -> object:
        inspected.append(data)
        return real(data, name)

    monkeypatch.setattr(pubkit.media, "inspect_picture", counting)
    retitle(root / "content" / "nauseas.md", "Náuseas y vómitos")
    summary = build(root, formats=["html"])
    assert pages_status(summary) == "built"
    assert PNGS[0] not in inspected
    assert card_image_tags(html) == before  # the same copies, named and sized alike


def test_facts_that_do_not_fit_the_picture_are_not_used(tmp_path: Path) -> None:
    """A record for other bytes, or one whose copies are not published (a forged size), is
    passed over: the card checks the picture itself and shows what it holds."""
    import json

    from pubkit.batch.manifest import MANIFEST_NAME

    root = make_pages_site(tmp_path / "site")
    html = root / "output" / "html"
    build(root, formats=["html"])
    good = card_image_tags(html)
    path = root / "output" / MANIFEST_NAME
    for n, forged in enumerate((["0" * 64, None, None, None, None], [None, "1" * 64, "image/png", 1, 1],
                                [None, None, "image/png", 640, 480])):
        data = json.loads(path.read_text())
        record = data["pictures"]["assets/lead.png"]
        data["pictures"]["assets/lead.png"] = [f if f is not None else r
                                               for f, r in zip(forged, record, strict=True)]
        path.write_text(json.dumps(data))
        retitle(root / "content" / "nauseas.md", f"Náuseas {n}")
        summary = build(root, formats=["html"])
        assert pages_status(summary) == "built", forged
        assert card_image_tags(html) == good, forged


@pytest.mark.parametrize("record", [
    "not a list", ["a" * 64, "b" * 64, "image/png", 2], ["A" * 64, "b" * 64, "image/png", 2, 2],
    ["a" * 64, "b" * 63, "image/png", 2, 2], ["a" * 64, "b" * 64, "image/svg+xml", 2, 2],
    ["a" * 64, "b" * 64, "text/html", 2, 2], ["a" * 64, "b" * 64, "image/png", 0, 2],
    ["a" * 64, "b" * 64, "image/png", 2, -1], ["a" * 64, "b" * 64, "image/png", 2, 2.0],
    ["a" * 64, "b" * 64, "image/png", True, 2], ["a" * 64, "b" * 64, "image/png", 2, 1 << 40],
])
def test_a_crafted_picture_record_makes_the_manifest_untrusted(record: object) -> None:
    good = {"schema": 2, "sources": {},
            "pictures": {"assets/lead.png": ["a" * 64, "b" * 64, "image/png", 2, 2]}}
    assert Manifest.from_json(good).pictures["assets/lead.png"][1].width == 2
    with pytest.raises(ManifestError):
        Manifest.from_json({**good, "pictures": {"assets/lead.png": record}})
    for name in ("../../etc/passwd", "/etc/passwd"):
        with pytest.raises(ManifestError):
            Manifest.from_json({**good, "pictures": {name: good["pictures"]["assets/lead.png"]}})
    with pytest.raises(ManifestError):
        Manifest.from_json({**good, "pictures": ["not", "a", "table"]})


def test_article_pages_follow_the_icon_between_usable_and_not(tmp_path: Path) -> None:
    """``[html] favicon`` apart from the logo: its bytes decide whether each page names it."""
    from lxml import html as lxml_html

    from tests.batch.sitegen import PNGS

    root = make_pages_site(tmp_path / "site")
    config = root / "pubkit.toml"
    config.write_text(config.read_text() + '\n[html]\nfavicon = "assets/icon.png"\n')
    icon = root / "assets" / "icon.png"
    out = root / "output" / "html"

    def named() -> set[bool]:
        return {lxml_html.parse(str(p)).xpath("//link[@rel='icon']/@href") == ["favicon.png"]
                for p in out.glob("article-*.html")}

    icon.write_bytes(PNGS[0])
    build(root, formats=["html"])
    assert named() == {True} and (out / "favicon.png").is_file()
    icon.write_bytes(b"GIF89a but not really")
    summary = build(root, formats=["html"])
    assert {r.status for r in summary.records if r.format == "html"} == {"built"}
    assert named() == {False}
    icon.write_bytes(PNGS[1])
    build(root, formats=["html"])
    assert named() == {True} and (out / "favicon.png").is_file()
