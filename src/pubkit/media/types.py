"""What an inspection returns: the bytes to publish with their true type, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

SCALED_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""The types whose still pictures get web copies (pubkit publishes these as they are; others
were converted to one of them)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """The file is left out; ``reason`` says why in words (it follows ``left out 'x':``)."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture fit to publish: checked (and where needed cleaned or re-encoded) bytes.

    ``type`` and ``extension`` come from the bytes, never from the file's
    name.  ``width`` and ``height`` are pixels (CSS pixels for SVG).
    ``raster`` is, for SVG only, the PNG the drawing check made (drawn at
    :data:`pubkit.media.svg.DRAW_ZOOM`, at most :data:`pubkit.media.svg.DRAW_MAX_SIDE`
    pixels a side), for formats that want pixels.
    """

    data: bytes
    type: str
    extension: str
    width: int
    height: int
    frames: int = 1
    raster: bytes | None = None

    def published_name(self, name: str) -> str:
        return published_name(name, self.extension)

    def facts(self) -> PictureFacts:
        """What its web copies are named and sized from (see :class:`PictureFacts`)."""
        import hashlib

        return PictureFacts(hashlib.sha256(self.data).hexdigest(), self.type, self.width, self.height)


@dataclass(frozen=True, slots=True)
class PictureFacts:
    """A checked still picture as its web copies need it, without its bytes.

    The article's page (in a worker) finds these when it checks the picture;
    the build keeps them with the file's hash, so the site's own pages name
    the same copies without reading and decoding the picture again.
    """

    digest: str
    """sha256 (hex) of the checked bytes (:attr:`Picture.data`): it names every copy."""
    type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Attachment:
    """A linked file fit to publish (a PDF form, a plain text file, a picture)."""

    data: bytes
    type: str
    extension: str

    def published_name(self, name: str) -> str:
        return published_name(name, self.extension)


def published_name(name: str, extension: str) -> str:
    """``name`` with the extension its bytes call for (``chart.jpg`` holding a PNG -> ``chart.png``).

    A web server picks the type it announces from the extension, so the name
    a file is published under must say what the bytes are.
    """
    base = PurePosixPath(name.replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    return f"{stem or 'file'}.{extension}"


def left_out(ref: str, why: object) -> str:
    """The one wording of a left-out file's warning, in every format."""
    return f"left out {ref!r}: {why}"
