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

from pubkit.batch.jobs import Task
from pubkit.site import Site
from pubkit.site.index import SiteIndex
from pubkit.sitefiles import Node, look, look_tree
from pubkit.theme import builtin_templates


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


def pack_site(site: Site) -> SiteParcel:
    """The templates (the site's and pubkit's), asset folders and logo of ``site``."""
    parcel = Parcel()
    builtin = builtin_templates()
    for folder in (builtin, site.templates_dir, *site.asset_dirs):
        parcel.nodes.update(look_tree(folder, parcel.blobs))
    for folder in (site.root, site.content_dir):
        parcel.nodes.update(look(folder, parcel.blobs))
    if site.settings.brand.logo:
        parcel.nodes.update(look(site.root / site.settings.brand.logo.lstrip("/"), parcel.blobs))
    return SiteParcel(str(builtin), parcel.nodes, parcel.blobs)


def pack_task(site: Site, index: SiteIndex, task: Task) -> Parcel:
    """The source of ``task`` and the local files its article references."""
    parcel = Parcel()
    source = site.root / task.source
    parcel.nodes.update(look(source.parent, parcel.blobs))
    parcel.nodes.update(look(source, parcel.blobs))
    entry = index.entry(task.source)
    for name in entry.files if entry is not None else ():
        parcel.nodes.update(look(site.root / name, parcel.blobs))
    return parcel


def local_only(task: Task) -> bool:
    """Whether ``task`` renders on the submitting machine under a remote executor.

    A newsletter issue may feature any article of the site (by tag, the latest
    few), so it would need the whole content folder: issues are few, and
    render here.
    """
    return task.newsletter

