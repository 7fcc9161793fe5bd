"""Where a render reads the site's files from: the disk, or a snapshot held in memory.

Every read a render makes of the site (its source, the pictures and files it
references, the logo, templates and message catalogues) goes through one
:class:`SiteFiles`.  On the building machine that is :data:`DISK`, the file
system read through :mod:`pubkit.safeio`.  A worker that cannot see the site
(a Dask worker on another machine) renders from a :class:`MemoryFiles`: the
submitting machine looked at each file the render needs (see
:func:`look`) and sent its bytes, identified by content hash.  The snapshot
answers exactly what the disk answered there, refusals included (a FIFO
stays a FIFO, a symlink keeps its target), so both renders agree byte for
byte.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pubkit.safeio import MEDIA_LIMIT, Unreadable, _not_regular, read_regular, too_large

SHIP_LIMIT = MEDIA_LIMIT
"""The largest file whose bytes travel to a worker (no render reads more of a file)."""


@dataclass(frozen=True, slots=True)
class Stat:
    """What a render asks of a file besides its bytes."""

    mode: int
    size: int
    mtime: float


class SiteFiles:
    """The file system itself (the local build, and the submitting side of a remote one)."""

    def lexists(self, path: Path) -> bool:
        """Whether anything (a dangling symlink too) is at ``path``."""
        return os.path.lexists(path)

    def stat(self, path: Path) -> Stat:
        """``os.stat`` of ``path`` (symlinks followed); :class:`OSError` as the system raises it."""
        st = os.stat(path)
        return Stat(st.st_mode, st.st_size, st.st_mtime)

    def is_dir(self, path: Path) -> bool:
        try:
            return stat.S_ISDIR(self.stat(path).mode)
        except OSError:
            return False

    def resolve(self, path: Path, strict: bool = False) -> Path:
        """``path`` with symlinks and ``..`` resolved, as :meth:`Path.resolve`."""
        return path.resolve(strict=strict)

    def resolve_with_folder(self, path: Path, folders: dict[Path, Path] | None = None) -> tuple[Path, Path]:
        """:meth:`resolve` of ``path`` and of its folder (taken from ``folders`` when it holds it,
        and kept there: the files of one folder share it).

        A file that is not a symbolic link resolves to its resolved folder and
        its name: one ``lstat`` instead of one per component of the path.
        """
        folder = folders.get(path.parent) if folders is not None else None
        if folder is None:
            folder = self.resolve(path.parent)
            if folders is not None:
                folders[path.parent] = folder
        if path.name in ("", ".", "..") or os.path.islink(path):
            return self.resolve(path), folder
        return folder / path.name, folder

    def read(self, path: Path, limit: int, follow_symlinks: bool = True) -> bytes:
        """:func:`pubkit.safeio.read_regular` of ``path``."""
        return read_regular(path, limit, follow_symlinks=follow_symlinks)

    def digest(self, path: Path) -> str | None:
        """The sha256 of the regular file at ``path``; None for anything else."""
        try:
            if not stat.S_ISREG(self.stat(path).mode):
                return None
            return hashlib.sha256(self.read(path, MEDIA_LIMIT)).hexdigest()
        except OSError:
            return None


DISK = SiteFiles()


@dataclass(frozen=True, slots=True)
class Node:
    """One path as the submitting machine saw it.

    ``real`` is where it resolves to (itself when no symlink is on the way),
    None when nothing is there; ``link`` whether the path itself is a
    symlink; ``digest`` names the bytes of a regular file (None when it was
    too large to send, or unreadable: ``error`` then holds its errno and words).
    """

    real: str | None
    link: bool = False
    mode: int = 0
    size: int = 0
    mtime: float = 0.0
    digest: str | None = None
    error: tuple[int, str] | None = None


def look(path: Path, blobs: dict[str, bytes], allowed: tuple[Path, ...]) -> dict[str, Node]:
    """The nodes a worker needs to answer for ``path`` as the disk does here.

    The bytes of a regular file inside the ``allowed`` folders (the
    policy's) go into ``blobs`` under their sha256; of a file outside them
    only the hash is kept (a render refuses to read it anyway).
    Returns the node of ``path`` (by its normalised name) and, when it
    resolves elsewhere, the node of its real path too.
    """
    name = os.path.normpath(path)
    link = os.path.islink(name)
    try:
        real = os.path.realpath(name, strict=True)
        st = os.stat(real)
    except (OSError, RuntimeError):
        return {name: Node(None, link)}
    nodes: dict[str, Node] = {}
    digest: str | None = None
    error: tuple[int, str] | None = None
    inside = any(Path(real).is_relative_to(d) for d in allowed)
    if stat.S_ISREG(st.st_mode) and st.st_size <= SHIP_LIMIT:
        try:
            data = read_regular(real, SHIP_LIMIT, follow_symlinks=False)
            # Outside the allowed folders only the hash travels (the manifest records it).
            digest = hashlib.sha256(data).hexdigest()
            if inside:
                blobs.setdefault(digest, data)
        except OSError as exc:
            error = (exc.errno or errno.EIO, exc.strerror or str(exc))
    node = Node(real, False, st.st_mode, st.st_size, st.st_mtime, digest, error)
    nodes[real] = node
    if real != name:
        nodes[name] = Node(real, link, st.st_mode, st.st_size, st.st_mtime, digest, error)
    return nodes


def look_tree(folder: Path, blobs: dict[str, bytes], allowed: tuple[Path, ...]) -> dict[str, Node]:
    """:func:`look` of ``folder`` and of everything below it (a theme's, an asset folder)."""
    nodes = look(folder, blobs, allowed)
    real = nodes[os.path.normpath(folder)].real
    if real is None or not stat.S_ISDIR(nodes[real].mode):
        return nodes
    for base, dirs, files in os.walk(real):
        dirs.sort()
        for entry in sorted(dirs + files):
            nodes.update(look(Path(base) / entry, blobs, allowed))
    return nodes


class MemoryFiles(SiteFiles):
    """The site as a snapshot: nodes by path, file bytes by sha256 (on a worker).

    The site's own part stays for the worker's life; each task's part (its
    source and pictures) replaces the previous task's, so a worker holds one
    article's files at a time.
    """

    def __init__(self, nodes: dict[str, Node] | None = None,
                 blobs: dict[str, bytes] | None = None) -> None:
        self.nodes: dict[str, Node] = dict(nodes or {})
        self.blobs: dict[str, bytes] = dict(blobs or {})
        self.task_nodes: dict[str, Node] = {}
        self.task_blobs: dict[str, bytes] = {}

    def for_task(self, nodes: dict[str, Node], blobs: dict[str, bytes]) -> None:
        """Hold one task's files (and drop the previous task's)."""
        self.task_nodes = nodes
        self.task_blobs = blobs

    def _lookup(self, name: str) -> Node | None:
        node = self.task_nodes.get(name)
        return self.nodes.get(name) if node is None else node

    def _node(self, path: Path) -> Node | None:
        name = os.path.normpath(path)
        node = self._lookup(name)
        if node is None:
            # Below a folder the snapshot knows: its real place, if a symlinked folder leads there.
            parent, leaf = os.path.split(name)
            if parent != name:
                above = self._node(Path(parent))
                if above is not None and above.real is not None and above.real != parent:
                    return self._lookup(os.path.join(above.real, leaf))
        return node

    def _missing(self, path: Path) -> FileNotFoundError:
        return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))

    def lexists(self, path: Path) -> bool:
        node = self._node(path)
        return node is not None and (node.real is not None or node.link)

    def stat(self, path: Path) -> Stat:
        node = self._node(path)
        if node is None or node.real is None:
            raise self._missing(path)
        return Stat(node.mode, node.size, node.mtime)

    def resolve(self, path: Path, strict: bool = False) -> Path:
        node = self._node(path)
        if node is None or node.real is None:
            if strict:
                raise self._missing(path)
            return Path(os.path.normpath(path))
        return Path(node.real)

    def resolve_with_folder(self, path: Path, folders: dict[Path, Path] | None = None) -> tuple[Path, Path]:
        return self.resolve(path), self.resolve(path.parent)

    def read(self, path: Path, limit: int, follow_symlinks: bool = True) -> bytes:
        node = self._node(path)
        if node is not None and node.link and not follow_symlinks:
            raise Unreadable(path, "a symbolic link, not a regular file", errno.ELOOP)
        if node is None or node.real is None:
            raise self._missing(path)
        if not stat.S_ISREG(node.mode):
            raise _not_regular(path, node.mode)
        if node.size > limit:
            raise too_large(path, limit)
        if node.error is not None:
            raise OSError(node.error[0], node.error[1], str(path))
        digest = node.digest or ""
        data = self.task_blobs.get(digest)
        if data is None:
            data = self.blobs.get(digest)
        if data is None:  # the submitting side sends every file it looked at
            raise OSError(errno.EIO, "not sent to this worker", str(path))
        if len(data) > limit:
            raise too_large(path, limit)
        return data

    def digest(self, path: Path) -> str | None:
        node = self._node(path)
        if node is None or node.real is None or not stat.S_ISREG(node.mode) or node.error:
            return None
        return node.digest
