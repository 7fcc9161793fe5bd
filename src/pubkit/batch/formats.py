"""What the build needs to know about a format without importing its engine.

A renderer's version, templates, folder and suffix live on its class, and
importing the class may import WeasyPrint.  The manifest keeps them, stamped
with the renderer module's file (path, mtime, size): while the stamp holds,
the stored facts are used and the module stays unimported.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import asdict, dataclass

from pubkit import renderers

NEWSLETTER = "newsletter"
"""The pseudo-format of newsletter issues (``newsletters/*.md``)."""

NEWSLETTER_MODULE = "pubkit.renderers.email.newsletter"


@dataclass(frozen=True)
class FormatInfo:
    name: str
    folder: str
    suffix: str
    version: str
    templates: tuple[str, ...]
    stamp: tuple[str, int, int]

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FormatInfo:
        return cls(
            str(data["name"]), str(data["folder"]), str(data["suffix"]), str(data["version"]),
            tuple(data["templates"]),  # type: ignore[arg-type]
            tuple(data["stamp"]),  # type: ignore[arg-type]
        )


def module_stamp(module: str) -> tuple[str, int, int] | None:
    """(file, mtime_ns, size) of ``module``'s source, or None when it is not installed."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        st = os.stat(spec.origin)
    except OSError:
        return None
    return (spec.origin, st.st_mtime_ns, st.st_size)


def renderer_module(name: str) -> str:
    return renderers._REGISTRY[name].partition(":")[0]


def format_info(name: str, cached: dict[str, FormatInfo]) -> FormatInfo:
    """Facts about format ``name``: from ``cached`` while its module is unchanged."""
    stamp = module_stamp(renderer_module(name))
    known = cached.get(name)
    if known is not None and stamp is not None and known.stamp == stamp:
        return known
    renderer = renderers.get(name)
    return FormatInfo(
        name, renderer.folder, renderer.suffix, str(renderer.version),
        tuple(renderer.templates), stamp or ("", 0, 0),
    )


def newsletter_info(cached: dict[str, FormatInfo]) -> FormatInfo | None:
    """The newsletter pseudo-format, when the newsletter composer is installed."""
    stamp = module_stamp(NEWSLETTER_MODULE)
    if stamp is None:
        return None
    known = cached.get(NEWSLETTER)
    if known is not None and known.stamp == stamp:
        return known
    module = importlib.import_module(NEWSLETTER_MODULE)
    if not callable(getattr(module, "compose_newsletter", None)):
        return None
    templates = tuple(getattr(module, "TEMPLATES", ()))
    version = str(getattr(module, "VERSION", "1"))
    return FormatInfo(NEWSLETTER, "newsletters", "", version, templates, stamp)
