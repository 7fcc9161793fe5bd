"""The site index: what every command and format knows about the whole site.

One :class:`Entry` per source (each article of ``content/`` and each newsletter
issue of ``newsletters/``) holds the facts other pages need: its slug, title,
language, heading ids, the local files and articles it references.  The
:class:`SiteIndex` adds what only the whole site decides: which article owns
a slug when two claim it, which web path each referenced file is published
under, and where each output goes.  It is built once per command (see
:mod:`pubkit.site.indexing`); renderers and commands read it and never
re-derive a name or a link.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pubkit.diagnostics import Diagnostic
from pubkit.formats import Format, Source
from pubkit.site import outputs


@dataclass(frozen=True, slots=True)
class Entry:
    """The index's facts about one source file."""

    source: str
    """Path relative to the site root (``content/knee-pain.md``), as in messages."""
    kind: Source
    source_hash: str
    slug: str
    title: str
    lang: str
    date: dt.date | None = None
    updated: dt.date | None = None
    tags: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    """Ids of every heading, in document order."""
    files: tuple[str, ...] = ()
    """Local files it shows or links to, relative to the site root (they may not exist)."""
    articles: tuple[str, ...] = ()
    """Markdown files it links to, relative to the site root (they may not exist)."""
    status: str | None = None
    """Review status from the front matter (``draft``, ``in-review``, ``approved``)."""
    reviewed_on: dt.date | None = None
    next_review: dt.date | None = None
    """As written in the front matter (its default comes from the settings)."""

    def anchor(self, fragment: str) -> str | None:
        """The heading id an author's ``#fragment`` means: the id itself, or GitHub's form."""
        from pubkit.model.text import slugify
        from pubkit.source.markdown import HEADING_ID_PREFIX

        if fragment in self.ids:
            return fragment
        candidate = HEADING_ID_PREFIX + slugify(fragment)
        return candidate if candidate in self.ids else None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "hash": self.source_hash, "slug": self.slug, "title": self.title,
            "lang": self.lang, "date": _iso(self.date), "updated": _iso(self.updated),
            "tags": list(self.tags), "ids": list(self.ids), "files": list(self.files),
            "articles": list(self.articles), "status": self.status,
            "reviewed_on": _iso(self.reviewed_on), "next_review": _iso(self.next_review),
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class SiteIndex:
    """Every source of the site, and the decisions that need all of them."""

    entries: dict[str, Entry] = field(default_factory=dict)
    problems: dict[str, Diagnostic] = field(default_factory=dict)
    """Sources that could not be read, with the reason (they own no slug)."""
    content_dir: str = "content"
    _owner: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _publish: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._settle()

    @classmethod
    def of(cls, entries: Iterable[Entry], problems: dict[str, Diagnostic] | None = None,
           content_dir: str = "content") -> SiteIndex:
        return cls({e.source: e for e in entries}, dict(problems or {}), content_dir)

    def _settle(self) -> None:
        """Decide slug owners (first source in path order) and published file paths."""
        self._owner.clear()
        # Files named from outside the site (absolute paths) never take a site article's slug.
        for source in sorted(self.entries, key=lambda s: (s.startswith("/"), s)):
            entry = self.entries[source]
            self._owner.setdefault((entry.kind, entry.slug), source)
        wanted: dict[str, list[str]] = {}
        for path in sorted({f for e in self.entries.values() for f in e.files}):
            wanted.setdefault(outputs.publish_path(path, self.content_dir), []).append(path)
        self._publish.clear()
        taken = {outputs.page_path(e.slug) for e in self.articles()}
        for web, paths in wanted.items():
            for i, path in enumerate(paths):
                # The first file (in path order) keeps the plain name; a file that would
                # land on another file or on a page gets a name of its own.
                clash = i > 0 or web in taken
                self._publish[path] = outputs.disambiguated(web, path) if clash else web

    # ------------------------------------------------------------------ lookups
    def entry(self, source: str) -> Entry | None:
        return self.entries.get(source)

    def articles(self) -> list[Entry]:
        return [e for s, e in sorted(self.entries.items()) if e.kind == "article"]

    def newsletters(self) -> list[Entry]:
        return [e for s, e in sorted(self.entries.items()) if e.kind == "newsletter"]

    def by_slug(self, slug: str, kind: Source = "article") -> Entry | None:
        source = self._owner.get((kind, slug))
        return self.entries[source] if source else None

    def duplicate_of(self, source: str) -> str | None:
        """The source that owns this source's slug, when it is another one."""
        entry = self.entries.get(source)
        if entry is None:
            return None
        owner = self._owner.get((entry.kind, entry.slug))
        return owner if owner != source else None

    def duplicate_error(self, source: str) -> Diagnostic | None:
        """The refusal of a source whose slug another source already owns."""
        owner = self.duplicate_of(source)
        if owner is None:
            return None
        entry = self.entries[source]
        what = "slug" if entry.kind == "article" else "newsletter name"
        return Diagnostic(source, None, f"{what} '{entry.slug}' is already used by {owner}; "
                                        "give one of them another slug")

    def published_as(self, site_path: str) -> str | None:
        """The web path of a referenced local file (see :func:`outputs.publish_path`)."""
        return self._publish.get(site_path)

    def output_path(self, entry: Entry, fmt: Format, suffix: str | None = None) -> str:
        """Where ``entry``'s output in ``fmt`` goes, relative to the output folder."""
        return outputs.output_file(fmt, entry.slug, suffix)

    def page_path(self, entry: Entry) -> str:
        """``entry``'s web page, relative to the web root."""
        return outputs.page_path(entry.slug)

    def article_at(self, site_path: str) -> Entry | None:
        entry = self.entries.get(posixpath.normpath(site_path))
        return entry if entry is not None and entry.kind == "article" else None

    def fingerprint(self, source: str) -> str | None:
        """What other pages' outputs depend on in ``source``: its slug, language and heading ids."""
        import hashlib

        entry = self.entries.get(source)
        if entry is None or self.duplicate_of(source):
            return None
        blob = "\0".join([entry.slug, entry.lang, *entry.ids])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def with_entry(self, entry: Entry) -> SiteIndex:
        """This index with ``entry`` added or replaced (a file rendered from outside the site)."""
        return SiteIndex({**self.entries, entry.source: entry}, self.problems, self.content_dir)


def index_to_json(index: SiteIndex) -> str:
    """The index as text, to hand to worker processes (made here, so trusted there)."""
    import json

    return json.dumps({
        "content_dir": index.content_dir,
        "entries": {s: e.to_json() for s, e in index.entries.items()},
        "problems": {s: [d.path, d.line, d.message] for s, d in index.problems.items()},
    }, separators=(",", ":"), ensure_ascii=False)


def index_from_json(text: str) -> SiteIndex:
    """The index :func:`index_to_json` wrote."""
    import json

    from pubkit.site.indexing import entry_from_json

    data = json.loads(text)
    entries = {}
    for source, raw in data["entries"].items():
        entry = entry_from_json(source, raw, raw["hash"])
        if entry is not None:
            entries[source] = entry
    problems = {s: Diagnostic(p[0], p[1], p[2]) for s, p in data["problems"].items()}
    return SiteIndex(entries, problems, data["content_dir"])
