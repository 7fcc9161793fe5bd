"""The one place outputs reach the disk: temporary file, flush, fsync, ``os.replace``.

A crash leaves either the old file or the new one, never half of either,
and at worst a hidden ``.*.tmp`` file that the next write of the same
target cleans up.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
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
        for tmp in folder.rglob(f".*{TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
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
