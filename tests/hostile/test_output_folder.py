"""The output folder is untrusted: pubkit writes and deletes only inside it, never through a symlink
it did not make, takes any manifest it cannot trust for a missing one, deletes only its own
temporary files, and refuses an output folder that is, holds or sits inside the sources.

Builds run in this process (inline, HTML only) on real folders with real symlinks and FIFOs;
the command line runs as a real process where its exit code and words are the point.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pubkit.batch.manifest import MANIFEST_NAME, load_manifest
from pubkit.diagnostics import ConfigError
from pubkit.output import is_own_temp, remove_below, remove_stale_temps, write_below, write_files
from pubkit.site import open_site
from tests.batch.conftest import Collect, build, built
from tests.hostile.conftest import ARTICLE, cli, no_traceback, write_site

NEWSLETTER = "---\nsubject: News\narticles: [knee]\n---\nHi.\n"
VICTIM = b"a file of somebody else's, outside the output folder\n"


def built_site(root: Path) -> tuple[Path, Path]:
    """``root`` as a site with two articles, built once (HTML); its output folder and a victim file."""
    write_site(root, {"content/knee.md": ARTICLE, "content/hip.md": ARTICLE.replace("Knee", "Hip")})
    summary = build(root, formats=["html"])
    assert summary.exit_code == 0
    victim = root.parent / "victim.txt"
    victim.write_bytes(VICTIM)
    return root / "output", victim


def manifest_of(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def crafted(out: Path, victim: Path, outputs: dict[str, object] | None = None,
            source: str = "content/gone.md", deps: dict[str, object] | None = None) -> None:
    """Add a record for a source that no longer exists, so the next build removes its outputs."""
    data = manifest_of(out)
    data["sources"][source] = {
        "source_hash": "0" * 64, "slug": "gone", "title": "Gone", "deps": deps or {},
        "formats": {"html": {"key": "k", "outputs": outputs or {}}}}
    (out / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")


ESCAPING_OUTPUTS = [
    "../victim.txt", "../../victim.txt", "html/../../victim.txt", "{victim}", "//{victim}",
    "html/./../../victim.txt", "html\\..\\..\\victim.txt", "html/\x00/../../victim.txt", "",
    "html/", "./html/knee.html", "html//knee.html", "html/a\nb.html",
]


@pytest.mark.parametrize("name", ESCAPING_OUTPUTS)
def test_a_crafted_output_record_deletes_nothing_and_means_a_full_rebuild(tmp_path: Path, name: str) -> None:
    out, victim = built_site(tmp_path / "site")
    crafted(out, victim, {name.format(victim=victim): 10, "html/knee.html": 1})
    listener = Collect()
    summary = build(tmp_path / "site", listener, formats=["html"])
    assert victim.read_bytes() == VICTIM
    assert summary.exit_code == 0
    warnings = [n for n in listener.notes if MANIFEST_NAME in n]
    assert len(warnings) == 1 and "rebuilding everything" in warnings[0], listener.notes
    assert built(summary) == {("content/knee.md", "html"), ("content/hip.md", "html")}
    assert (out / "html/knee.html").is_file()  # the good record's output was not deleted either


@pytest.mark.parametrize(("source", "deps"), [
    ("../outside.md", {}), ("/etc/passwd", {}), ("content/../../x.md", {}),
    ("content/gone.md", {"../../victim.txt": "0" * 64}), ("content/gone.md", {"/etc/shadow": None}),
])
def test_crafted_source_and_dependency_names_are_not_trusted(tmp_path: Path, source: str,
                                                             deps: dict[str, object]) -> None:
    out, victim = built_site(tmp_path / "site")
    crafted(out, victim, {"../victim.txt": 1} if source == "content/gone.md" else {}, source, deps)
    listener = Collect()
    summary = build(tmp_path / "site", listener, formats=["html"])
    assert victim.read_bytes() == VICTIM and summary.exit_code == 0
    assert sum("rebuilding everything" in n for n in listener.notes) == 1, listener.notes


WRONG_SHAPES: list[object] = [
    [], "text", 2, None, {"schema": 2}, {"schema": 3, "sources": {}}, {"schema": 2, "sources": []},
    {"schema": 2, "sources": {"content/knee.md": []}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": 5, "deps": {}, "formats": {}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "deps": [], "formats": {}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "deps": {}, "formats": {
        "html": {"key": "k", "outputs": {"html/knee.html": "big"}}}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "deps": {}, "formats": {
        "html": {"key": "k", "outputs": {"html/knee.html": -1}}}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "deps": {}, "formats": {
        "html": {"key": "k", "outputs": {"html/knee.html": True}}}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "deps": {}, "formats": {
        "html": {"key": ["k"], "outputs": {}}}}}},
    {"schema": 2, "sources": {"content/knee.md": {"source_hash": "x", "title": {"a": 1},
                                                  "deps": {}, "formats": {}}}},
]
ILL_FORMED = [b"", b"{", b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b'{"schema": 2, "sources": 1e999}',
              b'{"schema": 2, "sources": {"a.md": {"source_hash": "x", "deps": {}, "formats": {"html": '
              b'{"key": "k", "outputs": {"html/a.html": 1e999}}}}}}', b"\x00" * 1000, b"NaN"]


@pytest.mark.parametrize("content", [json.dumps(s).encode() for s in WRONG_SHAPES] + ILL_FORMED)
def test_an_ill_formed_or_wrongly_shaped_manifest_is_missing(tmp_path: Path, content: bytes) -> None:
    out, _ = built_site(tmp_path / "site")
    (out / MANIFEST_NAME).write_bytes(content)
    listener = Collect()
    summary = build(tmp_path / "site", listener, formats=["html"])
    assert summary.exit_code == 0
    assert sum("rebuilding everything" in n for n in listener.notes) == 1, listener.notes
    assert len(built(summary)) == 2
    assert manifest_of(out)["schema"] == 2  # replaced by a good one


def test_an_unreadable_oversized_or_odd_manifest_is_missing(tmp_path: Path) -> None:
    out, _ = built_site(tmp_path / "site")
    path = out / MANIFEST_NAME
    outside = tmp_path / "elsewhere.json"
    outside.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    cases = {
        "fifo": lambda: os.mkfifo(path),
        "folder": lambda: path.mkdir(),
        "device": lambda: path.symlink_to("/dev/zero"),
        "good manifest outside": lambda: path.symlink_to(outside),
        "dangling": lambda: path.symlink_to(tmp_path / "nowhere.json"),
        "oversized": lambda: os.truncate(os.open(path, os.O_CREAT | os.O_WRONLY), 300 * 1024 * 1024),
    }
    for what, make in cases.items():
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif os.path.lexists(path):
            path.unlink()
        make()
        manifest, warning = load_manifest(out)
        assert manifest.sources == {} and warning and "rebuilding everything" in warning, what
    path.unlink()
    path.symlink_to(outside)
    before = outside.read_bytes()
    summary = build(tmp_path / "site", formats=["html"])
    assert summary.exit_code == 0 and len(built(summary)) == 2
    assert outside.read_bytes() == before  # the link was replaced, never written through
    assert not path.is_symlink()


def test_symlinked_output_subfolders_are_never_written_through(tmp_path: Path) -> None:
    out, _ = built_site(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(out / "html")  # its pages, and the site's own pages
    (out / "html").symlink_to(elsewhere)
    listener = Collect()
    summary = build(tmp_path / "site", listener, formats=["html"], force=True)
    assert list(elsewhere.iterdir()) == []
    assert summary.exit_code == 1
    failed = [r for r in summary.records if r.status == "failed"]
    assert len(failed) == 2 and all("symbolic link" in str(r.error) for r in failed), failed
    assert all(str(out / "html") in str(r.error) for r in failed)


def test_a_symlinked_folder_inside_the_output_is_not_followed_either(tmp_path: Path) -> None:
    out, _ = built_site(tmp_path / "site")
    (out / "pdf").mkdir()
    shutil.rmtree(out / "html")  # its pages, and the site's own pages
    (out / "html").symlink_to(out / "pdf")
    summary = build(tmp_path / "site", formats=["html"], force=True)
    assert summary.exit_code == 1 and list((out / "pdf").iterdir()) == []


def test_a_symlinked_output_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    out, victim = built_site(tmp_path / "site")
    (out / "html" / "knee.html").unlink()
    (out / "html" / "knee.html").symlink_to(victim)
    summary = build(tmp_path / "site", formats=["html"], force=True)
    assert summary.exit_code == 0
    assert victim.read_bytes() == VICTIM
    assert not (out / "html" / "knee.html").is_symlink()
    assert b"Knee care" in (out / "html" / "knee.html").read_bytes()


def test_removing_an_article_never_deletes_through_a_symlinked_folder(tmp_path: Path) -> None:
    out, _ = built_site(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "hip.html").write_bytes(VICTIM)
    shutil.rmtree(out / "html")  # its pages, and the site's own pages
    (out / "html").symlink_to(elsewhere)
    (tmp_path / "site/content/hip.md").unlink()
    listener = Collect()
    build(tmp_path / "site", listener, formats=["html"])
    assert (elsewhere / "hip.html").read_bytes() == VICTIM
    assert any("not removed" in n and "symbolic link" in n for n in listener.notes), listener.notes


@pytest.mark.parametrize("kind", ["to a file", "dangling", "to a folder", "fifo", "hard link"])
def test_a_lock_pubkit_did_not_make_is_refused(tmp_path: Path, kind: str) -> None:
    out, victim = built_site(tmp_path / "site")
    lock = out / ".pubkit-build.lock"
    lock.unlink()
    if kind == "to a file":
        lock.symlink_to(victim)
    elif kind == "dangling":
        lock.symlink_to(tmp_path / "created-by-the-lock")
    elif kind == "to a folder":
        lock.symlink_to(tmp_path)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        os.link(victim, lock)
    with pytest.raises(ConfigError, match="build lock"):
        build(tmp_path / "site", formats=["html"])
    assert victim.read_bytes() == VICTIM
    assert not (tmp_path / "created-by-the-lock").exists()


def test_only_pubkits_own_temporary_files_are_deleted(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / "html").mkdir(parents=True)
    own = f".pubkit-{'0a' * 12}.tmp"
    assert is_own_temp(own)
    lookalikes = [".pubkit-abcdefgh.tmp", ".pubkit-" + "0" * 23 + ".tmp", ".pubkit-" + "A" * 24 + ".tmp",
                  own + ".keep", "x" + own, ".pubkit-" + "g" * 24 + ".tmp", ".pubkit-.tmp", "pubkit.tmp"]
    for name in lookalikes:
        (out / "html" / name).write_bytes(VICTIM)
    (out / "html" / own).write_bytes(b"half-written")  # a crash left it: pubkit's own
    (out / own).mkdir()  # a folder by that name is not a temporary file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / own).write_bytes(VICTIM)
    (out / "linked").symlink_to(elsewhere)  # never walked into
    (out / "pdf").mkdir()
    (out / "pdf" / own).symlink_to(tmp_path / "victim")
    (tmp_path / "victim").write_bytes(VICTIM)
    assert remove_stale_temps(out) == 1
    assert not (out / "html" / own).exists()
    for name in lookalikes:
        assert (out / "html" / name).read_bytes() == VICTIM, name
    assert (out / own).is_dir() and (elsewhere / own).read_bytes() == VICTIM
    assert (out / "pdf" / own).is_symlink() and (tmp_path / "victim").read_bytes() == VICTIM


@pytest.mark.parametrize("name", ["../x", "/tmp/x", "a/../../x", "a\\b", "a\x00b", "a\nb", "", ".", "a/./b",
                                  "x" * 256, "a//b"])
def test_write_and_delete_refuse_names_that_leave_the_folder(tmp_path: Path, name: str) -> None:
    out = tmp_path / "output"
    out.mkdir()
    for action in (lambda: write_below(out, name, b"x"), lambda: remove_below(out, name),
                   lambda: write_files(out, {"ok.html": b"fine", name: b"x"})):
        with pytest.raises(OSError):
            action()
    assert list(out.iterdir()) == []  # not even the good name of the set was written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


@pytest.mark.parametrize(("command", "option", "words"), [
    ("render", "content", "inside the site's content_dir"),
    ("newsletter", ".", "holds the site's content_dir"),
    ("build", "..", "holds the site's content_dir"), ("render", "templates", "inside the site's templates"),
    ("newsletter", "templates/html", "inside the site's templates"),
    ("build", "assets", "inside the site's asset_dirs"),
    ("render", "newsletters", "inside the site's newsletters"),
    ("newsletter", "content/out", "inside the site's content_dir"),
])
def test_the_output_folder_may_not_be_or_hold_the_sources(tmp_path: Path, command: str, option: str,
                                                         words: str) -> None:
    root = write_site(tmp_path / "site", {"content/knee.md": ARTICLE, "templates/html/.keep": "",
                                          "assets/.keep": "", "newsletters/n.md": NEWSLETTER})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    if command == "build":  # build has no --output: the setting is the way
        write_site(root, {}, toml=f'output_dir = "{option}"\n')
        run = cli(["build", "-f", "html"], root)
        assert run.code == 2 and "output_dir" in run.stderr, run.text
    else:
        args = ["render", "--html"] if command == "render" else ["newsletter", "newsletters/n.md"]
        run = cli([*args, "--output", option], root)
        assert run.code == 2, run.text
        assert words in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    no_traceback(run)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


@pytest.mark.parametrize("folder", ["content", "templates", "assets", "newsletters"])
def test_source_folders_symlinked_out_of_the_site_are_refused(tmp_path: Path, folder: str) -> None:
    outside = tmp_path / "outside"
    (outside / "html").mkdir(parents=True)
    (outside / "secret.md").write_text(ARTICLE, encoding="utf-8")
    root = write_site(tmp_path / "site", {"content/knee.md": ARTICLE})
    if folder == "content":
        for p in (root / "content").iterdir():
            p.unlink()
        (root / "content").rmdir()
    (root / folder).symlink_to(outside)
    with pytest.raises(ConfigError, match=f"{folder}.* leads outside the site"):
        open_site(root)
    run = cli(["render", "--html"], root)
    assert run.code == 2 and "leads outside the site" in run.stderr, run.text
    assert not (root / "output").exists()


@pytest.mark.parametrize("stem", ["-rf", ".hidden", "a b", "a\nb", "é" * 101, "_x", "a\tb", "a" * 101,
                                  "..", "a:b", "a\x1bb"])
def test_newsletter_names_that_would_be_odd_paths_are_refused(tmp_path: Path, stem: str) -> None:
    from pubkit.diagnostics import SourceError
    from pubkit.source.newsletter import read_newsletter

    root = write_site(tmp_path / "site", {"content/knee.md": ARTICLE})
    path = root / "newsletters" / f"{stem}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(NEWSLETTER, encoding="utf-8")
    with pytest.raises(SourceError, match="newsletter's name"):
        read_newsletter(path, open_site(root))
    if stem == "-rf":  # and from the command line: one line, exit 1, nothing written
        run = cli(["newsletter", str(path)], root)
        no_traceback(run)
        assert run.code == 1 and "newsletter's name" in run.stderr, run.text
        assert not (root / "output").exists() or not any((root / "output").rglob("*.eml"))


@pytest.mark.parametrize("slug", ["../up", "a/b", ".hidden", "a" * 300, "UPPER", "a b", "a\\b",
                                  "-"])
def test_slugs_that_would_be_odd_paths_are_refused(tmp_path: Path, slug: str) -> None:
    article = f"---\ntitle: S\nslug: {json.dumps(slug)}\n---\nx\n"
    root = write_site(tmp_path / "site", {"content/s.md": article})
    summary = build(root, formats=["html"])
    assert summary.exit_code == 1
    manifest, _ = load_manifest(root / "output")
    site_pages = set(manifest.pages.outputs) if manifest.pages else set()
    assert [p for p in (root / "output").rglob("*.html")
            if p.relative_to(root / "output").as_posix() not in site_pages] == []


def test_a_symlinked_index_cache_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    out, _ = built_site(tmp_path / "site")
    cache = out / ".pubkit-index.json"
    elsewhere = tmp_path / "index.json"
    elsewhere.write_bytes(cache.read_bytes())
    cache.unlink()
    cache.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    listener = Collect()
    summary = build(tmp_path / "site", listener, formats=["html"], force=True)
    assert summary.exit_code == 0
    assert any("index cache" in n and "symbolic link" in n for n in listener.notes), listener.notes
    assert elsewhere.read_bytes() == before and not cache.is_symlink()
