"""The renderer registry: format name -> renderer class, imported on first use.

Heavy engines (WeasyPrint, python-docx) load only when their format runs, so
``pubkit --help`` and HTML-only builds never pay for them.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pubkit.renderers.base import Renderer

_REGISTRY: dict[str, str] = {}


class UnknownFormat(LookupError):
    pass


def register(name: str, target: str) -> None:
    """Register ``module:Class`` under ``name``; a name can be taken only once."""
    if name in _REGISTRY:
        raise ValueError(f"a renderer is already registered for {name!r}: {_REGISTRY[name]}")
    _REGISTRY[name] = target


def names() -> list[str]:
    """Formats whose renderer module is installed (a registered name may not be built yet)."""
    return sorted(
        name for name, target in _REGISTRY.items()
        if importlib.util.find_spec(target.partition(":")[0]) is not None
    )


@cache
def get(name: str) -> Renderer:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise UnknownFormat(f"no renderer for format {name!r} (have: {', '.join(names())})") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls()


register("html", "pubkit.renderers.html.page:HtmlRenderer")
register("pdf", "pubkit.renderers.pdf.renderer:PdfRenderer")
register("docx", "pubkit.renderers.docx.renderer:DocxRenderer")
register("email", "pubkit.renderers.email.renderer:EmailRenderer")
