"""Newsletter issues in newsletters/ are built with the email format."""

from __future__ import annotations

from pubkit.site import Site
from tests.batch.conftest import build, built

ISSUE = "newsletters/sample.md"


def test_newsletters_build_follow_their_articles_and_go_away(sample_site: Site) -> None:
    assert (sample_site.root / ISSUE).is_file()
    first = build(sample_site.root, formats=["html", "email"])
    assert (ISSUE, "newsletter") in built(first)
    folder = sample_site.output_dir / "newsletters" / "sample"
    assert sorted(p.name for p in folder.iterdir()) == [
        "newsletter.eml", "newsletter.html", "newsletter.txt"]
    assert built(build(sample_site.root, formats=["html", "email"])) == set()
    # Only the email format brings newsletters along.
    html_only = build(sample_site.root, formats=["html"])
    assert all(r.format != "newsletter" for r in html_only.records)
    assert sorted(p.name for p in folder.iterdir()) == [
        "newsletter.eml", "newsletter.html", "newsletter.txt"]
    assert built(build(sample_site.root, formats=["html", "email"])) == set()
    article = next(sample_site.content_dir.glob("*.md"))
    article.write_text(article.read_text() + "\nOne more line.\n")
    again = build(sample_site.root, formats=["html", "email"])
    assert (ISSUE, "newsletter") in built(again)
    (sample_site.root / ISSUE).unlink()
    build(sample_site.root, formats=["html", "email"])
    assert not folder.exists()


VERSION = "newsletters/sample.es.md"


def test_a_language_version_is_built_under_its_own_name_and_follows_its_base(
        sample_site: Site) -> None:
    first = build(sample_site.root, formats=["newsletter"])
    assert {(ISSUE, "newsletter"), (VERSION, "newsletter")} <= built(first)
    spanish = sample_site.output_dir / "newsletters" / "es" / "sample"
    assert sorted(p.name for p in spanish.iterdir()) == [
        "newsletter.eml", "newsletter.html", "newsletter.txt"]
    assert (sample_site.output_dir / "html" / "newsletters" / "es" / "sample.html").is_file()
    assert b"Content-Language: es" in (spanish / "newsletter.eml").read_bytes()
    # Editing the version rebuilds it alone; editing the base rebuilds the version too.
    version = sample_site.root / VERSION
    version.write_text(version.read_text(encoding="utf-8") + "\nUna línea más.\n",
                       encoding="utf-8")
    assert built(build(sample_site.root, formats=["newsletter"])) == {(VERSION, "newsletter")}
    assert "Una línea más." in (spanish / "newsletter.txt").read_text(encoding="utf-8")
    base = sample_site.root / ISSUE
    base.write_text(base.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert built(build(sample_site.root, formats=["newsletter"])) == {
        (ISSUE, "newsletter"), (VERSION, "newsletter")}
    assert built(build(sample_site.root, formats=["newsletter"])) == set()
    version.unlink()
    build(sample_site.root, formats=["newsletter"])
    assert not spanish.exists()
    assert (sample_site.output_dir / "newsletters" / "sample" / "newsletter.eml").is_file()
