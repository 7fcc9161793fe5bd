"""Dask workers that cannot see the site: real ``dask scheduler`` and ``dask worker`` processes.

Each worker runs in a mount namespace of its own (``unshare --mount``, as
root) where an empty tmpfs hides the folder holding every site of these
tests, and from another working folder: whatever it renders, it rendered
from the files the build sent.  Without ``unshare`` these tests fail, by
name: CI runs as root on machines that permit it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import pytest

from tests.batch.conftest import ALL, FAST, build, output_tree, run_cli
from tests.batch.hidden_cluster import START_TIMEOUT, ClusterError, HiddenCluster, hidden_cluster
from tests.batch.sitegen import PNGS, REPO, generate_site


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HiddenCluster]:
    hidden = tmp_path_factory.mktemp("sites")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    try:
        with hidden_cluster(hidden, elsewhere) as cl:
            yield cl
    except ClusterError as exc:
        pytest.fail(str(exc))


def rich_site(root: Path, count: int, toml: str = "") -> Path:
    """A generated site with what a render reads besides its source: a logo, a linked file,
    a site template, a translation, and hostile references (a FIFO, a link out of the site)."""
    generate_site(root, count, toml)
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/logo.png"\n'))
    (root / "assets/logo.png").write_bytes(PNGS[1])
    style = root / "templates/html/style.css"
    style.parent.mkdir(parents=True)
    style.write_text((REPO / "templates/html/style.css").read_text() + "\nmain { color: #123456; }\n")
    (root / "content/files").mkdir()
    (root / "content/files/checklist.txt").write_text("Bring your medicines.\n")
    os.mkfifo(root / "content/files/pipe.png")
    (root / "content/files/passwd.png").symlink_to("/etc/passwd")
    (root / "content/extras.md").write_text(
        "---\ntitle: Before your visit\nreviewed_by: peck\n---\n\n"
        "Print [the checklist](files/checklist.txt).\n\n![A pipe](files/pipe.png)\n\n"
        "![Not a picture](files/passwd.png)\n\n![Diagram](../assets/img0.png)\n")
    shutil.copy(REPO / "content/ketamina-manejo-del-dolor.md", root / "content/traduccion.md")
    return root


def articles_built(root: Path) -> list[tuple[str, str]]:
    """The (source, format) of each article or issue job the last build's report says it built."""
    report = json.loads((root / "output/build-report.json").read_text())
    return [(j["source"], j["format"]) for j in report["jobs"]
            if j["status"] == "built" and j["source"].endswith(".md")]


def dask_build(root: Path, address: str, *formats: str, timeout: float = 600
               ) -> subprocess.CompletedProcess[str]:
    flags = [a for f in formats for a in ("-f", f)]
    return run_cli("build", "--site", str(root), "--executor", "dask", "--scheduler", address,
                   "--json", *flags, timeout=timeout)


def test_workers_cannot_see_the_site(cluster: HiddenCluster) -> None:
    site = generate_site(cluster.hidden / "seen", 2)
    with distributed.Client(cluster.address, timeout=START_TIMEOUT) as client:
        seen = client.run(os.path.exists, str(site / "pubkit.toml"))
        cwd = client.run(os.getcwd)
    assert len(seen) == 2
    assert not any(seen.values())
    assert set(cwd.values()) == {str(cluster.elsewhere)}
    assert (site / "pubkit.toml").exists()


@pytest.mark.slow
def test_remote_build_equals_local_build_byte_for_byte(cluster: HiddenCluster) -> None:
    root = rich_site(cluster.hidden / "rich", 6)
    build(root, formats=ALL, jobs=1)
    local = output_tree(root / "output")
    local_report = json.loads((root / "output/build-report.json").read_text())
    shutil.rmtree(root / "output")

    result = dask_build(root, cluster.address, *ALL)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["executor"] == "dask"
    assert len(articles_built(root)) == 8 * len(ALL)
    assert output_tree(root / "output") == local
    assert {"html/extras.html", "html/files/checklist.txt"} <= set(local)
    assert b"#123456" in local["html/article-0000.html"]
    report = json.loads((root / "output/build-report.json").read_text())
    # The hostile references are refused remotely in the same words as locally.
    warnings = sorted(w for j in report["jobs"] for w in j["warnings"])
    assert warnings == sorted(w for j in local_report["jobs"] for w in j["warnings"])
    assert any("pipe.png is not a regular file" in w for w in warnings)
    assert any("passwd.png is outside the site" in w for w in warnings)
    # Rendered by the workers' render processes, not by this machine.
    remote_workers = {j["worker"] for j in report["jobs"] if j["source"].endswith(".md")}
    assert len(remote_workers) == 2
    assert remote_workers.isdisjoint({j["worker"] for j in local_report["jobs"]})


@pytest.mark.slow
def test_a_killed_worker_costs_no_output(cluster: HiddenCluster) -> None:
    count = 24
    root = generate_site(cluster.hidden / "killed", count)
    reference = generate_site(cluster.hidden / "reference", count)
    build(reference, formats=FAST, jobs=2)
    victim = cluster.start_worker("victim")
    flags = [a for f in FAST for a in ("-f", f)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pubkit", "build", "--site", str(root), "--executor", "dask",
         "--scheduler", cluster.address, "--json", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with distributed.Client(cluster.address, timeout=START_TIMEOUT) as client:
            deadline = time.monotonic() + 300
            while True:  # until the victim is rendering
                processing = client.processing()
                mine = [a for a, keys in processing.items()
                        if any(k.startswith("pubkit-render-") for k in keys)
                        and client.scheduler_info()["workers"][a]["name"] == "victim"]
                if mine and any((root / "output/html").glob("*.html")):
                    break
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the victim worker never got a render"
                time.sleep(0.1)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(30)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["failed"] == 0
    assert output_tree(root / "output") == output_tree(reference / "output")
    report = json.loads((root / "output/build-report.json").read_text())
    jobs = [(j["source"], j["format"]) for j in report["jobs"]]
    assert len(jobs) == len(set(jobs))
    assert len(articles_built(root)) == count * len(FAST)


@pytest.mark.slow
def test_a_render_that_never_ends_fails_alone(cluster: HiddenCluster) -> None:
    root = generate_site(cluster.hidden / "stuck", 6, toml="render_timeout = 3.0\n")
    (root / "content/stuck.md").write_text("---\ntitle: Stuck\n---\nText.\n")
    # sum() over a huge range runs in C: the render's own SIGALRM cannot interrupt it.
    page = root / "templates/html/page.html.j2"
    page.parent.mkdir(parents=True)
    page.write_text("{% if meta.title == 'Stuck' %}{{ range(10**12) | sum }}{% endif %}"
                    + (REPO / "templates/html/page.html.j2").read_text(encoding="utf-8"))
    start = time.monotonic()
    result = dask_build(root, cluster.address, "html", timeout=300)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["errors"] == [
        "content/stuck.md: render did not finish within 13 s; its render process was stopped"]
    assert len(articles_built(root)) == 6
    pages = {p.stem for p in (root / "output/html").glob("*.html")}
    assert {*(f"article-{i:04d}" for i in range(5)), "sample"} <= pages
    assert "stuck" not in pages
    assert time.monotonic() - start < 200
    # The workers live on and render the next build.
    (root / "content/stuck.md").write_text("---\ntitle: Unstuck\n---\nText.\n")
    again = dask_build(root, cluster.address, "html", timeout=300)
    assert again.returncode == 0, again.stderr


def _media(docx: bytes) -> list[bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return [z.read(n) for n in z.namelist() if n.startswith("word/media/")]


@pytest.mark.slow
def test_a_changed_logo_reaches_the_workers(cluster: HiddenCluster) -> None:
    # The site's generation (templates, settings, index) stays the same: the workers' render
    # processes must still take the new logo, not the one they loaded for the last build.
    root = generate_site(cluster.hidden / "logo", 2)
    config = root / "pubkit.toml"
    config.write_text(config.read_text().replace("[brand]\n", '[brand]\nlogo = "assets/logo.png"\n'))
    (root / "assets/logo.png").write_bytes(PNGS[1])
    first = dask_build(root, cluster.address, "docx")
    assert first.returncode == 0, first.stderr
    assert PNGS[1] in _media((root / "output/docx/article-0000.docx").read_bytes())
    (root / "assets/logo.png").write_bytes(PNGS[0])
    again = dask_build(root, cluster.address, "docx")
    assert again.returncode == 0, again.stderr
    assert len(articles_built(root)) == 2
    media = _media((root / "output/docx/article-0000.docx").read_bytes())
    assert PNGS[0] in media and PNGS[1] not in media
