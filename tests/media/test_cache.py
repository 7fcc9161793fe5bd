"""The image cache: copies made once, and a cache folder that lies is never believed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.media.cache import MAGIC, ImageCache

KEY = hashlib.sha256(b"a copy").hexdigest()
GOOD = b"the copy's bytes"


def maker(calls: list[int], data: bytes = GOOD) -> Callable[[], bytes]:
    def make() -> bytes:
        calls.append(1)
        return data
    return make


def ok(data: bytes) -> bool:
    return data == GOOD


def test_a_copy_is_made_once_per_process_and_once_per_folder(tmp_path: Path) -> None:
    calls: list[int] = []
    folder = tmp_path / ".pubkit" / "cache" / "images"
    first = ImageCache(folder)
    assert first.get(KEY, maker(calls), ok) == GOOD
    assert first.get(KEY, maker(calls), ok) == GOOD
    assert (first.made, first.reused, len(calls)) == (1, 1, 1)
    entry = folder / KEY[:2] / KEY
    assert entry.read_bytes().startswith(MAGIC) and entry.read_bytes().endswith(GOOD)
    later = ImageCache(folder)  # a new process: memory is empty, the folder is not
    assert later.get(KEY, maker(calls), ok) == GOOD
    assert (later.made, later.reused, len(calls)) == (0, 1, 1)
    view = later.counting()
    assert view.get(KEY, maker(calls), ok) == GOOD
    assert (view.made, view.reused, later.reused) == (0, 1, 1)  # each view counts its own


def _entry(folder: Path) -> Path:
    return folder / KEY[:2] / KEY


def _tamper_cut(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:-3])


def _tamper_swap(entry: Path) -> None:  # other bytes under the same checksum
    raw = entry.read_bytes()
    entry.write_bytes(raw[: len(MAGIC) + 32] + b"hostile bytes!!!")


def _tamper_rehash(entry: Path) -> None:  # a consistent entry, but not what the check accepts
    bad = b"hostile bytes!!!"
    entry.write_bytes(MAGIC + hashlib.sha256(KEY.encode() + bad).digest() + bad)


def _tamper_link(entry: Path) -> None:
    target = entry.parent / "elsewhere"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)


def _tamper_folder(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


def _tamper_fifo(entry: Path) -> None:
    entry.unlink()
    os.mkfifo(entry)


@pytest.mark.parametrize("tamper", [_tamper_cut, _tamper_swap, _tamper_rehash, _tamper_link,
                                    _tamper_folder, _tamper_fifo])
def test_a_damaged_or_hostile_entry_is_made_again(tmp_path: Path, tamper: Callable[[Path], None]) -> None:
    folder = tmp_path / "cache"
    ImageCache(folder).get(KEY, maker([]), ok)
    tamper(_entry(folder))
    calls: list[int] = []
    again = ImageCache(folder)
    assert again.get(KEY, maker(calls), ok) == GOOD
    assert (again.made, again.reused) == (1, 0)
    if tamper is not _tamper_folder:  # a folder in its place cannot be replaced by a file
        fresh = ImageCache(folder)
        assert fresh.get(KEY, maker(calls), ok) == GOOD and fresh.reused == 1  # repaired


def test_a_link_in_place_of_the_cache_folder_is_not_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    private = tmp_path / "site" / ".pubkit" / "cache"
    private.mkdir(parents=True)
    (private / "images").symlink_to(elsewhere)
    cache = ImageCache(private / "images")
    assert cache.get(KEY, maker([]), ok) == GOOD
    assert list(elsewhere.iterdir()) == []  # nothing written where the link points


def test_a_folder_that_cannot_be_written_leaves_the_cache_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ImageCache(blocker / "images")
    calls: list[int] = []
    assert cache.get(KEY, maker(calls), ok) == GOOD
    assert cache.get(KEY, maker(calls), ok) == GOOD and len(calls) == 1


def test_keys_are_hashes_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ImageCache(tmp_path).get("../../etc/passwd", maker([]), ok)
