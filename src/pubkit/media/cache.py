"""Pictures made from pictures (a web page's copies), kept so that a rebuild does not make them again.

A renderer asks its context's :class:`ImageCache` for a copy by its key
(:func:`pubkit.media.variants.key`, a hash of the picture's bytes, the copy's
size and format and the encoder) and gets the bytes, made or found; the
result is the same either way, so a render stays a pure function of its
inputs.  Whoever builds the context decides where copies are kept: in memory
for the life of the process (every context), and in a folder kept between
builds when the caller passes one (``pubkit build`` and ``pubkit render``:
``.pubkit/cache/images/`` of the site).

The folder is not trusted: anyone who can write into the site can put
anything there, and a crash can leave a file cut short.  An entry is a
regular file (never a symbolic link) named by its key, holding a checksum
of the key and the bytes, then the bytes; it is used only when the checksum
matches and the caller's check passes (for a copy: its type, size and
wholeness, :func:`pubkit.media.variants.valid`), and is otherwise made again
and replaced.  A folder that cannot be written leaves the cache in memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pubkit.safeio import MEDIA_LIMIT, read_regular

MAGIC = b"pubkit-image-1\n"
MEMORY_BYTES = 64 * 1024 * 1024
"""Copies kept in memory per process (the folder keeps them all)."""
_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass
class _Store:
    """What every view of one cache shares: the memory, its lock and the folder."""

    folder: Path | None
    memory: OrderedDict[str, bytes] = field(default_factory=OrderedDict)
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ImageCache:
    """Copies of pictures by key; :attr:`made` and :attr:`reused` count what this view did."""

    def __init__(self, folder: Path | None = None, _store: _Store | None = None) -> None:
        self._store = _store or _Store(folder)
        self.made = 0
        """Copies made (encoded) through this view."""
        self.reused = 0
        """Copies found in memory or in the folder, and checked."""

    @property
    def folder(self) -> Path | None:
        return self._store.folder

    def counting(self) -> ImageCache:
        """A view of the same cache with counters of its own (one render's)."""
        return ImageCache(_store=self._store)

    def get(self, key: str, make: Callable[[], bytes], check: Callable[[bytes], bool]) -> bytes:
        """The bytes named ``key``: kept ones that pass ``check``, else ``make()`` (then kept)."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        store = self._store
        with store.lock:
            data = store.memory.get(key)
            if data is not None:
                store.memory.move_to_end(key)
        if data is None:
            data = self._read(key)
            if data is not None and not check(data):
                data = None
            if data is not None:
                self._remember(key, data)
        if data is not None:
            self.reused += 1
            return data
        data = make()
        self.made += 1
        self._remember(key, data)
        self._write(key, data)
        return data

    def _remember(self, key: str, data: bytes) -> None:
        store = self._store
        if len(data) > MEMORY_BYTES // 4:
            return
        with store.lock:
            if key in store.memory:
                return
            store.memory[key] = data
            store.size += len(data)
            while store.size > MEMORY_BYTES:
                _, old = store.memory.popitem(last=False)
                store.size -= len(old)

    def _entry(self, key: str) -> Path | None:
        folder = self._store.folder
        return None if folder is None else folder / key[:2] / key

    def _read(self, key: str) -> bytes | None:
        path = self._entry(key)
        if path is None:
            return None
        try:
            raw = read_regular(path, MEDIA_LIMIT + 1024, follow_symlinks=False)
        except OSError:  # absent, a link, a folder, too large: made again
            return None
        head = len(MAGIC) + 32
        if not raw.startswith(MAGIC) or len(raw) < head:
            return None
        data = raw[head:]
        if hashlib.sha256(key.encode() + data).digest() != raw[len(MAGIC):head]:
            return None
        return data

    def _write(self, key: str, data: bytes) -> None:
        path = self._entry(key)
        if path is None:
            return
        try:
            _real_folders(path.parent)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(MAGIC + hashlib.sha256(key.encode() + data).digest() + data)
                os.replace(temp, path)  # replaces a link by that name, never writes through it
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            pass  # a cache that cannot be written is only slower


def _real_folders(entry_folder: Path) -> None:
    """Make the cache's folders down to ``entry_folder``; a link or a file in the place of one
    is an error (never followed), so entries are written nowhere but inside the cache."""
    parts = [entry_folder.parent.parent, entry_folder.parent, entry_folder]
    os.makedirs(parts[0].parent, exist_ok=True)
    for part in parts:
        with contextlib.suppress(FileExistsError):
            os.mkdir(part)
        if not stat.S_ISDIR(os.lstat(part).st_mode):
            raise NotADirectoryError(str(part))
