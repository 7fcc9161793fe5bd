"""``pubkit serve`` in headless Chromium: index, links, live reload after an edit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.sitegen import generate_site
from tests.tools.browser import browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = generate_site(tmp_path / "site", 3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pubkit", "serve", "--site", str(root), "--port", "0",
         "-f", "html", "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        match = re.match(r"serving (http://127\.0\.0\.1:\d+/)", first)
        assert match, first
        for line in proc.stdout:  # the first build, then the watch starts
            if line.startswith("watching for changes"):
                break
        yield root, match.group(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_index_link_and_live_reload_in_chromium(served: tuple[Path, str]) -> None:
    root, url = served
    with browser() as b:
        page = b.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        assert page.title() == "Preview: Pain Care Clinic"  # the dashboard (tests/preview/)
        row = page.locator("li.card", has_text="Managing migraine: guide 1")
        row.get_by_role("link", name="Web page").click()
        page.wait_for_url(url + "html/article-0001.html")
        assert "Managing migraine: guide 1" in page.locator("h1").inner_text()
        page.wait_for_function("typeof EventSource !== 'undefined'")

        source = root / "content/article-0001.md"
        source.write_text(source.read_text().replace("Rest and ice", "Freshly edited advice"))
        page.wait_for_function(
            "document.body.innerText.includes('Freshly edited advice')", timeout=30_000)
        assert errors == []

    # The reload script lives only in what the server sends, never in the file on disk.
    on_disk = (root / "output/html/article-0001.html").read_text()
    assert "Freshly edited advice" in on_disk
    assert "<script>" not in on_disk and "EventSource" not in on_disk
    with urllib.request.urlopen(url + "html/article-0001.html") as resp:
        assert "EventSource" in resp.read().decode()
    with urllib.request.urlopen(url + "build-report.json") as resp:
        assert resp.status == 200


def test_serve_refuses_paths_outside_the_output(served: tuple[Path, str]) -> None:
    root, url = served
    (root / "secret.txt").write_text("nope")
    for path, code in (("../secret.txt", 400), ("%2e%2e/secret.txt", 400),
                       (".pubkit-manifest.json", 404)):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + path)
        assert err.value.code == code, path


def test_index_links_every_built_format(tmp_path: Path) -> None:
    from pubkit.batch.serve import index_page
    from tests.batch.conftest import ALL, build

    root = generate_site(tmp_path / "site", 2)
    build(root, formats=ALL)
    page = index_page(root / "output")
    for fmt in ALL:
        assert f">{fmt.upper()}</a>" in page, fmt
    assert 'href="/html/sample.html"' in page
    assert "The Role of Ketamine in Pain Management" in page


def test_serve_refuses_a_bad_today_before_it_listens(tmp_path: Path) -> None:
    from tests.batch.conftest import run_cli

    root = generate_site(tmp_path / "site", 1)
    done = run_cli("serve", "--site", str(root), "--port", "0", timeout=60,
                   env={"PUBKIT_TODAY": "next tuesday"})
    assert done.returncode == 2, done.stderr
    assert "PUBKIT_TODAY" in done.stderr and "serving" not in done.stdout
