"""The one place outputs reach the disk: temporary file, flush, fsync, ``os.replace``.

A crash leaves either the old file or the new one, never half of either,
and at worst a hidden ``.pubkit-XXXXXXXX.tmp`` file that the next build
cleans up.  Only names of exactly that shape are ever deleted as temporary
files: pubkit made them, so nobody else's file can match by accident.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

TMP_PREFIX = ".pubkit-"
TMP_SUFFIX = ".tmp"
_OWN_TEMP = re.compile(r"\.pubkit-[a-z0-9_]{8}\.tmp")
"""What :func:`tempfile.mkstemp` makes from the prefix and suffix above."""


def is_own_temp(name: str) -> bool:
    """Whether ``name`` is a temporary file name that :func:`write_atomic` makes."""
    return _OWN_TEMP.fullmatch(name) is not None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files an interrupted run left below ``folder``."""
    count = 0
    if folder.is_dir():
        for tmp in folder.rglob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if is_own_temp(tmp.name) and stat.S_ISREG(tmp.lstat().st_mode):
                    tmp.unlink()
                    count += 1
    return count


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each ``name -> bytes`` below ``folder``; names may not leave it."""
    written = []
    base = folder.resolve()
    for name, data in files.items():
        target = (folder / name).resolve()
        if not target.is_relative_to(base):
            raise ValueError(f"output name {name!r} leaves {folder}")
        write_atomic(target, data)
        written.append(target)
    return written
