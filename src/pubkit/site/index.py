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

WORK_KEY = "work:"
"""Prefix of a dependency on every version of a work (never a source: those end in ``.md``)."""
TEXT_HASH_SHOWN = 12
"""Hex digits of a text hash that messages suggest for ``translated_from``."""


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
    translation_of: str | None = None
    """The slug of the original this article translates."""
    translated_from: str | None = None
    """The original's text hash (or a prefix of it) the translation was made from."""
    text_hash: str = ""
    """sha256 of this article's translatable words (see :func:`pubkit.source.reader.text_hash`)."""
    canonical_url: str | None = None
    """The page's permanent address, when the front matter gives one."""
    summary: str = ""
    """The summary the site's listing pages show (front matter, else the first paragraph)."""
    image: str | None = None
    """The lead picture as written in the front matter, and its words."""
    image_alt: str | None = None
    reading_time: int = 0
    """Minutes, as the article's byline says."""
    reviewed_by: str | None = None
    """The reviewer as written (a key of ``[reviewers]`` or a name)."""
    listing: str = ""
    """:func:`listing_digest` of this entry, made once and kept in the index cache (empty: not made)."""

    @property
    def name(self) -> outputs.Name:
        """What its output paths are made of (see :func:`outputs.name_for`)."""
        return outputs.name_for(self.slug, self.lang, self.translation_of)

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
            "translation_of": self.translation_of,
            "translated_from": self.translated_from, "text_hash": self.text_hash,
            "canonical_url": self.canonical_url, "summary": self.summary, "image": self.image,
            "image_alt": self.image_alt, "reading_time": self.reading_time,
            "reviewed_by": self.reviewed_by, "listing": self.listing or listing_digest(self),
        }


def listing_digest(entry: Entry) -> str:
    """sha256 of what the site's listing pages show of ``entry`` that its source alone decides.

    Its title, summary, tags, dates, lead picture as written and its words,
    reading time, reviewer, address and language: a body edit that leaves
    them alone leaves the digest too.  What the whole site decides (the
    picture's web path, the other versions) is added by
    :func:`pubkit.site.listing.listing_facts`.
    """
    import hashlib
    import json

    facts = [entry.name.stem, entry.lang, entry.title, entry.summary, sorted(entry.tags),
             _iso(entry.date), _iso(entry.updated), entry.image, entry.image_alt,
             entry.reading_time, entry.reviewed_by, entry.canonical_url]
    return hashlib.sha256(json.dumps(facts).encode("ascii")).hexdigest()


def _owned_name(entry: Entry) -> str:
    """What a source claims for itself: its slug; a newsletter's language version, its folder too."""
    if entry.kind == "newsletter" and entry.translation_of:
        return entry.name.stem  # "es/sample": a slug never holds a slash
    return entry.slug


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
    _translations: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)
    """Original's source -> language (lower case) -> the translation's source."""
    _fingerprints: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._settle()

    @classmethod
    def of(cls, entries: Iterable[Entry], problems: dict[str, Diagnostic] | None = None,
           content_dir: str = "content") -> SiteIndex:
        return cls({e.source: e for e in entries}, dict(problems or {}), content_dir)

    def _settle(self) -> None:
        """Decide slug owners (first source in path order) and published file paths."""
        self._owner.clear()
        self._fingerprints.clear()
        # Files named from outside the site (absolute paths) never take a site article's slug.
        in_order = sorted(self.entries)  # plain strings sort fastest; entries come sorted already
        outside = [s for s in in_order if s.startswith("/")]
        for source in [s for s in in_order if not s.startswith("/")] + outside:
            entry = self.entries[source]
            self._owner.setdefault((entry.kind, _owned_name(entry)), source)
        wanted: dict[str, list[str]] = {}
        for path in sorted({f for e in self.entries.values() for f in e.files}):
            wanted.setdefault(outputs.publish_path(path, self.content_dir), []).append(path)
        self._translations.clear()
        for source in in_order:
            entry = self.entries[source]
            if not entry.translation_of:
                continue
            original = self.original_of(entry)
            if original is not None and self.duplicate_of(source) is None:
                by_lang = self._translations.setdefault(original.source, {})
                by_lang.setdefault(entry.lang.lower(), source)  # the first in path order
        self._publish.clear()
        taken = {outputs.page_path(e.name) for e in self.entries.values()
                 if e.kind == "article"} | outputs.SITE_FILES
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
        owner = self._owner.get((entry.kind, _owned_name(entry)))
        return owner if owner != source else None

    def duplicate_error(self, source: str) -> Diagnostic | None:
        """The refusal of a source whose slug another source already owns."""
        owner = self.duplicate_of(source)
        if owner is None:
            return None
        entry = self.entries[source]
        if entry.kind == "newsletter" and entry.translation_of:
            return Diagnostic(source, None, f"{owner} is already the {entry.lang} version of "
                                            f"newsletter '{entry.slug}'; remove one of them")
        what = "slug" if entry.kind == "article" else "newsletter name"
        return Diagnostic(source, None, f"{what} '{entry.slug}' is already used by {owner}; "
                                        "give one of them another slug")

    def published_as(self, site_path: str) -> str | None:
        """The web path of a referenced local file (see :func:`outputs.publish_path`)."""
        return self._publish.get(site_path)

    def output_path(self, entry: Entry, fmt: Format, suffix: str | None = None) -> str:
        """Where ``entry``'s output in ``fmt`` goes, relative to the output folder."""
        return outputs.output_file(fmt, entry.name, suffix)

    def page_path(self, entry: Entry) -> str:
        """``entry``'s web page, relative to the web root."""
        return outputs.page_path(entry.name)

    def page_url(self, entry: Entry, base_url: str) -> str:
        """``entry``'s public address: its canonical URL, else where its web page is published."""
        return entry.canonical_url or outputs.public_url(base_url, self.page_path(entry))

    # ------------------------------------------------------------ translations
    def original_of(self, entry: Entry) -> Entry | None:
        """The article ``entry`` translates, when its ``translation_of`` names a usable original."""
        if entry.kind != "article" or not entry.translation_of:
            return None
        original = self.by_slug(entry.translation_of)
        if (original is None or original.source == entry.source or original.translation_of
                or original.lang.lower() == entry.lang.lower()):
            return None
        return original

    def has_translations(self, source: str) -> bool:
        """Whether the article ``source`` is an original with translations."""
        return source in self._translations

    def translations_of(self, entry: Entry) -> list[Entry]:
        """The translations of original ``entry``, one per language, by language tag."""
        by_lang = self._translations.get(entry.source, {})
        return [self.entries[by_lang[lang]] for lang in sorted(by_lang)]

    def versions(self, entry: Entry) -> list[Entry]:
        """Every version of ``entry``'s work: the original first, then its translations.

        An article that is neither (no translations, or a translation whose
        original is missing) is its own only version.
        """
        original = self.original_of(entry)
        if original is None:
            if entry.translation_of or entry.source not in self._translations:
                return [entry]
            original = entry
        versions = [original, *self.translations_of(original)]
        return versions if entry in versions else [entry]

    def translation(self, entry: Entry, lang: str) -> Entry | None:
        """The version of ``entry``'s work in ``lang`` (for a newsletter in a reader's language).

        The exact tag first, then the same base language either way (``es-MX``
        is answered by ``es``, ``es`` by ``es-MX``); None when the work has none.
        """
        versions = self.versions(entry)
        wanted = lang.lower()
        for version in versions:
            if version.lang.lower() == wanted:
                return version
        base = wanted.split("-")[0]
        for version in versions:
            if version.lang.lower().split("-")[0] == base:
                return version
        return None

    def issue_versions(self, issue: Entry) -> list[Entry]:
        """The language versions of newsletter ``issue`` (``<name>.<lang>.md``), by language."""
        found = [e for e in self.newsletters()
                 if e.translation_of == issue.slug and e.source != issue.source
                 and self.duplicate_of(e.source) is None]
        return sorted(found, key=lambda e: e.lang.lower())

    def translation_problems(self, entry: Entry) -> list[Diagnostic]:
        """What is wrong with ``entry`` as a translation: its original, its language, its age."""
        if entry.kind != "article" or not entry.translation_of:
            return []
        slug = entry.translation_of
        original = self.by_slug(slug)

        def said(message: str) -> list[Diagnostic]:
            return [Diagnostic(entry.source, None, message, "warning")]

        if original is None or original.source == entry.source:
            return said(f"translation_of: no other article has the slug '{slug}'")
        if original.translation_of:
            return said(f"translation_of: '{slug}' is itself a translation (of "
                        f"'{original.translation_of}'); name the original")
        if original.lang.lower() == entry.lang.lower():
            return said(f"translation_of: '{slug}' is in {entry.lang} too; give the translation "
                        "its own 'lang'")
        first = self._translations.get(original.source, {}).get(entry.lang.lower())
        if first is not None and first != entry.source:
            return said(f"{first} is already the {entry.lang} translation of '{slug}'; "
                        "this one is not linked to it")
        now = original.text_hash[:TEXT_HASH_SHOWN]
        if not entry.translated_from:
            return said(f"translation_of '{slug}' without translated_from: add "
                        f"translated_from: \"{now}\" (the text of {original.source} it was made from)")
        if not original.text_hash.startswith(entry.translated_from):
            changed = original.updated or original.date
            when = f"changed {changed.isoformat()}" if changed else "changed since"
            return said(f"{entry.lang} translation is older than its original ({when}): update it "
                        f"from {original.source}, then set translated_from: \"{now}\"")
        return []

    def stale_translations(self) -> list[tuple[Entry, Entry]]:
        """(translation, original) of every translation made from an older text of its original."""
        out = []
        for entry in self.articles():
            original = self.original_of(entry)
            if (original is not None and entry.translated_from
                    and not original.text_hash.startswith(entry.translated_from)):
                out.append((entry, original))
        return out

    def article_at(self, site_path: str) -> Entry | None:
        entry = self.entries.get(posixpath.normpath(site_path))
        return entry if entry is not None and entry.kind == "article" else None

    def dependencies(self, entry: Entry) -> list[str]:
        """Keys of :meth:`fingerprint` whose facts ``entry``'s outputs use.

        The articles it links to, and its work (every version of it: a page
        lists its translations, so a new translation rebuilds the original).
        """
        work = entry.translation_of or entry.slug
        return [*entry.articles, WORK_KEY + work] if entry.kind == "article" else list(entry.articles)

    def fingerprint(self, source: str) -> str | None:
        """What other pages' outputs depend on in ``source``: its address, language and heading ids.

        ``work:<slug>`` (see :meth:`dependencies`) stands for every version of the
        work whose original has that slug: their addresses and languages.
        """
        if source not in self._fingerprints:  # a build asks once per article linking to it
            self._fingerprints[source] = self._fingerprint(source)
        return self._fingerprints[source]

    def _fingerprint(self, source: str) -> str | None:
        import hashlib

        if source.startswith(WORK_KEY):
            return self._work_fingerprint(source[len(WORK_KEY):])
        entry = self.entries.get(source)
        if entry is None or self.duplicate_of(source):
            return None
        blob = "\0".join([entry.name.stem, entry.lang, entry.canonical_url or "", *entry.ids])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _work_fingerprint(self, slug: str) -> str:
        import hashlib

        original = self.by_slug(slug)
        versions = self.versions(original) if original is not None else []
        blob = "\0".join(f"{v.source}\1{v.name.stem}\1{v.lang}\1{v.canonical_url or ''}\1{v.title}"
                         for v in versions)
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
    }, separators=(",", ":"))  # ASCII: a problem may name a file whose name is not UTF-8


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
