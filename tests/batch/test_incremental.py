"""Incremental builds: only what changed is rendered; gone articles' outputs are removed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit import formats
from pubkit.batch.manifest import MANIFEST_NAME
from tests.batch.conftest import ALL, FAST, Collect, build, built, output_tree

A0 = "content/article-0000.md"
A1 = "content/article-0001.md"
COPY = re.compile(r"-\d+w\.[0-9a-f]{12}\.(webp|png|jpg)$")
"""The name of a web page's copy of a picture (see pubkit.site.outputs.variant_path)."""


def test_second_build_skips_everything_and_rewrites_nothing(gen_site: Callable[..., Path]) -> None:
    root = gen_site(4)
    first = build(root, formats=FAST)
    assert len(built(first)) == 4 * len(FAST)
    stamps = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*.*") if p.is_file()}
    second = build(root, formats=FAST)
    assert built(second) == set()
    assert len(built(second, "skipped")) == 4 * len(FAST)
    for p, stamp in stamps.items():
        if p.name not in (MANIFEST_NAME, "build-report.json", ".pubkit-build.lock"):
            assert p.stat().st_mtime_ns == stamp, p


def test_editing_one_article_rebuilds_exactly_its_outputs(gen_site: Callable[..., Path]) -> None:
    root = gen_site(4)
    build(root, formats=FAST)
    path = root / A1
    path.write_text(path.read_text().replace("Rest and ice", "Rest, ice and elevation"))
    again = build(root, formats=FAST)
    assert built(again) == {(A1, f) for f in FAST}
    assert b"elevation" in (root / "output/html/article-0001.html").read_bytes()


def test_template_edit_rebuilds_only_the_formats_using_it(gen_site: Callable[..., Path]) -> None:
    root = gen_site(3)
    formats = ALL
    build(root, formats=formats)
    override = root / "templates/html/style.css"
    override.parent.mkdir(parents=True)
    override.write_text("body { color: #123456; }\n")
    again = build(root, formats=formats)
    assert built(again) == {(src, "html") for src, _ in built(again, "built") | built(again, "skipped")
                            if src.startswith("content/")}
    assert {f for _, f in built(again, "skipped")} == set(formats) - {"html"}
    assert b"#123456" in (root / "output/html/article-0000.html").read_bytes()
    override.unlink()  # back to the built-in stylesheet: rebuilt again
    assert {f for _, f in built(build(root, formats=formats))} == {"html"}


def test_image_edit_rebuilds_the_articles_using_it(gen_site: Callable[..., Path]) -> None:
    root = gen_site(5)  # articles 0, 2 use img0.png; 1, 3 use img1.png
    build(root, formats=["html"])
    png = root / "assets/img1.png"
    png.write_bytes(png.read_bytes() + b"\0")
    again = build(root, formats=["html"])
    assert built(again) == {(A1, "html"), ("content/article-0003.md", "html")}


def test_settings_edit_rebuilds_what_depends_on_it(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    build(root, formats=["html"])
    config = root / "pubkit.toml"
    config.write_text(config.read_text() + "\n[smtp]\nport = 2525\n")
    assert built(build(root, formats=["html"])) == set()  # mail server: not in a page
    config.write_text(config.read_text().replace('site_name = "Pain Care Clinic"',
                                                 'site_name = "Other Clinic"'))
    assert len(built(build(root, formats=["html"]))) == 2


def test_deleted_and_renamed_articles_lose_their_outputs(gen_site: Callable[..., Path]) -> None:
    root = gen_site(5)
    build(root, formats=FAST)
    media = sorted(p.name for p in (root / "output/html/assets").iterdir())
    # The shared pictures, published once each, with the web page's copies of them.
    assert [m for m in media if not COPY.search(m)] == ["img0.png", "img1.png"]
    assert len([m for m in media if COPY.search(m)]) == 4
    (root / A0).unlink()
    renamed = root / "content/renamed.md"
    (root / A1).rename(renamed)
    renamed.write_text(renamed.read_text().replace("slug: article-0001", "slug: renamed"))
    collect = Collect()
    again = build(root, collect, formats=FAST)
    out = root / "output"
    for fmt in FAST:
        suffix = formats.get(fmt).suffix
        assert not (out / fmt / f"article-0000{suffix}").exists()
        assert not (out / fmt / f"article-0001{suffix}").exists()
        assert (out / fmt / f"renamed{suffix}").is_file()
    assert built(again) == {("content/renamed.md", f) for f in FAST}
    assert {(r.source, r.status) for r in collect.jobs if r.status == "removed"} == {
        (A0, "removed"), (A1, "removed")}
    # Images still used by other articles stay.
    assert sorted(p.name for p in (out / "html/assets").iterdir()) == media


def test_slug_change_removes_the_old_output(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    build(root, formats=["html"])
    path = root / A0
    path.write_text(path.read_text().replace("slug: article-0000", "slug: new-name"))
    build(root, formats=["html"])
    assert (root / "output/html/new-name.html").is_file()
    assert not (root / "output/html/article-0000.html").exists()


def test_force_rebuilds_everything(gen_site: Callable[..., Path]) -> None:
    root = gen_site(3)
    build(root, formats=["html"])
    assert len(built(build(root, formats=["html"], force=True))) == 3


def test_deleted_output_is_rebuilt(gen_site: Callable[..., Path]) -> None:
    root = gen_site(3)
    build(root, formats=["html"])
    (root / "output/html/article-0001.html").unlink()
    assert built(build(root, formats=["html"])) == {(A1, "html")}


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong-shape", "missing"])
def test_corrupt_or_missing_manifest_means_a_full_rebuild(
    gen_site: Callable[..., Path], damage: str
) -> None:
    root = gen_site(3)
    build(root, formats=["html"])
    manifest = root / "output" / MANIFEST_NAME
    data = manifest.read_bytes()
    if damage == "garbage":
        manifest.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        manifest.write_bytes(data[: len(data) // 2])
    elif damage == "wrong-shape":
        manifest.write_text(json.dumps({"schema": 1, "sources": {"x": 1}, "formats": {}}))
    else:
        manifest.unlink()
    collect = Collect()
    again = build(root, collect, formats=["html"])
    assert len(built(again)) == 3
    assert any("rebuilding everything" in n for n in collect.notes), collect.notes
    assert built(build(root, formats=["html"])) == set()


def test_a_partial_format_build_does_not_hide_stale_outputs(gen_site: Callable[..., Path]) -> None:
    both = ["html", "docx"]  # two formats every installation has
    root = gen_site(2)
    build(root, formats=both)
    path = root / A0
    path.write_text(path.read_text().replace("Rest and ice", "Heat packs"))
    assert built(build(root, formats=["html"])) == {(A0, "html")}
    assert built(build(root, formats=both)) == {(A0, "docx")}


def test_two_articles_with_one_slug_fail_the_newcomer(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    build(root, formats=["html"])
    (root / "content/copy.md").write_text("---\ntitle: Copy\nslug: article-0000\n---\nText.\n")
    again = build(root, formats=["html"])
    assert [r.error for r in again.failures] == [
        "content/copy.md: slug 'article-0000' is already used by content/article-0000.md; "
        "give one of them another slug"]
    assert b"Copy" not in (root / "output/html/article-0000.html").read_bytes()
    assert again.exit_code == 1


def test_parallel_build_equals_serial_build(gen_site: Callable[..., Path]) -> None:
    serial = gen_site(12, name="serial")
    parallel = gen_site(12, name="parallel")
    build(serial, formats=FAST, jobs=1)
    summary = build(parallel, formats=FAST, jobs=2)
    assert summary.executor == "local"
    assert len({w for w in summary.workers}) == 2
    assert output_tree(serial / "output") == output_tree(parallel / "output")


def test_workers_are_recycled_after_their_task_quota(
    gen_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pubkit.batch.executors import LocalExecutor

    monkeypatch.setattr(LocalExecutor, "TASKS_PER_WORKER", 3)
    root = gen_site(12)
    summary = build(root, formats=["html"], jobs=2)
    assert summary.exit_code == 0
    # 12 articles, at most 3 per worker process: at least 4 distinct processes did the work.
    assert len(summary.workers) >= 4


def test_linked_articles_are_dependencies(gen_site: Callable[..., Path]) -> None:
    """Every generated article links to sample.md: its slug and headings are part of their pages."""
    root = gen_site(4)
    build(root, formats=["html"])
    sample = root / "content/sample.md"
    text = sample.read_text()
    # Body words that no link can see: only the sample itself is rebuilt.
    sample.write_text(text + "\nOne more sentence.\n")
    assert built(build(root, formats=["html"])) == {("content/sample.md", "html")}
    # A new slug changes every link to it: the linking pages are rebuilt and point at it.
    sample.write_text(text.replace("---\n", "---\nslug: ketamine-guide\n", 1))
    again = build(root, formats=["html"])
    assert built(again) == {(f"content/article-000{i}.md", "html") for i in range(3)} | {
        ("content/sample.md", "html")}
    assert b'href="ketamine-guide.html"' in (root / "output/html/article-0000.html").read_bytes()
    assert not (root / "output/html/sample.html").exists()


def test_a_link_to_a_missing_article_is_fixed_by_creating_it(gen_site: Callable[..., Path]) -> None:
    root = gen_site(2)
    page = root / "content/article-0000.md"
    page.write_text(page.read_text() + "\nSee [later](later.md#soon).\n")
    first = build(root, formats=["html"])
    assert any("later.md" in w and "does not exist" in w for r in first.records for w in r.warnings)
    (root / "content/later.md").write_text("---\ntitle: Later\nslug: written-later\n---\n## Soon\n")
    again = build(root, formats=["html"])
    assert (A0, "html") in built(again)
    assert b'href="written-later.html#sec-soon"' in (root / "output/html/article-0000.html").read_bytes()


def test_email_template_edit_rebuilds_newsletters(sample_site: object) -> None:
    from pubkit.site import Site

    assert isinstance(sample_site, Site)
    root = sample_site.root
    build(root, formats=["newsletter"])
    assert built(build(root, formats=["newsletter"])) == set()
    override = root / "templates/email/style.css.j2"
    override.parent.mkdir(parents=True)
    override.write_text((formats_templates() / "email/style.css.j2").read_text() + "\n/* edited */\n")
    again = build(root, formats=["newsletter"])
    # The sample issue and its Spanish version (newsletters/sample.es.md).
    assert built(again) == {("newsletters/sample.md", "newsletter"),
                            ("newsletters/sample.es.md", "newsletter")}


def formats_templates() -> Path:
    from pubkit.theme import builtin_templates

    return builtin_templates()
