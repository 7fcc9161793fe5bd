"""What a remote render is sent: the site's files it reads, looked at on this machine.

A worker that cannot see the site renders from a
:class:`~pubkit.sitefiles.MemoryFiles` made of what is packed here.  The
site's part (the shipped and the site's templates, message catalogues,
asset folders, the logo) is packed once per build; each task adds its
source and the files its article references (the site index lists them).
File bytes are identified by sha256, so a picture many articles show is
sent to a worker once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pubkit import __version__
from pubkit.batch.jobs import Task
from pubkit.renderers.base import RenderContext
from pubkit.sitefiles import Node, look, look_tree


@dataclass
class Parcel:
    """Nodes by path, and the bytes they name by sha256."""

    nodes: dict[str, Node] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteParcel:
    """The files every render of a site may read, and where the shipped templates were."""

    builtin: str
    nodes: dict[str, Node]
    blobs: dict[str, bytes]
    version: str = __version__
    """The submitting pubkit's version (a worker with another one refuses to render)."""


def pack_site(ctx: RenderContext) -> SiteParcel:
    """The templates (the site's and pubkit's), asset folders, logo and icon of ``ctx``'s site."""
    from pubkit.site.listing import brand_files

    site, allowed = ctx.site, ctx.resources.allowed_dirs
    parcel = Parcel()
    for folder in (*ctx.theme.search_path, *site.asset_dirs):
        parcel.nodes.update(look_tree(folder, parcel.blobs, allowed))
    for path in (site.root, site.content_dir, site.templates_dir):
        parcel.nodes.update(look(path, parcel.blobs, allowed))
    for name in brand_files(site.settings):
        parcel.nodes.update(look(site.root / name, parcel.blobs, allowed))
    return SiteParcel(str(ctx.theme.search_path[-1]), parcel.nodes, parcel.blobs)


def pack_task(ctx: RenderContext, task: Task) -> Parcel:
    """The source of ``task`` and the local files its article references (as the index lists them)."""
    root, allowed = ctx.site.root, ctx.resources.allowed_dirs
    parcel = Parcel()
    source = root / task.source
    parcel.nodes.update(look(source.parent, parcel.blobs, allowed))
    parcel.nodes.update(look(source, parcel.blobs, allowed))
    entry = ctx.index.entry(task.source)
    for name in entry.files if entry is not None else ():
        parcel.nodes.update(look(root / name, parcel.blobs, allowed))
    return parcel


def local_only(task: Task) -> bool:
    """Whether ``task`` renders on the submitting machine under a remote executor.

    A newsletter issue may feature any article of the site (by tag, the latest
    few), so it would need the whole content folder: issues are few, and
    render here.
    """
    return task.newsletter
