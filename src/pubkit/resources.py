"""The site boundary: which files and URLs a renderer may read.

One policy serves every format.  A local reference resolves relative to the
article's folder (or the site root when it starts with ``/``), symlinks are
followed, and the real target must be a regular file inside the site's
content, template or asset folders.  ``file:`` URLs, escapes with ``..``,
device files and FIFOs are refused.  The network is off unless the site or
the command line allows it, and then only public http(s) addresses, with no
redirects and one time limit for the whole fetch (:mod:`pubkit.remote`).
"""

from __future__ import annotations

import stat
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pubkit.safeio import MEDIA_LIMIT, Unreadable
from pubkit.sitefiles import DISK, SiteFiles

REMOTE_TIMEOUT = 10.0
REMOTE_MAX_BYTES = MEDIA_LIMIT


class Refused(Exception):
    """A resource was refused; the message says why."""


class Missing(Refused):
    """A local resource does not exist (as opposed to one refused for safety)."""


def is_remote(ref: str) -> bool:
    return urllib.parse.urlsplit(ref).scheme.lower() in ("http", "https") or ref.startswith("//")


@dataclass(frozen=True)
class ResourcePolicy:
    root: Path
    allowed_dirs: tuple[Path, ...]
    allow_remote: bool = False
    files: SiteFiles = DISK
    """Where local files are read: the disk, or the snapshot a remote worker was sent."""

    @classmethod
    def for_dirs(cls, root: Path, dirs: Iterable[Path], allow_remote: bool = False,
                 files: SiteFiles = DISK) -> ResourcePolicy:
        return cls(files.resolve(root), tuple(files.resolve(d) for d in dirs), allow_remote, files)

    def local_path(self, ref: str, base_dir: Path) -> Path:
        """The real path ``ref`` names, or :class:`Refused`."""
        parts = urllib.parse.urlsplit(ref)
        scheme = parts.scheme.lower()
        if scheme == "file":
            raise Refused(f"file: URLs are not allowed ({ref})")
        if scheme and len(scheme) > 1:  # not a Windows drive letter
            raise Refused(f"{scheme}: references are not local files ({ref})")
        rel = urllib.parse.unquote(parts.path)
        if not rel:
            raise Refused("empty reference")
        if "\x00" in rel:
            raise Refused("NUL in path")
        candidate = self.root / rel.lstrip("/") if rel.startswith("/") else base_dir / rel
        return self.check_path(candidate, ref)

    def check_path(self, candidate: Path, ref: str | None = None) -> Path:
        """``candidate`` resolved, if it is a regular file inside the allowed folders."""
        shown = ref or str(candidate)
        try:
            real = self.files.resolve(candidate, strict=True)
        except (OSError, RuntimeError):
            raise Missing(f"{shown} does not exist") from None
        if not any(real.is_relative_to(d) for d in self.allowed_dirs):
            raise Refused(f"{shown} is outside the site's content, template and asset folders")
        try:
            mode = self.files.stat(real).mode
        except OSError as exc:
            raise Refused(f"{shown}: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            raise Refused(f"{shown} is not a regular file")
        return real

    def read_checked(self, path: Path, ref: str | None = None, limit: int = MEDIA_LIMIT) -> bytes:
        """The bytes of ``path``, held to the boundary again as it is read."""
        return self.read(self.check_path(path, ref), limit, ref)

    def read_local(self, ref: str, base_dir: Path, limit: int = MEDIA_LIMIT) -> bytes:
        return self.read(self.local_path(ref, base_dir), limit, ref)

    def read(self, real: Path, limit: int = MEDIA_LIMIT, ref: str | None = None) -> bytes:
        """The bytes of a path :meth:`check_path` returned, read safely, or :class:`Refused`.

        The final name is not followed again: a symlink or FIFO put in its place
        after the check is refused, not read or waited on.
        """
        shown = ref or real.name
        try:
            return self.files.read(real, limit, follow_symlinks=False)
        except Unreadable as exc:
            raise Refused(f"{shown} is {exc.strerror}") from None
        except OSError as exc:
            raise Refused(f"{shown}: {exc.strerror or exc}") from None

    def fetch_remote(self, url: str, timeout: float = REMOTE_TIMEOUT) -> tuple[bytes, str | None]:
        """Body and content type of a public http(s) URL, or :class:`Refused`
        (:mod:`pubkit.remote` says what a server is kept from doing)."""
        from pubkit import remote  # http.client and ssl load when a file is fetched

        if not self.allow_remote:
            raise Refused(f"remote resources are off ({url}); allow them with --allow-remote")
        try:
            return remote.fetch(url, timeout, REMOTE_MAX_BYTES)
        except remote.RemoteRefused as exc:
            raise Refused(str(exc)) from None
