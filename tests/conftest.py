"""Shared fixtures: throw-away sites, the sample site, render contexts."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from pubkit.diagnostics import Diagnostic
from pubkit.renderers.base import RenderContext
from pubkit.site import Site, open_site
from pubkit.source.reader import read_article
from tests.tools.browser import browser

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-12-01"
"""The day the suite is run on, as far as review dates go (commands read PUBKIT_TODAY), so
that an article reviewed recently does not fall overdue for the tests a year from now."""
os.environ.setdefault("PUBKIT_TODAY", TODAY)
SAMPLE = REPO / "content" / "ketamine-pain-management.md"


NO_SKIPS = "no test may skip: a missing tool must fail by name (see tests/tools/)"


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return f"xfail {report.wasxfail}".strip()
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A test that skips, or is expected to fail, fails: a skip reports success for a check never made."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped:
        report.longrepr = f"{item.nodeid}: skipped ({_skip_reason(report)}); {NO_SKIPS}"
        report.outcome = "failed"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """A module that skips itself while being collected (``importorskip``) fails the collection."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.skipped:
        report.longrepr = f"{collector.nodeid}: skipped ({_skip_reason(report)}); {NO_SKIPS}"
        report.outcome = "failed"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    """Build a site in a temporary folder: ``make_site({"content/a.md": "..."}, toml="...")``."""

    def build(files: dict[str, str | bytes] | None = None, toml: str = "") -> Site:
        root = tmp_path / "site"
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "pubkit.toml").write_text(
            'site_name = "Test Clinic"\n' + textwrap.dedent(toml), encoding="utf-8"
        )
        for name, data in (files or {}).items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                target.write_bytes(data)
            else:
                target.write_text(textwrap.dedent(data), encoding="utf-8")
        return open_site(root)

    return build


@pytest.fixture
def sample_site(tmp_path: Path) -> Site:
    """A copy of the repository's own site (config, content, templates)."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copy(REPO / "pubkit.toml", root / "pubkit.toml")
    shutil.copytree(REPO / "content", root / "content")
    for extra in ("newsletters", "assets"):
        if (REPO / extra).is_dir():
            shutil.copytree(REPO / extra, root / extra)
    return open_site(root)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for a whole test module (it takes a second or two to start)."""
    with browser() as b:
        yield b


@pytest.fixture
def ctx_for() -> Callable[..., RenderContext]:
    def build(site: Site, allow_remote: bool | None = None) -> RenderContext:
        return RenderContext.for_site(site, allow_remote=allow_remote)

    return build


@pytest.fixture
def sample_article(sample_site: Site):  # type: ignore[no-untyped-def]
    return read_article(sample_site.content_dir / SAMPLE.name, sample_site.root)


def render_files(site: Site, paths: list[Path], formats: list[str],
                 ctx: RenderContext | None = None) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Render ``paths`` as ``pubkit render`` does: every file by its path in the output folder."""
    from pubkit import formats as registry
    from pubkit.pipeline import render_path
    from pubkit.site.outputs import files_of

    ctx = ctx or RenderContext.for_site(site)
    files: dict[str, bytes] = {}
    warnings: list[Diagnostic] = []
    for path in paths:
        for result in render_path(path, formats, ctx):
            assert result.output is not None and result.name, result.error
            files.update(files_of(registry.get(result.format), result.name, result.output))
            warnings += result.warnings
    return files, warnings
