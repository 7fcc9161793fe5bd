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
