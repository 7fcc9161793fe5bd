"""A snapshot of the site's files answers every question as the disk did."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pubkit.resources import Refused, ResourcePolicy
from pubkit.sitefiles import DISK, MemoryFiles, SiteFiles, look, look_tree


def _answer(files: SiteFiles, call: str, path: Path, *args: object) -> object:
    try:
        return getattr(files, call)(path, *args)
    except OSError as exc:
        return (type(exc).__name__, exc.errno, exc.strerror)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content/sub").mkdir(parents=True)
    (root / "content/a.png").write_bytes(b"picture")
    (root / "content/empty.txt").write_bytes(b"")
    (root / "content/big.bin").write_bytes(b"x" * 2000)
    (root / "content/link.png").symlink_to("a.png")
    (root / "content/out.png").symlink_to("/etc/hostname")
    (root / "content/dangling.png").symlink_to("nothing.png")
    (root / "content/folder").symlink_to("sub")
    (root / "content/sub/b.png").write_bytes(b"other")
    os.mkfifo(root / "content/pipe.png")
    return root


NAMES = ["a.png", "empty.txt", "big.bin", "link.png", "out.png", "dangling.png", "pipe.png",
         "missing.png", "sub", "folder", "folder/b.png", "sub/../a.png"]


def test_memory_files_answer_as_the_disk(site: Path) -> None:
    blobs: dict[str, bytes] = {}
    nodes = look_tree(site / "content", blobs, (site,))
    for name in NAMES:
        nodes.update(look(site / "content" / name, blobs, (site,)))
    memory = MemoryFiles(nodes, blobs)
    for name in NAMES:
        path = site / "content" / name
        calls = [("lexists", ()), ("is_dir", ()), ("digest", ()), ("resolve", (True,))]
        if name != "out.png":  # outside the allowed folders: described, its bytes never sent
            calls += [("read", (1000,)), ("read", (1000, False))]
        for call, args in calls:
            assert _answer(memory, call, path, *args) == _answer(DISK, call, path, *args), (
                name, call, args)
        if DISK.lexists(path) and DISK.resolve(path).exists():
            assert memory.stat(path) == DISK.stat(path)
    # The FIFO was looked at, never opened: nothing waits for a writer.
    assert _answer(memory, "read", site / "content/pipe.png", 10)[2] == (
        "a FIFO (named pipe), not a regular file")


def test_a_policy_on_memory_files_refuses_what_it_refuses_on_disk(site: Path) -> None:
    blobs: dict[str, bytes] = {}
    nodes = look_tree(site / "content", blobs, (site / "content",))
    nodes.update(look(site / "content/out.png", blobs, (site / "content",)))
    memory = MemoryFiles(nodes, blobs)
    for files in (DISK, memory):
        policy = ResourcePolicy.for_dirs(site, [site / "content"], files=files)
        assert policy.read_local("link.png", site / "content") == b"picture"
        assert policy.read_local("folder/b.png", site / "content") == b"other"
        with pytest.raises(Refused, match="outside the site's content"):
            policy.read_local("out.png", site / "content")
        with pytest.raises(Refused, match="not a regular file"):
            policy.read_local("pipe.png", site / "content")
    assert not memory.lexists(site / "content/nothing.png")
    with pytest.raises(OSError, match="not sent"):
        memory.read(site / "content/out.png", 1000)
    # Bytes outside the allowed folders never travel.
    assert set(blobs.values()) == {b"picture", b"other", b"", b"x" * 2000}


def test_a_task_layer_replaces_the_previous_one(site: Path) -> None:
    memory = MemoryFiles()
    blobs: dict[str, bytes] = {}
    memory.for_task(look(site / "content/a.png", blobs, (site,)), blobs)
    assert memory.read(site / "content/a.png", 100) == b"picture"
    memory.for_task({}, {})
    assert not memory.lexists(site / "content/a.png")
