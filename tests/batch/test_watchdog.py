"""A render stuck where its time limit cannot interrupt it fails alone; the build goes on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.batch.conftest import article_pages, run_cli
from tests.batch.sitegen import REPO


@pytest.mark.slow
def test_a_render_stuck_in_c_code_fails_alone(gen_site: Callable[..., Path]) -> None:
    # 3 s: every other page renders in time even on a busy machine.
    root = gen_site(8, toml="render_timeout = 3.0\n")
    (root / "content/stuck.md").write_text("---\ntitle: Stuck\n---\nText.\n")
    # sum() over a huge range runs in C: SIGALRM's handler cannot run until it returns.
    page = root / "templates/html/page.html.j2"
    page.parent.mkdir(parents=True)
    page.write_text("{% if meta.title == 'Stuck' %}{{ range(10**12) | sum }}{% endif %}"
                    + (REPO / "templates/html/page.html.j2").read_text(encoding="utf-8"))
    result = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "2", "--json",
                     timeout=180)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["errors"] == [
        "content/stuck.md: render did not finish within 16 s; its worker process was stopped"]
    assert summary["built"] == 8
    assert sorted(p.stem for p in article_pages(root / "output/html")) == [
        *(f"article-{i:04d}" for i in range(7)), "sample"]
