"""``pubkit build`` on the command line: output forms and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.site import Site
from tests.batch.conftest import run_cli

ARTICLE = "---\ntitle: One\n---\nSome text.\n"


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site({"content/one.md": ARTICLE, "content/two.md": ARTICLE.replace("One", "Two"),
                      "content/bad.md": "---\ntitle: [\n---\n"})


def test_json_lines_one_object_per_job_and_a_summary(site: Site) -> None:
    result = run_cli("build", "--site", str(site.root), "-f", "html", "--json")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    jobs, summary = lines[:-1], lines[-1]
    assert sorted((j["source"], j["status"]) for j in jobs) == [
        ("content/bad.md", "failed"), ("content/one.md", "built"), ("content/two.md", "built")]
    assert all(j["format"] == "html" and j["seconds"] >= 0 for j in jobs)
    assert summary["summary"] is True
    assert (summary["built"], summary["failed"], summary["skipped"]) == (2, 1, 0)
    assert summary["errors"] == [j["error"] for j in jobs if j["status"] == "failed"]
    assert summary["errors"][0].startswith("content/bad.md:3: invalid front matter")


def test_plain_log_when_not_a_terminal(site: Site) -> None:
    (site.root / "content/bad.md").unlink()
    first = run_cli("build", "--site", str(site.root), "-f", "html")
    assert first.returncode == 0, first.stderr
    assert "built html content/one.md (" in first.stdout
    assert first.stdout.rstrip().splitlines()[-1].startswith("2 built, 0 up to date, 0 failed")
    again = run_cli("build", "--site", str(site.root), "-f", "html")
    assert again.stdout.startswith("0 built, 2 up to date")
    forced = run_cli("build", "--site", str(site.root), "-f", "html", "--force", "--json")
    assert json.loads(forced.stdout.splitlines()[-1])["built"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "cloud"], "--executor must be local or dask"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --executor dask"),
        (["-f", "braille"], "unknown format 'braille'"),
        # Typer words the range itself, differently from one release to the next.
        (["--jobs", "-1"], "Invalid value for '--jobs' / '-j'"),
    ],
)
def test_usage_errors_exit_2(site: Site, args: list[str], message: str) -> None:
    result = run_cli("build", "--site", str(site.root), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (site.root / "output" / "html").exists()


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    (tmp_path / "pubkit.toml").write_text("[build]\njobz = 2\n")
    result = run_cli("build", "--site", str(tmp_path))
    assert result.returncode == 2
    assert "unknown setting 'build.jobz'; did you mean 'jobs'?" in result.stderr


def test_unreachable_scheduler_exits_2(site: Site) -> None:
    result = run_cli("build", "--site", str(site.root), "-f", "html", "--executor", "dask",
                     "--scheduler", "tcp://127.0.0.1:9",
                     env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in result.stderr


def test_progress_bar_on_a_terminal(site: Site) -> None:
    import os
    import pty
    import subprocess
    import sys

    (site.root / "content/bad.md").unlink()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pubkit", "build", "--site", str(site.root), "-f", "html"],
        stdout=subprocess.PIPE, stderr=slave, text=True,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"},
    )
    os.close(slave)
    stdout, _ = proc.communicate(timeout=120)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert proc.returncode == 0
    text = screen.decode("utf-8", "replace")
    assert "html" in text and "2/2" in text and "━" in text, text
    assert stdout.strip().startswith("2 built, 0 up to date")
    assert "built html content/one.md" not in stdout  # the bar replaces per-job lines


def test_missing_content_folder_is_an_error_not_a_mass_removal(site: Site) -> None:
    (site.root / "content/bad.md").unlink()
    assert run_cli("build", "--site", str(site.root), "-f", "html").returncode == 0
    (site.root / "content").rename(site.root / "elsewhere")
    result = run_cli("build", "--site", str(site.root), "-f", "html")
    assert result.returncode == 2
    assert "content folder" in result.stderr and "does not exist" in result.stderr
    assert (site.root / "output/html/one.html").is_file()
