"""The one way pubkit reads a file it did not write: never blocking, regular files only, bounded.

Every input (articles, newsletters, pictures, linked files, templates,
``pubkit.toml``, the recipients CSV, the build manifest) may be something
other than what its name says: a FIFO that would block ``open()`` forever, a
device such as ``/dev/zero`` that never ends, a folder, a symlink to either,
or a file far larger than anything pubkit should hold in memory.  So a read
here looks before it opens (``stat`` refuses what is plainly not a file
without opening it: opening some devices has side effects), opens with
``O_NONBLOCK`` (a FIFO swapped in after the look opens at once instead of
waiting for a writer) and ``O_NOCTTY``, checks again with ``fstat`` on the
open descriptor (the file actually opened, not the name), and reads at most
``limit + 1`` bytes whatever the size says: a file can grow between ``fstat``
and ``read``, and files under ``/proc`` report a size of 0.

A refusal is an :class:`Unreadable`, an :class:`OSError` whose ``strerror``
says why in words, so callers that already report ``exc.strerror`` need no
change; the system's own errors (a missing file, no permission) pass through
as they are.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

SOURCE_LIMIT = 20 * MIB
"""An article or newsletter issue (a long article is well under 1 MiB)."""
MEDIA_LIMIT = 20 * MIB
"""A picture or linked file (the same as a remote download)."""
TEMPLATE_LIMIT = 20 * MIB
"""A template, stylesheet or reference document."""
FONT_LIMIT = 128 * MIB
"""A system font file WeasyPrint embeds (the largest Noto CJK collection is 27 MiB)."""
SETTINGS_LIMIT = 1 * MIB
"""``pubkit.toml`` (the commented default is about 4 KiB)."""
CSV_LIMIT = 200 * MIB
"""A recipients list (a million rows of 200 bytes)."""
MANIFEST_LIMIT = 256 * MIB
"""The build manifest (about 1 KiB per article and format)."""

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_CHUNK = 1 * MIB


class Unreadable(OSError):
    """``path`` is not a regular file pubkit will read; ``strerror`` says why."""

    def __init__(self, path: str | os.PathLike[str], reason: str, code: int = errno.EINVAL) -> None:
        super().__init__(code, reason, os.fspath(path))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(path: str | os.PathLike[str], mode: int) -> Unreadable:
    kind = _kind(mode)
    reason = kind if kind == "not a regular file" else f"{kind}, not a regular file"
    return Unreadable(path, reason, errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL)


def too_large(path: str | os.PathLike[str], limit: int) -> Unreadable:
    return Unreadable(path, f"larger than the limit of {_size(limit)}", errno.EFBIG)


def _size(n: int) -> str:
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= KIB and n % KIB == 0:
        return f"{n // KIB} KiB"
    return f"{n} bytes"


def open_regular(path: str | os.PathLike[str], *, follow_symlinks: bool = True) -> int:
    """A descriptor open for reading on the regular file at ``path``, or :class:`Unreadable`.

    With ``follow_symlinks=False`` a symlink as the last part of ``path`` is
    refused (for paths already resolved and checked by the caller, so that a
    link swapped in afterwards is not followed).  The caller closes the descriptor.
    """
    before = os.stat(path, follow_symlinks=follow_symlinks)  # FileNotFoundError etc. as they are
    if stat.S_ISLNK(before.st_mode):
        raise Unreadable(path, "a symbolic link, not a regular file", errno.ELOOP)
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, before.st_mode)
    flags = _OPEN_FLAGS | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise Unreadable(path, "a symbolic link, not a regular file", errno.ELOOP) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the look and the open
            raise _not_regular(path, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | os.PathLike[str], limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them, or :class:`Unreadable`."""
    fd = open_regular(path, follow_symlinks=follow_symlinks)
    try:
        if os.fstat(fd).st_size > limit:  # refusing early is safe; accepting needs the read
            raise too_large(path, limit)
        buffer = bytearray()
        while len(buffer) <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
    finally:
        os.close(fd)
    if len(buffer) > limit:
        raise too_large(path, limit)
    return bytes(buffer)


def read_text(path: str | os.PathLike[str], limit: int, *, encoding: str = "utf-8") -> str:
    """:func:`read_regular`, decoded (a :class:`UnicodeDecodeError` is the caller's to report)."""
    return read_regular(path, limit).decode(encoding)


def regular_or_absent(path: Path) -> None:
    """Refuse anything but a regular file at ``path`` (nothing there is fine).

    For files another library opens itself, such as SQLite databases: a FIFO
    would hang it, a folder or device would fail it late.

    Raises:
        Unreadable: something other than a regular file is there, or it cannot be looked at.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise Unreadable(path, f"cannot open: {exc.strerror or exc}", exc.errno or errno.EIO) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)


def exists(path: Path) -> bool:
    """Whether anything (a dangling symlink too) is at ``path``: a name taken is never a default."""
    return os.path.lexists(path)
