"""Fixtures for build tests: generated sites, in-process builds, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit import formats
from pubkit.batch.jobs import Plan
from pubkit.batch.report import BuildSummary, JobRecord
from pubkit.batch.runner import BuildOptions, build_site
from pubkit.site import Site, open_site
from tests.batch.sitegen import generate_site

FAST = ["html", "docx"]
"""Formats quick enough for tests that build many times."""
ALL = formats.article_formats()


class Collect:
    """A listener that keeps what it is told."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.jobs: list[JobRecord] = []

    def start(self, plan: Plan) -> None:
        pass

    def note(self, message: str) -> None:
        self.notes.append(message)

    def job(self, record: JobRecord) -> None:
        self.jobs.append(record)

    def finish(self, summary: BuildSummary) -> None:
        pass


def build(site: Site | Path, listener: Collect | None = None, **options: object) -> BuildSummary:
    """Build ``site`` in this process (inline unless ``jobs`` says otherwise)."""
    if isinstance(site, Path):
        site = open_site(site)
    options.setdefault("jobs", 1)
    return build_site(site, BuildOptions(**options), listener or Collect())  # type: ignore[arg-type]


def built(summary: BuildSummary, status: str = "built") -> set[tuple[str, str]]:
    return {(r.source, r.format) for r in summary.records if r.status == status}


def run_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pubkit", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def output_tree(out_dir: Path) -> dict[str, bytes]:
    """Every output file (not the manifest, report or lock) -> bytes."""
    skip = {".pubkit-manifest.json", ".pubkit-build.lock", "build-report.json", ".pubkit-index.json"}
    return {
        p.relative_to(out_dir).as_posix(): p.read_bytes()
        for p in sorted(out_dir.rglob("*")) if p.is_file() and p.name not in skip
    }


@pytest.fixture
def gen_site(tmp_path: Path) -> Callable[..., Path]:
    def make(count: int = 5, toml: str = "", name: str = "site", lead_images: bool = False) -> Path:
        return generate_site(tmp_path / name, count, toml, lead_images)

    return make


def article_pages(folder: Path) -> list[Path]:
    """The article pages of a web folder: every ``*.html`` but the site's own (home, A-Z, 404)."""
    from pubkit.site.outputs import SITE_PAGE_SLUGS

    return sorted(p for p in folder.glob("*.html") if p.stem not in SITE_PAGE_SLUGS)
