"""A site of a few hundred articles, each with a picture of its own: the no-op and one-edit paths.

A no-op build rewrites nothing and reads no picture (the manifest's stat of
each one is trusted); one edit rewrites exactly the edited article's
outputs; a picture changed behind the stat's back (same size, its
modification time put back) is still found by its change time and hash.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.batch.manifest import MANIFEST_NAME
from pubkit.batch.report import BuildSummary
from pubkit.batch.runner import Builder, BuildOptions
from pubkit.site import open_site
from tests.batch.conftest import FAST, Collect, build, built

COUNT = 300
SKIP = {MANIFEST_NAME, ".pubkit-index.json", "build-report.json", ".pubkit-build.lock"}


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every output file -> (modification time, inode): an atomic rewrite changes both."""
    found = {}
    for top, _, names in os.walk(out):
        for name in names:
            if name not in SKIP:
                st = os.stat(os.path.join(top, name))
                found[os.path.relpath(os.path.join(top, name), out)] = (st.st_mtime_ns, st.st_ino)
    return found


def run(root: Path, jobs: int = 1) -> tuple[BuildSummary, Builder]:
    builder = Builder(open_site(root), BuildOptions(FAST, jobs=jobs), Collect())
    summary = builder.run()
    assert summary.exit_code == 0, [r.error for r in summary.failures]
    return summary, builder


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]],
              same_names: bool = True) -> set[str]:
    """Output files written (new or replaced) between ``before`` and ``after``."""
    if same_names:
        assert set(before) == set(after)
    return {name for name in after if after[name] != before.get(name)}


def outputs_of(summary: BuildSummary) -> set[str]:
    return {name for r in summary.records if r.status == "built" for name in r.outputs}


def same_size_pair(root: Path) -> tuple[int, int]:
    """Two articles whose lead pictures differ in content but not in size."""
    by_size: dict[int, int] = {}
    for i in range(COUNT - 1):
        size = (root / "assets" / f"lead-{i:04d}.png").stat().st_size
        if size in by_size:
            return by_size[size], i
        by_size[size] = i
    raise AssertionError("no two lead pictures of the same size")


def test_noop_and_one_edit_at_a_few_hundred_articles(gen_site: Callable[..., Path]) -> None:
    root = gen_site(COUNT, lead_images=True)
    time.sleep(2.1)  # the pictures are then older than the manifest by the racy-stat margin
    first, _ = run(root, jobs=2)
    assert len(built(first)) == COUNT * len(FAST)
    out = root / "output"
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(manifest["files"]) == (COUNT - 1) + 2  # every lead picture and the two shared ones

    before = stamps(out)
    noop, builder = run(root)
    assert built(noop) == set() and len(built(noop, "skipped")) == COUNT * len(FAST)
    assert rewritten(before, stamps(out)) == set()
    assert builder.hashes.read == 0  # each picture stat()ed, none read
    assert builder.indexed.fresh == 0  # each source stat()ed, none parsed
    assert len(builder.hashes.stats) == COUNT + 1  # ... and every one of them looked at

    edited = root / "content/article-0123.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Rest and ice", "Rest, ice and heat"),
                      encoding="utf-8")
    one, _ = run(root)
    assert built(one) == {("content/article-0123.md", f) for f in FAST}
    changed = rewritten(before, stamps(out))
    assert changed == outputs_of(one)
    assert {"html/article-0123.html", "docx/article-0123.docx"} <= changed
    assert b"Rest, ice and heat" in (out / "html/article-0123.html").read_bytes()

    # Two pictures of the same size swap contents, written in place (same inodes) and their
    # modification times put back: only the change time and the bytes say anything happened.
    a, b = same_size_pair(root)
    pics = [root / "assets" / f"lead-{i:04d}.png" for i in (a, b)]
    times = [p.stat() for p in pics]
    data = [p.read_bytes() for p in pics]
    assert data[0] != data[1]
    for pic, new, st in zip(pics, reversed(data), times, strict=True):
        with pic.open("r+b") as fh:
            fh.write(new)
        os.utime(pic, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (pic.stat().st_size, pic.stat().st_mtime_ns, pic.stat().st_ino) == (
            st.st_size, st.st_mtime_ns, st.st_ino)
    before = stamps(out)
    swapped, _ = run(root)
    assert built(swapped) == {(f"content/article-{i:04d}.md", f) for i in (a, b) for f in FAST}
    after = stamps(out)
    # The cards show those pictures too: the site's pages are rebuilt, and write their own files
    # (the copies of the other pictures are there already, under names their bytes give).
    assert swapped.pages is not None and swapped.pages.status == "built"
    pages = {name for name in swapped.pages.outputs if name.endswith((".html", ".xml", ".txt"))}
    assert pages and rewritten(before, after, same_names=False) == outputs_of(swapped) | pages
    # The web page's copies of a picture are named by its content: the old ones are gone.
    gone = set(before) - set(after)
    assert gone and all(name.startswith(("html/assets/lead-", )) and "w." in name for name in gone)
    assert (out / "html/assets" / f"lead-{a:04d}.png").read_bytes() == data[1]


def test_a_manifest_without_file_stats_reads_the_pictures_once(gen_site: Callable[..., Path]) -> None:
    """A manifest of an earlier pubkit (no ``files`` table): one build reads and records them."""
    root = gen_site(6, lead_images=True)
    time.sleep(2.1)
    build(root, formats=FAST)
    path = root / "output" / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["files"]
    path.write_text(json.dumps(data), encoding="utf-8")
    upgraded, _ = run(root)
    assert built(upgraded) == set()
    assert len(json.loads(path.read_text(encoding="utf-8"))["files"]) == 5 + 2  # leads, shared ones
    time.sleep(2.1)
    again, builder = run(root)
    assert built(again) == set() and builder.hashes.read == 0


BAD_FILES: list[object] = [
    [], "x", {"../victim.png": ["0" * 64, 1, 1, 1, 1]}, {"/etc/passwd": ["0" * 64, 1, 1, 1, 1]},
    {"assets/img0.png": ["0" * 64, 1, 1, 1]}, {"assets/img0.png": ["short", 1, 1, 1, 1]},
    {"assets/img0.png": ["0" * 64, -1, 1, 1, 1]}, {"assets/img0.png": ["0" * 64, True, 1, 1, 1]},
    {"assets/img0.png": ["0" * 64, 1.5, 1, 1, 1]}, {"assets/img0.png": {"hash": "0" * 64}},
    {"assets/a\nb.png": ["0" * 64, 1, 1, 1, 1]}, {"assets//img0.png": ["0" * 64, 1, 1, 1, 1]},
]


@pytest.mark.parametrize("files", BAD_FILES)
def test_an_ill_formed_file_stat_table_means_a_full_rebuild(gen_site: Callable[..., Path],
                                                           files: object) -> None:
    root = gen_site(3)
    build(root, formats=["html"])
    path = root / "output" / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"] = files
    path.write_text(json.dumps(data), encoding="utf-8")
    listener = Collect()
    summary = build(root, listener, formats=["html"])
    assert summary.exit_code == 0
    assert sum("rebuilding everything" in n for n in listener.notes) == 1, listener.notes
    assert len(built(summary)) == 3
    assert isinstance(json.loads(path.read_text(encoding="utf-8"))["files"], dict)
