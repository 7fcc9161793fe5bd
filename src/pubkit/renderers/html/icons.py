"""The site's icons: which files every web page declares, and making them.

One rule for all pages (articles and the site's own): the icon comes from
``[html] favicon``, else the brand logo (:func:`pubkit.site.listing.favicon_source`),
and is published in the web root as a 32-pixel PNG for the browser's tab
(:data:`~pubkit.site.outputs.ICON`) and a 180-pixel one for a phone's home
screen (:data:`~pubkit.site.outputs.TOUCH_ICON`); a drawing (SVG) is also
declared as it is, for browsers that draw it at any size.  The files are
made with the site's own pages (in the build's main process); an article
page names them only when its check of the source finds it usable, so no
page names an icon that was not made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pubkit.renderers.base import RenderContext
from pubkit.site import outputs
from pubkit.site.listing import favicon_source

if TYPE_CHECKING:
    from pubkit.media.types import Picture


@dataclass(frozen=True)
class Icons:
    """The web paths (relative to the web root) of the site's icons."""

    tab: str
    touch: str
    drawing: str | None = None
    """The SVG itself, when the icon is one."""


def icon_paths(ctx: RenderContext) -> Icons | None:
    """Where the site's icons are published; None when the site has no icon, or an unusable
    one (then no page names a file that is not made)."""
    source = favicon_source(ctx.settings)
    # Checked on every page (the media module keeps what it found of the same bytes), so
    # that no page names an icon the site's pages could not make.
    if source is None or isinstance(_checked(ctx, source), str):
        return None
    drawing = None
    if source.lower().endswith(".svg"):  # its name must say what its bytes are (pubkit.media)
        drawing = ctx.index.published_as(source) or outputs.publish_path(source, ctx.index.content_dir)
    return Icons(outputs.ICON, outputs.TOUCH_ICON, drawing)


def icon_links(ctx: RenderContext, link: Callable[[str], str]) -> dict[str, str | None] | None:
    """The icons as a page declares them (``link`` makes a web path the page's address)."""
    icons = icon_paths(ctx)
    if icons is None:
        return None
    return {"tab": link(icons.tab), "touch": link(icons.touch),
            "drawing": link(icons.drawing) if icons.drawing else None}


def icon_files(ctx: RenderContext) -> dict[str, bytes] | str | None:
    """The icons' files by web path, made from the source checked like any published picture;
    why not (a warning), when it is unusable; None when the site has no icon."""
    from pubkit.media.icons import TAB, TOUCH, make_icon

    source = favicon_source(ctx.settings)
    if source is None:
        return None
    checked = _checked(ctx, source)
    icons = icon_paths(ctx)
    if isinstance(checked, str) or icons is None:
        return f"{source}: the web pages' icon is left out: {checked}"
    files = {icons.tab: make_icon(checked, TAB),
             icons.touch: make_icon(checked, TOUCH, ctx.settings.brand.accent_color)}
    if icons.drawing is not None and checked.type == "image/svg+xml":
        files[icons.drawing] = checked.data
    return files


def _checked(ctx: RenderContext, source: str) -> Picture | str:
    """The icon's source read and checked like any published picture, or why it is unusable."""
    read = _read(ctx, source)
    return read if isinstance(read, str) else _inspect(*read)


def _read(ctx: RenderContext, source: str) -> tuple[bytes, str] | str:
    """The icon's bytes and real file name, or why they cannot be read."""
    from pubkit.resources import Refused

    try:
        real = ctx.resources.local_path(source, ctx.site.root)
        return ctx.resources.read_checked(real, source), real.name
    except (Refused, OSError) as exc:
        return str(exc)


def _inspect(data: bytes, name: str) -> Picture | str:
    from pubkit.media import Refusal, inspect_picture

    checked = inspect_picture(data, name)
    return checked.reason if isinstance(checked, Refusal) else checked
