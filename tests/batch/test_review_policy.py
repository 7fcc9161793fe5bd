"""``pubkit build`` applies the publishing policy: drafts, overdue reviews, strict mode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pubkit.site import Site
from tests.batch.conftest import Collect, build, built

DRAFT = "---\ntitle: Draft\nstatus: draft\n---\nNot ready.\n"
OVERDUE = ("---\ntitle: Old\nreviewed_by: Dr. Peck\nreviewed_on: 2015-01-10\nstatus: approved\n---\n"
           "Reviewed long ago.\n")
CURRENT = "---\ntitle: Fresh\nreviewed_by: Dr. Peck\nreviewed_on: 2026-11-01\n---\nJust reviewed.\n"
TODAY = dt.date(2026, 12, 1)


def test_drafts_are_built_only_with_drafts_and_leave_when_it_is_dropped(
    make_site: Callable[..., Site],
) -> None:
    site = make_site({"content/draft.md": DRAFT, "content/fresh.md": CURRENT})
    first = build(site, formats=["html"], today=TODAY)
    assert built(first) == {("content/fresh.md", "html")}
    assert not (site.output_dir / "html/draft.html").exists()
    with_drafts = build(site, formats=["html"], today=TODAY, drafts=True)
    assert built(with_drafts) == {("content/draft.md", "html")}
    assert b"DRAFT" in (site.output_dir / "html/draft.html").read_bytes()
    again = build(site, formats=["html"], today=TODAY)  # without --drafts: the draft goes away
    assert ("content/draft.md", "html") in built(again, "removed")
    assert not (site.output_dir / "html/draft.html").exists()
    assert (site.output_dir / "html/fresh.html").is_file()


def test_an_overdue_article_is_built_with_a_warning_each_time(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/old.md": OVERDUE})
    first = build(site, formats=["html"], today=TODAY)
    assert built(first) == {("content/old.md", "html")}
    assert any("review overdue since 2016-01-10" in w for r in first.records for w in r.warnings)
    collect = Collect()
    again = build(site, collect, formats=["html"], today=TODAY)  # nothing to render, still said
    assert built(again) == set()
    assert collect.notes == ["content/old.md: warning: review overdue since 2016-01-10"]
    earlier = build(site, Collect(), formats=["html"], today=dt.date(2015, 6, 1))
    assert earlier.notes == []


def test_strict_review_refuses_an_overdue_article_and_keeps_its_last_output(
    make_site: Callable[..., Site],
) -> None:
    site = make_site({"content/old.md": OVERDUE})
    assert built(build(site, formats=["html"], today=dt.date(2015, 6, 1)))  # on time then
    (site.root / "pubkit.toml").write_text(
        (site.root / "pubkit.toml").read_text() + "\n[review]\nstrict = true\n")
    from pubkit.site import open_site

    strict = build(open_site(site.root), formats=["html"], today=TODAY)
    assert [r.error for r in strict.failures] == [
        "content/old.md: review overdue since 2016-01-10"]
    assert strict.exit_code == 1
    assert (site.output_dir / "html/old.html").is_file()  # the last good output stays
