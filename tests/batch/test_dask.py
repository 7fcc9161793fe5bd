"""The Dask executor against a real LocalCluster of worker processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest

from tests.batch.conftest import FAST, article_pages, build, output_tree, run_cli
from tests.batch.sitegen import generate_site


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.mark.slow
def test_dask_build_equals_local_build(tmp_path: Path, scheduler: str) -> None:
    local = generate_site(tmp_path / "local", 12)
    remote = generate_site(tmp_path / "remote", 12)
    build(local, formats=FAST, jobs=2)
    formats = [a for f in FAST for a in ("-f", f)]
    result = run_cli("build", "--site", str(remote), "--executor", "dask", "--scheduler",
                     scheduler, "--json", *formats)
    assert result.returncode == 0, result.stderr
    assert output_tree(remote / "output") == output_tree(local / "output")
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["executor"] == "dask"
    assert summary["built"] == 12 * len(FAST)
    # Two worker processes rendered, neither of them this one nor the CLI's.
    assert len(summary["workers"]) == 2

    # The same cluster serves incremental rebuilds; its workers pick up template edits.
    css = remote / "templates/html/style.css"
    css.parent.mkdir(parents=True)
    css.write_text("main { color: #654321; }\n")
    again = run_cli("build", "--site", str(remote), "--executor", "dask", "--scheduler",
                    scheduler, "--json", *formats)
    summary = json.loads(again.stdout.splitlines()[-1])
    assert (summary["built"], summary["skipped"]) == (12, 12 * (len(FAST) - 1))
    assert b"#654321" in (remote / "output/html/article-0003.html").read_bytes()


@pytest.mark.slow
def test_dask_reports_a_failing_article_alone(tmp_path: Path, scheduler: str) -> None:
    root = generate_site(tmp_path / "site", 3)
    (root / "content/bad.md").write_text("---\ntitle: x\ndate: not-a-date\n---\n")
    result = run_cli("build", "--site", str(root), "--executor", "dask", "--scheduler",
                     scheduler, "-f", "html")
    assert result.returncode == 1
    assert "content/bad.md:3: " in result.stderr
    assert sorted(p.name for p in article_pages(root / "output/html")) == [
        "article-0000.html", "article-0001.html", "sample.html"]
