"""``pubkit review``, ``pubkit review approve`` and the review record in ``pubkit check``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pubkit.site import Site

TOML = """
[reviewers]
peck = { name = "Jane Peck", credentials = "MD" }
"""
ARTICLE = """\
---
title: Knee Pain
# keep this comment
tags: [knee]
---

Ice the knee for twenty minutes.

## When to call us

Call us if the knee swells.

## Exercises

Walk a little every day.
"""


def run(*args: str, cwd: Path, today: str = "2025-02-01") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUBKIT_TODAY": today, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def approved_site(make_site: Callable[..., Site]) -> Site:
    site = make_site({"content/knee.md": ARTICLE, "content/draft.md":
                      "---\ntitle: Draft\nstatus: draft\n---\nNot yet.\n"}, toml=TOML)
    done = run("review", "approve", "content/knee.md", "--by", "peck", "--on", "2025-01-15",
               cwd=site.root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("approved content/knee.md: reviewed by Jane Peck, MD on "
                                   "2025-01-15, 3 sections stamped; next review 2026-01-15")
    return site


def test_approve_then_edit_then_check_says_what_changed(make_site: Callable[..., Site]) -> None:
    site = approved_site(make_site)
    path = site.content_dir / "knee.md"
    text = path.read_text()
    assert "# keep this comment\n" in text and "reviewed_by: peck\n" in text
    quiet = run("check", "content/knee.md", cwd=site.root)
    assert "changed since" not in quiet.stderr and "overdue" not in quiet.stderr
    path.write_text(text.replace("if the knee swells", "if the knee swells or turns red"))
    found = run("check", "content/knee.md", cwd=site.root)
    line = text.split("\n").index("## When to call us") + 1
    assert (f"content/knee.md:{line}: warning: changed since Jane Peck, MD reviewed it on 2025-01-15\n"
            f"  content/knee.md:{line}: section 'When to call us' changed\n") in found.stderr
    assert "section 'Exercises'" not in found.stderr
    assert found.returncode == 0  # a warning; --strict or [review] strict makes it fail
    assert run("check", "--strict", "content/knee.md", cwd=site.root).returncode == 1
    # Re-wrapping a paragraph is no change a reader could see.
    path.write_text(text.replace("Ice the knee for twenty minutes.", "Ice the knee\nfor twenty minutes."))
    assert "changed since" not in run("check", "content/knee.md", cwd=site.root).stderr


def test_review_lists_and_exits_non_zero_when_changed_or_overdue(make_site: Callable[..., Site]) -> None:
    site = approved_site(make_site)
    ok = run("review", "--json", cwd=site.root)
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["today"] == "2025-02-01" and data["attention"] == 0
    rows = {r["path"]: r for r in data["articles"]}
    assert rows["content/knee.md"] | {"changed_sections": []} == {
        "path": "content/knee.md", "title": "Knee Pain", "language": "en", "status": "approved",
        "reviewer": "Jane Peck, MD", "reviewer_key": "peck", "reviewed_on": "2025-01-15",
        "next_review": "2026-01-15", "overdue": False, "stamped": True, "changed": False,
        "changed_sections": [], "translation_older_than": None}
    assert rows["content/draft.md"]["status"] == "draft"
    # The day the review falls due is still fine; the day after is overdue.
    assert run("review", cwd=site.root, today="2026-01-15").returncode == 0
    late = run("review", "--json", cwd=site.root, today="2026-01-16")
    assert late.returncode == 1
    assert [r["overdue"] for r in json.loads(late.stdout)["articles"]] == [False, True]
    path = site.content_dir / "knee.md"
    path.write_text(path.read_text().replace("Walk a little", "Run"))
    changed = run("review", "--json", cwd=site.root)
    assert changed.returncode == 1
    row = json.loads(changed.stdout)["articles"][1]
    assert row["changed"] is True
    assert [s["title"] for s in row["changed_sections"]] == ["Exercises"]
    table = run("review", cwd=site.root)
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["article", "status", "reviewer", "reviewed", "next", "review",
                                "changed", "overdue"]
    assert "Jane Peck, MD" in lines[2] and "yes: Exercises" in lines[2]
    assert lines[-1] == "2 articles, 1 need attention (as of 2025-02-01)"


def test_approving_again_moves_the_dates(make_site: Callable[..., Site]) -> None:
    site = approved_site(make_site)
    again = run("review", "approve", "content/knee.md", "--by", "peck", "--on", "2026-03-01",
                "--next-review", "2026-09-01", cwd=site.root, today="2026-03-02")
    assert again.returncode == 0, again.stderr
    row = json.loads(run("review", "--json", cwd=site.root, today="2026-03-02").stdout)["articles"][1]
    assert (row["reviewed_on"], row["next_review"], row["overdue"]) == ("2026-03-01", "2026-09-01", False)
    assert (site.content_dir / "knee.md").read_text().count("reviewed_on:") == 1


def test_usage_errors(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/knee.md": ARTICLE}, toml=TOML)
    unknown = run("review", "approve", "content/knee.md", "--by", "nobody", cwd=site.root)
    assert unknown.returncode == 2 and "not a key of [reviewers]" in unknown.stderr
    assert "known: peck" in unknown.stderr
    bad_day = run("review", "approve", "content/knee.md", "--by", "peck", "--on", "2025-13-01",
                  cwd=site.root)
    assert bad_day.returncode == 2 and "--on: '2025-13-01' is not a date" in bad_day.stderr
    assert run("review", cwd=site.root, today="soon").returncode == 2
    missing = run("review", "approve", "content/nope.md", "--by", "peck", cwd=site.root)
    assert missing.returncode == 2
    assert (site.content_dir / "knee.md").read_text() == ARTICLE  # nothing written


def test_check_hints_about_the_record(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/typo.md": "---\ntitle: T\nreviewed_by: pek\nreviewed_on: 2025-01-01\n---\nText.\n",
        "content/future.md": "---\ntitle: F\nstatus: approved\n---\nText.\n",
    }, toml=TOML)
    err = run("check", cwd=site.root).stderr
    assert "content/typo.md: warning: reviewed_by 'pek' is not a key of [reviewers]; " \
           "did you mean 'peck'?" in err
    assert "content/typo.md: warning: reviewed_on 2025-01-01 has no review stamp" in err
    assert "content/future.md: warning: status is approved but reviewed_on is missing" in err


def test_review_lists_a_translation_older_than_its_original(sample_site: Site) -> None:
    original = sample_site.root / "content/ketamine-pain-management.md"
    original.write_text(original.read_text().replace("Pain, whether acute", "Pain, whether sudden"))
    done = run("review", "--json", cwd=sample_site.root)
    rows = {r["path"]: r for r in json.loads(done.stdout)["articles"]}
    assert rows["content/ketamina-manejo-del-dolor.md"]["translation_older_than"] == \
        "content/ketamine-pain-management.md"
    assert done.returncode == 1
    table = run("review", cwd=sample_site.root)
    assert ("content/ketamina-manejo-del-dolor.md: es translation is older than its original, "
            "content/ketamine-pain-management.md") in table.stdout
