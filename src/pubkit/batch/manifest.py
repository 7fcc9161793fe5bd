"""The build manifest: what each output was built from, kept in the output folder.

For every source it records the hash of the source bytes, the files the
source uses (images, linked files, the logo) with their hashes, and for each
format a key (pubkit's and the renderer's version, the relevant settings, the
templates' contents) and the output files written with their sizes.  An
output is up to date when all of these still match.  The file is replaced
atomically and only after the outputs it describes are in place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubkit import __version__
from pubkit.output import check_name, write_atomic
from pubkit.safeio import MANIFEST_LIMIT, MEDIA_LIMIT, read_regular

MANIFEST_NAME = ".pubkit-manifest.json"
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


@dataclass
class Manifest:
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    pages: FormatRecord | None = None
    """The site's own pages (home, topics, sitemap, feed, icon): built from the index, no source."""

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
                    "deps": dict(sorted(r.deps.items())),
                    "formats": {
                        name: {"key": f.key, "outputs": dict(sorted(f.outputs.items()))}
                        for name, f in sorted(r.formats.items())
                    },
                }
                for src, r in sorted(self.sources.items())
            },
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
            _check_shape(data["sources"])
            sources = {}
            for src, r in data["sources"].items():
                sources[str(src)] = SourceRecord(
                    source_hash=str(r["source_hash"]),
                    slug=r.get("slug"),
                    title=r.get("title"),
                    deps={str(k): (None if v is None else str(v)) for k, v in r["deps"].items()},
                    formats={
                        str(name): FormatRecord(
                            None if f["key"] is None else str(f["key"]),
                            {str(k): int(v) for k, v in f["outputs"].items()},
                        )
                        for name, f in r["formats"].items()
                    },
                )
            pages = _pages_record(data.get("pages"))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
            raise ManifestError(f"malformed manifest ({type(exc).__name__}: {exc})") from None
        return cls(sources, pages)


def _pages_record(data: Any) -> FormatRecord | None:
    """The site pages' record, checked like a source's format record."""
    if data is None:
        return None
    _check_format(data)
    key = data["key"]
    return FormatRecord(None if key is None else str(key),
                        {str(k): int(v) for k, v in data["outputs"].items()})


def _check_shape(sources: Any) -> None:
    """Refuse (``ValueError``, ``OSError``) a ``sources`` table of the wrong shape or with unsafe names."""
    if not isinstance(sources, dict):
        raise ValueError("'sources' is not a table")
    for src, record in sources.items():
        check_name(src)
        if not isinstance(record, dict) or not isinstance(record.get("source_hash"), str):
            raise ValueError(f"{src!r}: not a source record")
        for key in ("slug", "title"):
            if record.get(key) is not None and not isinstance(record[key], str):
                raise ValueError(f"{src!r}: {key} is not text")
        deps, formats = record.get("deps"), record.get("formats")
        if not isinstance(deps, dict) or not isinstance(formats, dict):
            raise ValueError(f"{src!r}: deps or formats is not a table")
        for dep, digest in deps.items():
            if not dep.startswith("@"):  # "@work:slug" entries name no file
                check_name(dep)
            if digest is not None and not isinstance(digest, str):
                raise ValueError(f"{src!r}: {dep!r} has no hash")
        for fmt in formats.values():
            _check_format(fmt, src)


def _check_format(fmt: Any, src: str = "pages") -> None:
    if not isinstance(fmt, dict) or not isinstance(fmt.get("outputs"), dict):
        raise ValueError(f"{src!r}: not a format record")
    if fmt.get("key") is not None and not isinstance(fmt["key"], str):
        raise ValueError(f"{src!r}: a format key is not text")
    for name, size in fmt["outputs"].items():
        check_name(name)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
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
        return Manifest.from_json(json.loads(raw)), None
    except (ValueError, ManifestError, RecursionError) as exc:
        return Manifest(), f"{path}: build manifest is corrupt ({exc}); rebuilding everything"


def save_manifest(out_dir: Path, manifest: Manifest) -> None:
    data = json.dumps(manifest.to_json(), separators=(",", ":"), ensure_ascii=False)
    write_atomic(out_dir / MANIFEST_NAME, data.encode("utf-8"))


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
