"""Every file pubkit reads is read safely: never blocking, regular files only, bounded.

Hostile inputs are real: FIFOs (with and without a writer), devices, folders,
sockets, symlinks to each, sparse files far past the limit, ``/proc`` files
whose size lies, and a file swapped for a FIFO while it is being read.  Each
one, wherever pubkit reads it (articles, newsletters, pictures, linked files,
templates, the reference document, ``pubkit.toml``, the recipients CSV, the
build manifest), gives one ``path: message`` and its exit code, never a hang
or a traceback.  Commands run as real subprocesses with a timeout, so a
regression that blocks fails here instead of hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pubkit.batch.manifest import MANIFEST_NAME, FileHashes, load_manifest
from pubkit.diagnostics import ConfigError, SourceError
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.safeio import SOURCE_LIMIT, Unreadable, read_regular
from pubkit.send.recipients import RecipientsError, read_recipients
from pubkit.settings import load_settings
from pubkit.site import Site, open_site
from pubkit.source.newsletter import read_newsletter
from pubkit.source.reader import read_article
from pubkit.theme import Theme

GOOD = "---\ntitle: Good\n---\nFine text.\n"
HANG = 30.0
"""Seconds after which a read or command that has not returned counts as hung."""


def pubkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=HANG * 4, env={**os.environ, "COLUMNS": "200"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def returns(fn: Callable[[], object]) -> object:
    """``fn()``'s result or exception, failing (not hanging) if it does not return."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG)
    assert not worker.is_alive(), "the read blocked"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """One of each thing that is not a regular file, and links to them."""
    d = tmp_path / "hostile"
    d.mkdir()
    made = {
        "fifo": d / "fifo",
        "dir": d / "folder",
        "socket": d / "socket",
        "dev-zero": d / "zero",
        "dev-null": d / "null",
        "link-to-fifo": d / "link-fifo",
        "link-to-dir": d / "link-dir",
    }
    os.mkfifo(made["fifo"])
    made["dir"].mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(made["socket"]))
    made["dev-zero"].symlink_to("/dev/zero")
    made["dev-null"].symlink_to("/dev/null")
    made["link-to-fifo"].symlink_to(made["fifo"])
    made["link-to-dir"].symlink_to(made["dir"])
    try:
        yield made
    finally:
        sock.close()


WORDS = {"fifo": "FIFO", "dir": "folder", "socket": "socket", "dev-zero": "character device",
         "dev-null": "character device", "link-to-fifo": "FIFO", "link-to-dir": "folder"}


@pytest.mark.parametrize("what", list(WORDS))
def test_what_is_not_a_regular_file_is_refused_at_once(hostile: dict[str, Path], what: str) -> None:
    with pytest.raises(Unreadable, match=WORDS[what]) as err:
        returns(lambda: read_regular(hostile[what], 1024))
    assert isinstance(err.value, OSError) and err.value.filename == str(hostile[what])


def test_a_fifo_with_a_writer_waiting_is_still_refused(hostile: dict[str, Path]) -> None:
    fifo = hostile["fifo"]
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so the writer's open does not block
    writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    os.write(writer, b"---\ntitle: from a pipe\n---\n")
    try:
        with pytest.raises(Unreadable, match="FIFO"):
            returns(lambda: read_regular(fifo, 1024))
    finally:
        os.close(writer)
        os.close(reader)


def test_a_symlink_is_refused_where_the_caller_resolved_the_path(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("hello")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert read_regular(link, 100) == b"hello"  # followed by default (articles may be links)
    with pytest.raises(Unreadable, match="symbolic link"):
        read_regular(link, 100, follow_symlinks=False)
    with pytest.raises(FileNotFoundError):  # the system's own errors pass as they are
        read_regular(tmp_path / "missing.txt", 100)


def test_the_limit_holds_whatever_stat_says(tmp_path: Path) -> None:
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0  # /proc reports nothing ...
    text = read_regular(status, 1 << 20)
    assert b"Name:" in text  # ... but has something
    with pytest.raises(Unreadable, match="larger than the limit of 16 bytes"):
        read_regular(status, 16)
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 4096)
    assert len(read_regular(exact, 4096)) == 4096
    with pytest.raises(Unreadable, match="larger than the limit of 4095 bytes"):
        read_regular(exact, 4095)
    sparse = tmp_path / "sparse.md"
    with sparse.open("wb") as fh:
        fh.truncate(64 * 1024**3)  # 64 GiB that take no room on disk
    with pytest.raises(Unreadable, match="larger than the limit of 20 MiB"):
        returns(lambda: read_regular(sparse, SOURCE_LIMIT))


def test_a_file_swapped_for_a_fifo_while_read_never_blocks(tmp_path: Path) -> None:
    """A writer keeps replacing the name with a regular file, then a FIFO; every read returns."""
    name = tmp_path / "article.md"
    name.write_text(GOOD)
    stop = threading.Event()

    def swap() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            tmp = tmp_path / f"next-{i}"
            if i % 2:
                os.mkfifo(tmp)
            else:
                tmp.write_text(GOOD)
            os.replace(tmp, name)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    outcomes = {"read": 0, "refused": 0}
    try:
        for i in range(20_000):  # until both kinds were met (a busy machine swaps less often)
            if i >= 300 and outcomes["read"] and outcomes["refused"]:
                break
            try:
                data = returns(lambda: read_regular(name, 1024))
                assert data in (GOOD.encode(), b"")  # b"": caught between create and write
                outcomes["read"] += 1
            except Unreadable:
                outcomes["refused"] += 1
            except FileNotFoundError:
                pass
    finally:
        stop.set()
        swapper.join()
    assert outcomes["read"] and outcomes["refused"], outcomes


# ------------------------------------------------------------------ every reader
def test_every_reader_refuses_a_fifo_with_its_own_message(make_site: Callable[..., Site],
                                                          tmp_path: Path) -> None:
    site = make_site({"content/good.md": GOOD, "newsletters/n.md": "---\nsubject: Hi\n---\nHello\n"})
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="cannot read: a FIFO"):
        returns(lambda: read_article(fifo, site.root))
    with pytest.raises(SourceError, match="cannot read: a FIFO"):
        returns(lambda: read_newsletter(fifo, site))
    with pytest.raises(RecipientsError, match=r"fifo: cannot read: a FIFO"):
        returns(lambda: read_recipients(fifo))
    with pytest.raises(ConfigError, match=r"fifo: cannot read: a FIFO"):
        returns(lambda: load_settings(fifo))
    out = site.output_dir
    out.mkdir()
    (out / "html").mkdir()
    os.mkfifo(out / MANIFEST_NAME)
    manifest, warning = returns(lambda: load_manifest(out))  # type: ignore[misc]
    assert manifest.sources == {} and "cannot read the build manifest" in str(warning)
    assert "FIFO" in str(warning)


def test_hashing_a_dependency_reads_it_safely(tmp_path: Path) -> None:
    """The build hashes the files articles use; a planted FIFO or huge file is "missing"."""
    hashes = FileHashes()
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    with (tmp_path / "huge.png").open("wb") as fh:
        fh.truncate(16 * 1024**3)
    for name in ("pipe.png", "zero.png", "huge.png"):
        assert returns(lambda name=name: hashes(tmp_path / name)) is None, name
    (tmp_path / "ok.png").write_bytes(b"fine")
    assert hashes(tmp_path / "ok.png") is not None


def test_a_manifest_linked_to_a_device_or_too_large_means_a_full_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    (out / MANIFEST_NAME).symlink_to("/dev/zero")
    manifest, warning = returns(lambda: load_manifest(out))  # type: ignore[misc]
    assert manifest.sources == {} and "symbolic link" in str(warning)  # never followed
    (out / MANIFEST_NAME).unlink()
    with (out / MANIFEST_NAME).open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    manifest, warning = load_manifest(out)
    assert manifest.sources == {} and "larger than the limit" in str(warning)


def test_templates_that_are_not_files_are_errors_not_silent_defaults(tmp_path: Path) -> None:
    templates = tmp_path / "site" / "templates"
    (templates / "html").mkdir(parents=True)
    os.mkfifo(templates / "html" / "page.html.j2")
    (templates / "html" / "style.css").symlink_to("/dev/zero")
    theme = Theme(templates)
    with pytest.raises(SourceError, match=r"^templates/html/page\.html\.j2: cannot read: a FIFO"):
        returns(lambda: theme.template("html/page.html.j2"))
    with pytest.raises(SourceError, match=r"^templates/html/style\.css: cannot read: a character"):
        returns(lambda: theme.read_text("html/style.css"))
    # The incremental build's fingerprint does not block either, and differs from a real file's.
    fingerprint = returns(lambda: theme.fingerprint(["html/page.html.j2", "html/style.css"]))
    assert fingerprint != Theme(None).fingerprint(["html/page.html.j2", "html/style.css"])


def test_pictures_and_linked_files_that_are_not_files_are_left_out_in_every_format(
    make_site: Callable[..., Site],
) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\n![pipe](img/pipe.png)\n\n"
                                      "![zero](img/zero.png)\n\n[form](img/form.pdf)\n\nStill here.\n"})
    img = site.content_dir / "img"
    img.mkdir()
    os.mkfifo(img / "pipe.png")
    os.mkfifo(img / "form.pdf")
    (img / "zero.png").symlink_to("/dev/zero")
    ctx = RenderContext.for_site(site)
    results = returns(lambda: render_path(site.content_dir / "a.md", ["html", "docx", "pdf", "email"],
                                          ctx))
    for result in results:  # type: ignore[attr-defined]
        assert result.ok, result.error
        shown = [str(w) for w in result.warnings]
        assert any(w.startswith("content/a.md:4: warning: ") and "pipe.png" in w
                   and "not a regular file" in w for w in shown), (result.format, shown)
        assert any(w.startswith("content/a.md:6: warning: ") and "zero.png" in w for w in shown), shown
    html = results[0].output  # type: ignore[index]
    assert b"Still here." in html.data and not html.published


# ------------------------------------------------------------------ commands
def test_render_and_check_name_each_hostile_argument_and_go_on(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "T"\n')
    (root / "content" / "good.md").write_text(GOOD)
    os.mkfifo(root / "content" / "pipe.md")
    (root / "content" / "zero.md").symlink_to("/dev/zero")
    with (root / "content" / "huge.md").open("wb") as fh:
        fh.truncate(8 * 1024**3)
    args = ["content/pipe.md", "content/zero.md", "content/huge.md", "content/good.md"]
    rendered = pubkit("render", "--html", *args, cwd=root)
    assert rendered.returncode == 1
    lines = rendered.stderr.splitlines()
    assert "content/pipe.md: cannot read: a FIFO (named pipe), not a regular file" in lines
    assert "content/zero.md: cannot read: a character device, not a regular file" in lines
    assert "content/huge.md: cannot read: larger than the limit of 20 MiB" in lines
    assert (root / "output" / "html" / "good.html").is_file()
    assert "1 rendered, 3 failed" in rendered.stdout
    checked = pubkit("check", *args, cwd=root)
    assert checked.returncode == 1 and len(checked.stderr.splitlines()) == 3, checked.stderr


@pytest.mark.parametrize("make", ["fifo", "dev-zero", "folder", "huge"])
def test_a_hostile_pubkit_toml_is_a_configuration_error(tmp_path: Path, make: str) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "good.md").write_text(GOOD)
    config = root / "pubkit.toml"
    if make == "fifo":
        os.mkfifo(config)
    elif make == "dev-zero":
        config.symlink_to("/dev/zero")
    elif make == "folder":
        config.mkdir()
    else:
        with config.open("wb") as fh:
            fh.truncate(10 * 1024**2)
    with pytest.raises(ConfigError, match=r"pubkit\.toml: cannot read: "):
        returns(lambda: open_site(root))
    if make == "fifo":  # and from the command line, found from inside the site
        proc = pubkit("render", "--html", cwd=root / "content")
        assert proc.returncode == 2
        assert proc.stderr.strip().endswith("pubkit.toml: cannot read: a FIFO (named pipe), "
                                            "not a regular file")


def test_a_fifo_as_template_or_reference_document_fails_the_render_naming_it(
    make_site: Callable[..., Site],
) -> None:
    site = make_site({"content/good.md": GOOD})
    (site.root / "templates" / "html").mkdir(parents=True)
    (site.root / "templates" / "docx").mkdir(parents=True)
    os.mkfifo(site.root / "templates" / "html" / "page.html.j2")
    (site.root / "templates" / "docx" / "reference.docx").symlink_to("/dev/zero")
    proc = pubkit("render", "--html", "--docx", "--site", str(site.root))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "templates/html/page.html.j2: cannot read: a FIFO (named pipe), not a regular file",
        "templates/docx/reference.docx: cannot read: a character device, not a regular file",
    ]


def test_send_to_a_fifo_is_a_usage_error(sample_site: Site, tmp_path: Path) -> None:
    fifo = tmp_path / "recipients.csv"
    os.mkfifo(fifo)
    proc = pubkit("send", "newsletters/sample.md", "--to", str(fifo), cwd=sample_site.root)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"pubkit: {fifo}: cannot read: a FIFO (named pipe), not a regular file"
    assert not (sample_site.output_dir / "send").exists()


def test_regular_or_absent_refuses_everything_but_a_regular_file(tmp_path: Path) -> None:
    """For files another library opens itself (SQLite): a FIFO would hang it."""
    from pubkit.safeio import Unreadable, regular_or_absent

    regular_or_absent(tmp_path / "absent.db")
    (tmp_path / "store.db").write_bytes(b"")
    regular_or_absent(tmp_path / "store.db")
    os.mkfifo(tmp_path / "fifo.db")
    (tmp_path / "folder.db").mkdir()
    for name, words in (("fifo.db", "FIFO"), ("folder.db", "folder")):
        with pytest.raises(Unreadable, match=words):
            regular_or_absent(tmp_path / name)
