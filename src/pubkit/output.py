"""The one place outputs reach the disk: temporary file, flush, fsync, ``os.replace``.

A crash leaves either the old file or the new one, never half of either,
and at worst a hidden ``.pubkit-<24 hex digits>.tmp`` file that the next
build cleans up.  Only names of exactly that shape, that pubkit makes itself
(:func:`_temp_name`), are ever deleted as temporary files, and only when they
are regular files.

The output folder is untrusted: anyone (or an earlier crafted manifest) may
have put symlinks in it.  So below the output folder every write and delete
walks the path one folder at a time with ``O_NOFOLLOW`` descriptors
(:func:`write_below`, :func:`remove_below`): a symlinked subfolder is
refused, never followed, and a name that is absolute, empty, holds ``..``,
a backslash or a control character is refused before anything is touched.
The output folder itself is the user's choice and may be a symlink.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

TMP_PREFIX = ".pubkit-"
TMP_SUFFIX = ".tmp"
_OWN_TEMP = re.compile(r"\.pubkit-[0-9a-f]{24}\.tmp")
"""What :func:`_temp_name` makes from the prefix and suffix above, and nothing else."""
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]")
MAX_NAME_BYTES = 255
"""The longest file name Linux file systems hold (one path part, in bytes)."""


class UnsafeOutput(OSError):
    """A name or folder below the output folder that pubkit will not write or delete through."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(errno.EPERM, reason, os.fspath(path))


def is_own_temp(name: str) -> bool:
    """Whether ``name`` is a temporary file name that :func:`write_atomic` makes."""
    return _OWN_TEMP.fullmatch(name) is not None


def _temp_name() -> str:
    return f"{TMP_PREFIX}{secrets.token_hex(12)}{TMP_SUFFIX}"


def check_name(name: str) -> tuple[str, ...]:
    """The parts of ``name``, a relative path below an output folder, or :class:`UnsafeOutput`."""
    if not name or name.startswith("/") or _BAD_NAME.search(name):
        raise UnsafeOutput(name, "not a plain relative name below the output folder")
    parts = tuple(name.split("/"))
    if "" in parts or "." in parts or ".." in parts:  # "a//b", "a/", "./a" are not names pubkit makes
        raise UnsafeOutput(name, "a name that leaves the output folder")
    if len(name) > MAX_NAME_BYTES // 4:  # shorter, no part can pass the limit even in UTF-8
        for part in parts:
            if len(os.fsencode(part)) > MAX_NAME_BYTES:
                raise UnsafeOutput(name, f"a name longer than {MAX_NAME_BYTES} bytes")
    return parts


_ODD_PARTS = ("\n\n", "\n/", "/\n", "//", "\n.\n", "\n..\n", "\n./", "\n../",
              "/.\n", "/..\n", "/./", "/../")
"""In names one a line, framed by line breaks: an empty, ``.`` or ``..`` part (a leading ``/``
is an empty first part).  Substring tests, each a scan in C: a regular expression with
anchors tried at every position cost ten times as much over a big manifest's names."""


def check_names(names: list[str]) -> None:
    """:func:`check_name` of every one of ``names``, in a few passes over them all.

    For the manifest of a big site (60,000 names, read by every build): one
    search for a bad character over all the names, then a substring test per
    kind of odd part over them one a line (no name holds a line break once the
    first has passed), and the byte length of only the long ones.  Anything
    found is checked name by name, for the message.
    """
    if not names:
        return
    odd = _BAD_NAME.search("/".join(names)) is not None
    if not odd:
        lines = "\n" + "\n".join(names) + "\n"
        odd = any(part in lines for part in _ODD_PARTS)
    if odd:
        for name in names:
            check_name(name)
    for name in names:
        if len(name) > MAX_NAME_BYTES // 4:
            check_name(name)


@contextlib.contextmanager
def _folder_fd(base: Path, parts: tuple[str, ...], create: bool) -> Iterator[int]:
    """A descriptor on ``base/parts...``, each part opened without following a symlink."""
    try:
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise _named(exc, base) from None
    try:
        where = base
        for part in parts:
            where = where / part
            try:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeOutput(where, "not a folder pubkit made (a symbolic link or a "
                                              "file); remove it and run again") from None
                raise _named(exc, where) from None
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming the whole ``path`` (calls relative to a descriptor name only the last part)."""
    if isinstance(exc, UnsafeOutput):
        return exc
    return OSError(exc.errno, exc.strerror, str(path))


def _write_in(fd: int, name: str, data: bytes, shown: Path, sync: bool = True) -> None:
    try:
        _write_temp_then_replace(fd, name, data, shown, sync)
    except OSError as exc:
        raise _named(exc, shown) from None


def _write_temp_then_replace(fd: int, name: str, data: bytes, shown: Path, sync: bool) -> None:
    tmp = _temp_name()
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                  0o644, dir_fd=fd)
    try:
        with os.fdopen(out, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        try:
            kind = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            kind = stat.S_IFREG
        if stat.S_ISDIR(kind):
            raise UnsafeOutput(shown, "a folder stands where the file goes")
        # os.replace renames over a symlink itself, never through it.
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (its folder is created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_fd(path.parent, (), create=False) as fd:
        _write_in(fd, path.name, data, path)


def write_below(folder: Path, name: str, data: bytes, sync: bool = True) -> Path:
    """Write ``data`` to ``folder/name`` without following a symlink below ``folder``.

    ``sync=False`` skips the fsync, for a cache entry that a crash may lose (or tear, when it
    is checked as it is read) but that costs a disk flush each for a thousand articles.
    """
    parts = check_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(*parts)
    with _folder_fd(folder, parts[:-1], create=True) as fd:
        _write_in(fd, parts[-1], data, target, sync)
    return target


def folder_below(folder: Path, name: str) -> Path:
    """``folder/name``, made if missing, with no symlink on the way (else :class:`UnsafeOutput`)."""
    parts = check_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    with _folder_fd(folder, parts, create=True):
        pass
    return folder / Path(*parts)


def remove_below(folder: Path, name: str) -> bool:
    """Delete the regular file (or symlink) ``folder/name``, never through a symlink; whether it was there.

    A now-empty folder it was in (a newsletter's) is removed too.
    """
    parts = check_name(name)
    try:
        with _folder_fd(folder, parts[:-1], create=False) as fd:
            try:
                mode = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode
            except FileNotFoundError:
                return False
            if stat.S_ISDIR(mode):
                raise UnsafeOutput(folder / name, "a folder, which pubkit never deletes")
            os.unlink(parts[-1], dir_fd=fd)
    except FileNotFoundError:
        return False
    if len(parts) > 1:
        with contextlib.suppress(OSError), _folder_fd(folder, parts[:-2], create=False) as fd:
            os.rmdir(parts[-2], dir_fd=fd)  # fails, as wanted, unless empty
    return True


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files an interrupted run left below ``folder`` (never through a symlink).

    A walk over strings with :func:`os.scandir`, whose entries know their type
    without a stat: the output folder of a big site holds 50,000 files, and
    every build looks through them.
    """
    count = 0
    if not folder.is_dir():
        return 0
    top = os.fspath(folder)
    stack = [""]
    while stack:
        below = stack.pop()
        try:
            with os.scandir(os.path.join(top, below) if below else top) as it:
                for item in it:
                    name = item.name
                    if item.is_dir(follow_symlinks=False):
                        stack.append(f"{below}/{name}" if below else name)
                    elif (name.startswith(TMP_PREFIX) and is_own_temp(name)
                          and item.is_file(follow_symlinks=False)):
                        with contextlib.suppress(OSError):
                            if remove_below(folder, f"{below}/{name}" if below else name):
                                count += 1
        except OSError:
            continue
    return count


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each ``name -> bytes`` below ``folder``; names may not leave it, nor pass a symlink."""
    for name in files:
        check_name(name)  # refuse the whole set before writing any of it
    return [write_below(folder, name, data) for name, data in files.items()]
