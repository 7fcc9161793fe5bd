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
    return [(r.path, [str(d) for d in r.diagnostics], json.dumps(r.report)) for r in results], kept(site)


def kept(site: Site) -> int:
    """Entries in the shards."""
    folder = site.root / PRIVATE_DIR / FOLDER
    shards = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return sum(len(json.loads(p.read_text())["entries"]) for p in shards)


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


def _spoil_entries(change: dict[str, Any]) -> Callable[[Any], None]:
    def spoil(path: Any) -> None:
        data = json.loads(path.read_text())
        data["entries"] = {s: {**e, **change} for s, e in data["entries"].items()}
        path.write_text(json.dumps(data))
    return spoil


def _spoil_shard(change: dict[str, Any]) -> Callable[[Any], None]:
    def spoil(path: Any) -> None:
        path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    return spoil


def test_hostile_entries_are_ignored(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": A, "content/b.md": B})
    want, _ = run(site)
    folder = site.root / PRIVATE_DIR / FOLDER
    names = sorted(folder.glob("*.json"))
    assert names
    bad: list[Callable[[Any], None]] = [
        lambda p: p.write_text("{not json"),
        lambda p: p.write_bytes(b" " * (65 * 1024 * 1024)),  # above the shard limit
        lambda p: p.write_text("[" * 100_000 + "]" * 100_000),  # too deep for the decoder
        _spoil_shard({"entries": []}),
        _spoil_shard({"entries": {"content/a.md": "x", "content/b.md": 3}}),
        _spoil_shard({"common": "0" * 64}),  # made for other settings or code
        _spoil_shard({"schema": 1}),
        _spoil_entries({"diagnostics": [[1, 2, 3, 4]]}),
        _spoil_entries({"diagnostics": [["content/a.md", -1, "m", "warning"]]}),
        _spoil_entries({"diagnostics": [["content/a.md", 1, "m", "fatal"]]}),
        _spoil_entries({"looked_up": "x"}),
        _spoil_entries({"looked_up": ["x"] * 10_001}),
        _spoil_entries({"report": {"path": 3}}),
        _spoil_entries({"report": None}),
        _spoil_entries({"hash": "0" * 64}),
        _spoil_entries({"view": None}),
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


def test_a_partial_check_keeps_the_other_results(make_site: Callable[..., Site]) -> None:
    """Checking one article rewrites its shard with the others' entries kept; a deleted article's
    entry goes when its shard is next written."""
    files = {f"content/a{i}.md": A.replace("slug: a", f"slug: a{i}") for i in range(40)}
    site = make_site({**files, "content/b.md": B})
    _, count = run(site)
    assert count == 41
    site = open_site(site.root)
    one = discover_articles([site.root / "content/a1.md"], site)
    check_files(site, one, CheckOptions(DAY, False, True), {}, jobs=1, cache=True)
    assert kept(site) == 41
    for i in range(40):
        (site.root / f"content/a{i}.md").unlink()
    again, _ = run(site)
    assert [r[0] for r in again] == ["content/b.md"]
    assert kept(site) == 1  # every shard read again is written without the deleted articles


def test_entries_made_by_workers_read_back_as_the_check_said(make_site: Callable[..., Site]) -> None:
    """With worker processes each worker makes the entries of what it checked; a later command,
    with or without workers, reads them back as exactly what a fresh check says."""
    from pubkit.cli.check import PARALLEL_MIN

    files = {f"content/a{i:02d}.md": A.replace("slug: a", f"slug: a{i}") + f"\nSee [b](b.md#part) {i}.\n"
             for i in range(PARALLEL_MIN)}
    site = make_site({**files, "content/b.md": B, "content/c.md": "---\ntitle: C\nlang: es\n---\nHola.\n"})

    def check(jobs: int, cache: bool) -> list[Any]:
        fresh_site = open_site(site.root)
        results, _ = check_files(fresh_site, discover_articles([], fresh_site),
                                 CheckOptions(DAY, False, True), {}, jobs=jobs, cache=cache)
        return [(r.path, [str(d) for d in r.diagnostics], json.dumps(r.report)) for r in results]

    want = check(1, False)
    assert check(2, True) == want
    assert kept(site) == PARALLEL_MIN + 2
    assert check(2, True) == want == check(1, True)  # hits, read back by workers' and this process's
