"""One build at a time per output folder: an ``flock`` on a file inside it.

The kernel drops the lock when its holder exits, however it exits, so a
crashed build never blocks the next one.  The holder writes its PID into the
file so that a second build can name it.

The output folder is untrusted, and the holder truncates and writes the
file, so it is opened only if it is what pubkit itself makes there: never
through a symlink (``O_NOFOLLOW``, so a link to ``/etc/passwd`` or a dangling
one is refused, not followed or created), and only a regular file with one
link, owned by this user (checked with ``fstat`` on the open descriptor).
Anything else is a :class:`LockUnsafe` naming the file, and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from pubkit.diagnostics import ConfigError

LOCK_NAME = ".pubkit-build.lock"
_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)


class LockUnsafe(ConfigError):
    """The lock file is something pubkit did not make (exit code 2); the message says what."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path}: the build lock is {what}, which pubkit did not make; "
                         "remove it and build again")


class LockHeld(Exception):
    """Another process holds the lock; ``pid`` is its process id when known."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"another build ({who}) is running in {path.parent}")


class BuildLock:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now, or raise :class:`LockHeld` at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open_own(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LockHeld(self.path, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _open_own(path: Path) -> int:
    """``path`` opened for the lock, or :class:`LockUnsafe` when it is not pubkit's own file."""
    try:
        fd = os.open(path, _FLAGS, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockUnsafe(path, "a symbolic link") from None
        if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ENODEV):
            raise LockUnsafe(path, "not a regular file") from None
        raise
    info = os.fstat(fd)
    what = None
    if not stat.S_ISREG(info.st_mode):
        what = "not a regular file"
    elif info.st_nlink != 1:
        what = "a hard link to another file"
    elif info.st_uid != os.geteuid():
        what = f"owned by another user (uid {info.st_uid})"
    if what is not None:
        os.close(fd)
        raise LockUnsafe(path, what)
    return fd


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
