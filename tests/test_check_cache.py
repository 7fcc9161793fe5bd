"""Kept results of ``pubkit check``: a hit says exactly what a miss says, and goes stale when it should."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any

from pubkit.article_check import CheckOptions
from pubkit.check_cache import FOLDER
from pubkit.cli.check import check_files
from pubkit.site import PRIVATE_DIR, Site, discover_articles, open_site

DAY = dt.date(2026, 12, 1)
A = "---\ntitle: A\nslug: a\nreviewed_on: 2026-01-01\nnext_review: 2026-12-05\n---\n" \
    "Use [b](b.md#part) and ![](pic.png). We utilize it.\n"
B = "---\ntitle: B\nslug: b\n---\n## Part\n\nText.\n"


def run(site: Site, day: dt.date = DAY, figures: bool = True,
        words: dict[str, dict[str, str]] | None = None) -> tuple[list[Any], int]:
    site = open_site(site.root)
    results, _ = check_files(site, discover_articles([], site), CheckOptions(day, False, figures),
                             words or {}, jobs=1, cache=True)
    entries = site.root / PRIVATE_DIR / FOLDER
    count = len(list(entries.glob("*.json"))) if entries.is_dir() else 0
    return [(r.path, [str(d) for d in r.diagnostics], json.dumps(r.report)) for r in results], count


def fresh(site: Site, day: dt.date = DAY, words: dict[str, dict[str, str]] | None = None) -> list[Any]:
    site = open_site(site.root)
    results, _ = check_files(site, discover_articles([], site), CheckOptions(day, False, True),
                             words or {}, jobs=1)
    return [(r.path, [str(d) for d in r.diagnostics], json.dumps(r.report)) for r in results]


def test_a_hit_says_what_a_miss_says(sample_site: Site) -> None:
    miss, count = run(sample_site)
    assert count == len(miss) > 0
    hit, _ = run(sample_site)
    assert hit == miss == fresh(sample_site)


def test_hits_go_stale_with_what_the_check_read(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": A, "content/b.md": B})
    first, _ = run(site)
    assert any("pic.png" in m and "does not exist" in m for m in first[0][1])
    (site.root / "content/pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # the picture now exists
    assert run(site)[0] == fresh(site) != first
    (site.root / "content/b.md").write_text(B.replace("## Part", "## Other"))  # its anchor goes
    assert run(site)[0] == fresh(site)
    assert any("has no heading 'part'" in m for m in run(site)[0][0][1])
    (site.root / "content/b.md").write_text(B.replace("slug: b", "slug: a"))  # claims a's slug
    assert run(site)[0] == fresh(site)
    later = dt.date(2026, 12, 10)  # the review falls due
    assert run(site, later)[0] == fresh(site, later) != run(site)[0]
    words = {"en": {"text": "words"}}
    assert run(site, words=words)[0] == fresh(site, words=words)
    (site.root / "pubkit.toml").write_text('site_name = "X"\n[check]\nreading_grade = 3\n')
    assert run(site)[0] == fresh(site)
    (site.root / "content/a.md").write_text(A + "\n[gone](gone.md)\n")
    assert any("gone.md" in m for m in run(site)[0][0][1])


def test_hostile_entries_are_ignored(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": A, "content/b.md": B})
    want, _ = run(site)
    folder = site.root / PRIVATE_DIR / FOLDER
    names = sorted(folder.glob("*.json"))
    bad: list[Callable[[Any], None]] = [
        lambda p: p.write_text("{not json"),
        lambda p: p.write_bytes(b" " * (9 * 1024 * 1024)),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "diagnostics": [[1, 2, 3, 4]]})),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "looked_up": "x"})),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "report": {"path": 3}})),
    ]
    for spoil in bad:
        run(site)
        for name in names:
            spoil(name)
        assert run(site)[0] == want
    for name in names:
        os.unlink(name)
        os.mkfifo(name)  # never opened (a FIFO would hang the read)
    assert run(site)[0] == want
    assert all(n.is_file() and not n.is_symlink() for n in names)  # replaced by entries
    outside = site.root.parent / "elsewhere.json"
    outside.write_text("{}")
    for name in names:
        os.unlink(name)
        name.symlink_to(outside)
    assert run(site)[0] == want
    assert outside.read_text() == "{}"  # written beside the link, never through it
