"""The ``.docx`` file itself: document properties and a reproducible zip.

python-docx saves with the clock in every zip entry and, for a package
without properties, a "modified" date of now.  Here every date comes from
the article (or a fixed epoch when it has none), entries are written in a
fixed order with fixed timestamps and attributes, so the same input always
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from pubkit.model.article import Article
from pubkit.renderers.docx.xml import clean, legal

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""Creation date of an article that has no date (never the clock)."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PROPERTY_LIMIT = 255


def article_times(article: Article) -> tuple[dt.datetime, dt.datetime]:
    """Created and modified: the article's date and last update, at midnight UTC."""
    def at_midnight(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

    created = at_midnight(article.meta.date) if article.meta.date else EPOCH
    updated = article.meta.updated or article.meta.date
    return created, at_midnight(updated) if updated else created


def set_properties(document: Any, article: Article, site_name: str) -> None:
    """Title, author, subject, keywords, language, description and dates of ``article``."""
    from docx.oxml.ns import qn

    props = document.core_properties
    meta = article.meta
    created, modified = article_times(article)
    props.title = _value(meta.title)
    props.subject = _value(meta.subtitle or "")
    props.author = _value(meta.author or site_name)
    props.keywords = _value(", ".join(meta.tags))
    props.comments = _value(article.summary)
    props.language = _value(article.lang)
    props.last_modified_by = _value(site_name)
    props.revision = 1
    props.created = created.replace(tzinfo=None)
    props.modified = modified.replace(tzinfo=None)
    # Whatever else the reference document's own properties said is not this article's.
    element = props._element
    for tag in ("cp:lastPrinted", "cp:category", "cp:contentStatus", "dc:identifier",
                "cp:version"):
        for child in element.findall(qn(tag)):
            element.remove(child)


def set_app_properties(package: Any, site_name: str) -> None:
    """Application properties naming pubkit and the site, without the reference's statistics.

    A reference saved by Word carries its own page and word counts and template
    name, which would describe the reference, not this article.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>pubkit</Application><DocSecurity>0'
                f"</DocSecurity><Company>{clean(site_name)}</Company></Properties>"
            ).encode()


def _value(text: str) -> str:
    """A property value: XML-legal, and within the 255 characters the format allows."""
    text = legal(" ".join(text.split()))
    return text if len(text) <= PROPERTY_LIMIT else text[: PROPERTY_LIMIT - 1] + "…"


def write_package(package: Any) -> bytes:
    """Serialise a python-docx package as a reproducible zip."""
    from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem

    parts = sorted(package.iter_parts(), key=lambda p: str(p.partname))
    for part in parts:
        part.before_marshal()
    members: list[tuple[str, bytes]] = [
        (CONTENT_TYPES_URI.membername,
         _ContentTypesItem.from_parts(parts).blob),  # type: ignore[no-untyped-call]
        (PACKAGE_URI.rels_uri.membername, _xml(package.rels.xml)),
    ]
    for part in parts:
        members.append((part.partname.membername, part.blob))
        if len(part.rels):
            members.append((part.partname.rels_uri.membername, _xml(part.rels.xml)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name.startswith("word/media/") \
                else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            archive.writestr(info, blob, compresslevel=6)
    return out.getvalue()


def _xml(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")
