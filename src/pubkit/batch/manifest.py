"""The build manifest: what each output was built from, kept in the output folder.

For every source it records the hash of the source bytes, the files the
source uses (images, linked files, the logo) with their hashes, and for each
format a key (pubkit's and the renderer's version, the relevant settings, the
templates' contents) and the output files written with their sizes.  An
output is up to date when all of these still match.  The file is replaced
atomically and only after the outputs it describes are in place.

The files sources use are also recorded with their stat (size, modification
and change times, inode) next to their hash, so that a build of an unchanged
site of ten thousand articles stats each picture instead of reading it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit import __version__
from pubkit.output import check_names, write_atomic
from pubkit.safeio import MANIFEST_LIMIT, MEDIA_LIMIT, read_regular

if TYPE_CHECKING:
    from pubkit.media.types import PictureFacts

MANIFEST_NAME = ".pubkit-manifest.json"
_HEX64 = re.compile("[0-9a-f]{64}")
SCHEMA = 2


class ManifestError(Exception):
    """The manifest cannot be used; the message says why."""


@dataclass
class FormatRecord:
    """One output of one source."""

    key: str | None
    """Hash of everything besides the source and its files; None forces a rebuild."""
    outputs: dict[str, int] = field(default_factory=dict)
    """Written files (relative to the output folder) and their sizes."""


@dataclass
class SourceRecord:
    source_hash: str
    slug: str | None = None
    title: str | None = None
    deps: dict[str, str | None] = field(default_factory=dict)
    """Files the source uses (relative to the site root) -> sha256, None when missing."""
    formats: dict[str, FormatRecord] = field(default_factory=dict)


FileStat = tuple[str, int, int, int, int]
"""A file's sha256 and the stat it was read with: size, mtime and ctime (ns), inode."""
KnownPicture = tuple[str, "PictureFacts"]
"""A picture's file hash (sha256 of the file as read) and what its check found."""
MAX_SIDE = 1 << 20
"""No checked picture is wider or taller (the pixel budget refuses far smaller ones)."""


@dataclass
class Manifest:
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    pages: FormatRecord | None = None
    """The site's own pages (home, topics, sitemap, feed, icon): built from the index, no source."""
    files: dict[str, FileStat] = field(default_factory=dict)
    """Files the sources use (their names as in ``deps``) -> hash and stat when last hashed."""
    written_ns: int = 0
    """Modification time of the manifest file as read (0: new), for the racy-stat rule."""
    pictures: dict[str, KnownPicture] = field(default_factory=dict)
    """Pictures the web pages gave copies (names as in ``deps``): the file's hash when checked
    and the facts the copies' names come from, so the site's pages need not decode them."""

    def owners(self) -> dict[str, str]:
        """Output file -> the source whose record lists it first."""
        owned: dict[str, str] = {}
        for source, record in self.sources.items():
            for fmt in record.formats.values():
                for name in fmt.outputs:
                    owned.setdefault(name, source)
        return owned

    def referenced(self) -> set[str]:
        names = {name for r in self.sources.values() for f in r.formats.values() for name in f.outputs}
        return names | set(self.pages.outputs if self.pages else ())

    def to_json(self) -> dict[str, Any]:
        pages = None if self.pages is None else {
            "key": self.pages.key, "outputs": dict(sorted(self.pages.outputs.items()))}
        return {
            "schema": SCHEMA,
            "pages": pages,
            "pubkit": __version__,
            "sources": {
                src: {
                    "source_hash": r.source_hash,
                    "slug": r.slug,
                    "title": r.title,
                    # As recorded (in the order the renderer gave them): sorting the
                    # tables of 10,000 records cost more than writing them.
                    "deps": r.deps,
                    "formats": {name: {"key": f.key, "outputs": f.outputs} for name, f in r.formats.items()},
                }
                for src, r in sorted(self.sources.items())
            },
            "files": {name: list(st) for name, st in sorted(self.files.items())},
            "pictures": {name: [raw, f.digest, f.type, f.width, f.height]
                         for name, (raw, f) in sorted(self.pictures.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """The manifest ``data`` describes, or :class:`ManifestError` if any part is ill-shaped.

        Every name in it becomes a path that a build reads (sources, the files
        they use) or deletes (outputs), so each must be a plain relative name
        below its folder (:func:`pubkit.output.check_name`): one record that
        is not makes the whole file untrusted.
        """
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ManifestError("unknown manifest schema")
        try:
            sources = _records(data["sources"])
            files = _files(data.get("files", {}))
            pages = _pages_record(data.get("pages"))
            pictures = _pictures(data.get("pictures", {}))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
            raise ManifestError(f"malformed manifest ({type(exc).__name__}: {exc})") from None
        return cls(sources, pages, files, pictures=pictures)


def _pictures(table: Any) -> dict[str, KnownPicture]:
    """The ``pictures`` table: plain relative names, each with two sha256, a type that gets
    copies and a size in range (a forged size would only mislabel copies that exist)."""
    if not isinstance(table, dict):
        raise ValueError("'pictures' is not a table")
    if not table:
        return {}
    from pubkit.media.types import SCALED_TYPES, PictureFacts

    check_names(list(table))
    out: dict[str, KnownPicture] = {}
    for name, value in table.items():
        if (not isinstance(value, list) or len(value) != 5
                or not all(isinstance(v, str) and _HEX64.fullmatch(v) for v in value[:2])
                or value[2] not in SCALED_TYPES
                or not all(type(v) is int and 0 < v <= MAX_SIDE for v in value[3:])):
            raise ValueError(f"{name!r}: not a picture record")
        out[name] = (value[0], PictureFacts(value[1], value[2], value[3], value[4]))
    return out


def _pages_record(data: Any) -> FormatRecord | None:
    """The site pages' record, checked like a source's format record."""
    if data is None:
        return None
    _check_format(data)
    key = data["key"]
    return FormatRecord(None if key is None else str(key),
                        {str(k): int(v) for k, v in data["outputs"].items()})


def _files(table: Any) -> dict[str, FileStat]:
    """The ``files`` table: plain relative names, each with a sha256 and four whole numbers."""
    if not isinstance(table, dict):
        raise ValueError("'files' is not a table")
    out: dict[str, FileStat] = {}
    check_names(list(table))
    for name, value in table.items():
        if (not isinstance(value, list) or len(value) != 5 or not isinstance(value[0], str)
                or len(value[0]) != 64
                or not all(type(v) is int and v >= 0 for v in value[1:])):
            raise ValueError(f"{name!r}: not a file record")
        out[name] = (value[0], value[1], value[2], value[3], value[4])
    return out


def _records(sources: Any) -> dict[str, SourceRecord]:
    """The ``sources`` table as records; ``ValueError`` (``OSError``) for a wrong shape or unsafe name.

    One pass that checks and builds (a manifest of 10,000 articles is read by every
    build), then every name at once; a name many records share (a common picture) once.
    """
    if not isinstance(sources, dict):
        raise ValueError("'sources' is not a table")
    names: list[str] = []  # checked all at once at the end (check_names)
    keys: dict[str, str] = {}  # one string for the format key every record repeats

    out: dict[str, SourceRecord] = {}
    for src, record in sources.items():
        names.append(src)
        if not isinstance(record, dict) or not isinstance(record.get("source_hash"), str):
            raise ValueError(f"{src!r}: not a source record")
        slug, title = record.get("slug"), record.get("title")
        if not isinstance(slug, str | None) or not isinstance(title, str | None):
            raise ValueError(f"{src!r}: slug or title is not text")
        deps, formats = record.get("deps"), record.get("formats")
        if not isinstance(deps, dict) or not isinstance(formats, dict):
            raise ValueError(f"{src!r}: deps or formats is not a table")
        for dep, digest in deps.items():
            if not dep.startswith("@"):  # "@work:slug" entries name no file
                names.append(dep)
            if digest is not None and not isinstance(digest, str):
                raise ValueError(f"{src!r}: {dep!r} has no hash")
        done: dict[str, FormatRecord] = {}
        for fmt_name, fmt in formats.items():
            if not isinstance(fmt, dict) or not isinstance(outputs := fmt.get("outputs"), dict):
                raise ValueError(f"{src!r}: not a format record")
            key = fmt.get("key")
            if key is not None and not isinstance(key, str):
                raise ValueError(f"{src!r}: a format key is not text")
            names.extend(outputs)
            for name, size in outputs.items():
                if type(size) is not int or size < 0:
                    raise ValueError(f"{name!r}: size is not a whole number")
            done[fmt_name] = FormatRecord(None if key is None else keys.setdefault(key, key), outputs)
        out[src] = SourceRecord(record["source_hash"], slug, title, deps, done)
    check_names(list(dict.fromkeys(names)))
    return out


def _check_format(fmt: Any, src: str = "pages") -> None:
    if not isinstance(fmt, dict) or not isinstance(fmt.get("outputs"), dict):
        raise ValueError(f"{src!r}: not a format record")
    if fmt.get("key") is not None and not isinstance(fmt["key"], str):
        raise ValueError(f"{src!r}: a format key is not text")
    check_names(list(fmt["outputs"]))
    for name, size in fmt["outputs"].items():
        if type(size) is not int or size < 0:
            raise ValueError(f"{name!r}: size is not a whole number")


def load_manifest(out_dir: Path) -> tuple[Manifest, str | None]:
    """The manifest of ``out_dir`` and a warning when it had to be discarded."""
    path = out_dir / MANIFEST_NAME
    try:
        # Never through a symlink: the manifest is pubkit's own file, and the output folder untrusted.
        raw = read_regular(path, MANIFEST_LIMIT, follow_symlinks=False)
    except FileNotFoundError:
        if out_dir.is_dir() and any(p.name != ".pubkit-build.lock" for p in out_dir.iterdir()):
            return Manifest(), f"{path}: no build manifest; rebuilding everything"
        return Manifest(), None
    except OSError as exc:
        return Manifest(), f"{path}: cannot read the build manifest ({exc}); rebuilding everything"
    try:
        manifest = Manifest.from_json(json.loads(raw))
        manifest.written_ns = os.stat(path, follow_symlinks=False).st_mtime_ns
        return manifest, None
    except OSError as exc:
        return Manifest(), f"{path}: cannot read the build manifest ({exc}); rebuilding everything"
    except (ValueError, ManifestError, RecursionError) as exc:
        return Manifest(), f"{path}: build manifest is corrupt ({exc}); rebuilding everything"


def save_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Write the manifest, in ASCII: one accented title would make Python build, write and
    read back a text of wide characters, at twice the cost on a big site."""
    data = json.dumps(manifest.to_json(), separators=(",", ":"))
    write_atomic(out_dir / MANIFEST_NAME, data.encode("ascii"))


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileHashes:
    """sha256 of files, each read once per build; None for what is not a regular file."""

    def __init__(self) -> None:
        self._seen: dict[Path, str | None] = {}

    def __call__(self, path: Path) -> str | None:
        if path not in self._seen:
            try:
                self._seen[path] = hash_bytes(read_regular(path, MEDIA_LIMIT)) if path.is_file() else None
            except OSError:
                self._seen[path] = None
        return self._seen[path]


RACY_NS = 2_000_000_000
"""A file changed this close to the manifest's writing may have changed unseen by its stat."""


class DepHashes:
    """sha256 of the files sources use, by their names in ``deps``; None for what is not a regular file.

    As git does for its index (and the site index for sources): a file whose
    size, modification and change times and inode equal those recorded in the
    manifest, both times older than the manifest itself by :data:`RACY_NS`,
    has the bytes hashed then, and is not read again.  Anything else is read
    (after its stat, so that a change during the read shows at the next
    stat).  Each name is looked at once per build.
    """

    def __init__(self, root: Path, known: dict[str, FileStat] | None = None, written_ns: int = 0) -> None:
        self.prefix = os.path.join(root, "")
        self.known = known or {}
        self.trusted_before = written_ns - RACY_NS
        self.seen: dict[str, str | None] = {}
        self.stats: dict[str, FileStat] = {}
        """What was found this build, for the next manifest."""
        self.read = 0
        """Files read (not trusted from their stat) since the manifest was last saved."""

    def __call__(self, name: str) -> str | None:
        if name in self.seen:
            return self.seen[name]
        digest = self.seen[name] = self._hash(name)
        return digest

    def _hash(self, name: str) -> str | None:
        path = name if name.startswith("/") else self.prefix + name
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        now = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        old = self.known.get(name)
        if (old is not None and old[1:] == now and st.st_mtime_ns < self.trusted_before
                and st.st_ctime_ns < self.trusted_before):
            digest = old[0]
        else:
            try:
                digest = hash_bytes(read_regular(path, MEDIA_LIMIT))
            except OSError:
                return None
            self.read += 1
        self.stats[name] = (digest, *now)
        return digest

    def table(self, names: set[str]) -> dict[str, FileStat]:
        """The records of ``names`` (those used by some source) for the next manifest.

        A name not looked at this build keeps its old record.
        """
        out = {n: self.known[n] for n in names if n in self.known and n not in self.seen}
        out.update((n, st) for n, st in self.stats.items() if n in names)
        return out
