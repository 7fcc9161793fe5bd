"""A failing article fails alone, as path:line: message, in the summary and the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.batch.conftest import article_pages, build, built, run_cli
from tests.batch.sitegen import REPO

BAD_FRONT_MATTER = "---\ntitle: Broken\ntags: [unclosed\n---\nBody.\n"


def test_bad_front_matter_renderer_error_and_timeout_fail_alone(
    gen_site: Callable[..., Path],
) -> None:
    # 3 s: the pages that should build do so in time even on a busy machine.
    root = gen_site(6, toml="render_timeout = 3.0\n")
    (root / "content/broken.md").write_text(BAD_FRONT_MATTER)
    (root / "content/raises.md").write_text("---\ntitle: Raises\n---\nText.\n")
    (root / "content/hangs.md").write_text("---\ntitle: Hangs\n---\nText.\n")
    # A site override of the page template that misbehaves for two articles only.
    page = root / "templates/html/page.html.j2"
    page.parent.mkdir(parents=True)
    page.write_text(
        "{% if meta.title == 'Raises' %}{{ no_such_value.attribute }}{% endif %}"
        "{% if meta.title == 'Hangs' %}{% for i in range(10**10) %}{% endfor %}{% endif %}"
        + (REPO / "templates/html/page.html.j2").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "2")
    assert result.returncode == 1, result.stderr
    errors = {line for line in result.stderr.splitlines() if line.startswith("  content/")}
    assert any(e.startswith("  content/broken.md:4: invalid front matter") for e in errors), result.stderr
    assert any(e.startswith("  content/raises.md: html: UndefinedError") for e in errors), errors
    assert "  content/hangs.md: html: render took longer than 3 s" in errors, errors
    out = root / "output/html"
    assert sorted(p.name for p in article_pages(out)) == [
        *(f"article-{i:04d}.html" for i in range(5)), "sample.html"]
    report = json.loads((root / "output/build-report.json").read_text())
    assert report["failed"] == 3 and report["built"] == 6
    failed = {j["source"]: j["error"] for j in report["jobs"] if j["status"] == "failed"}
    assert failed["content/broken.md"].startswith("content/broken.md:4: invalid front matter")
    assert sorted(failed) == ["content/broken.md", "content/hangs.md", "content/raises.md"]
    assert sorted(report["errors"]) == sorted(failed.values())
    # Fixed sources build next time; what built before is not redone.
    (root / "content/broken.md").write_text("---\ntitle: Mended\n---\nBody.\n")
    page.unlink()
    again = build(root, formats=["html"])
    assert built(again) >= {("content/broken.md", "html"), ("content/raises.md", "html"),
                            ("content/hangs.md", "html")}
    assert again.exit_code == 0


def test_a_failing_article_keeps_its_last_good_output(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    build(root, formats=["html"])
    good = (root / "output/html/article-0000.html").read_bytes()
    source = root / "content/article-0000.md"
    source.write_text(source.read_text().replace("title:", "title: [", 1))
    summary = build(root, formats=["html"])
    assert [r.source for r in summary.failures] == ["content/article-0000.md"]
    assert summary.failures[0].error.startswith("content/article-0000.md:")  # type: ignore[union-attr]
    assert (root / "output/html/article-0000.html").read_bytes() == good
    assert built(build(root, formats=["html"]), "failed") == {("content/article-0000.md", "html")}
