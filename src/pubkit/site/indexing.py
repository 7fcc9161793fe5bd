"""Building the site index: every source read once, entries cached by content hash.

An article's entry needs its headings and references, hence a full parse
(about 2 ms for a 600-word article).  Entries are kept in
``<output>/.pubkit-index.json`` keyed by the hash of the source bytes, so a
command on an unchanged site reads each file, hashes it and parses nothing.
When many entries are missing (a first build of a big site) they are made
in parallel, on every core.

The cache lives in the output folder and is treated as untrusted: anything
oversized, ill-formed or of the wrong shape discards the whole cache (one
note, then everything is read again), and every value is checked as the
source would be.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import posixpath
import re
import stat
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit import __version__
from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.formats import Source
from pubkit.site import Site
from pubkit.site.index import Entry, SiteIndex, listing_digest

if TYPE_CHECKING:
    # The model loads only when an article must be read: an index from its cache needs none.
    from pubkit.model.article import Article

CACHE_NAME = ".pubkit-index.json"
CACHE_SCHEMA = 4
CACHE_LIMIT = 256 * 1024 * 1024
PARALLEL_FROM = 200
"""Entries to make before a process pool pays for its start-up."""

_ID = re.compile(r"[\w-]{1,200}")
_HEX = re.compile(r"[0-9a-f]{8,64}")
_URL = re.compile(r"https?://\S{1,2000}")
_DATE = dt.date.fromisoformat
_PLAIN_REF = re.compile(r"[\w./-]+", re.ASCII)
"""A reference without scheme, query, fragment, escapes or spaces: its path is itself."""


@dataclass
class IndexResult:
    """The index, the articles parsed on the way, and notes for the user."""

    index: SiteIndex
    parsed: dict[str, Article] = field(default_factory=dict)
    """Articles read while indexing, for the sources the caller asked to keep."""
    notes: list[str] = field(default_factory=list)
    fresh: int = 0
    """Entries made now (not taken from the cache)."""
    hashes: dict[str, str | None] = field(default_factory=dict)
    """sha256 of every source's bytes (None: not a readable regular file)."""
    kinds: dict[str, Source] = field(default_factory=dict)
    """What each source is, the unreadable ones included."""
    stats: dict[str, list[int]] = field(default_factory=dict)
    """Each source's stat as read, for the cache."""
    cached: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The cache's own record of each entry taken from it, written back as it was read."""

    def save(self, site: Site) -> str | None:
        """Keep this index in the cache when anything had to be read; a note when it cannot."""
        if not self.fresh:
            return None
        path = site.output_dir / CACHE_NAME
        try:
            save_cache(path, self.index, site.settings.language, self.stats, self.cached)
        except OSError as exc:
            return f"{path}: cannot save the site index cache ({exc.strerror})"
        return None


def sources(site: Site, newsletters: bool = True) -> list[tuple[str, Source]]:
    """Every source of the site: articles of the content folder, then newsletter issues."""
    root = str(site.root.resolve())
    found: list[tuple[str, Source]] = [(p, "article") for p in _markdown(site.content_dir, root)]
    if newsletters:
        found += [(p, "newsletter") for p in _markdown(site.newsletters_dir, root)]
    return found


def _markdown(folder: Path, root: str) -> list[str]:
    """:func:`~pubkit.site.markdown_files` of ``folder``, relative to ``root`` (else absolute)."""
    from pubkit.site import markdown_files

    top = os.path.realpath(folder)
    prefix = os.path.join(root, "")
    if top == root:
        base = ""
    elif top.startswith(prefix):
        base = top[len(prefix):] + "/"
    else:
        base = os.path.join(top, "")
    return [base + name for name in markdown_files(folder)]


def rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as the index and messages spell it."""
    return rel_all([path], root)[0]


def rel_all(paths: list[Path], root: Path) -> list[str]:
    """:func:`rel` of each of ``paths`` (their folders and ``root`` resolved once)."""
    from pubkit.site import real_paths

    top = str(root.resolve())
    prefix = os.path.join(top, "")
    out = []
    for path, real in zip(paths, real_paths(paths), strict=True):
        # Strings: Path.relative_to costs more than resolving, on a site of a thousand files.
        out.append(real[len(prefix):] if real.startswith(prefix) else "." if real == top else str(path))
    return out


# --------------------------------------------------------------------- entries
def article_entry(article: Article) -> Entry:
    """The index's facts about a parsed article."""
    from pubkit.model import nodes as n

    files: list[str] = []
    articles: list[str] = []
    ids: list[str] = []
    for node in article.nodes():
        if isinstance(node, n.Heading) and node.id:
            ids.append(node.id)
        elif isinstance(node, n.Image):
            _local(node.src, article.source_dir, files, articles)
        elif isinstance(node, n.Link):
            _local(node.url, article.source_dir, files, articles)
    if article.meta.image:
        _local(article.meta.image, article.source_dir, files, articles)
    meta = article.meta
    entry = Entry(
        source=article.path, kind="article", source_hash=article.source_hash,
        slug=article.slug, title=article.title, lang=article.lang, date=meta.date,
        updated=meta.updated, tags=tuple(meta.tags), ids=tuple(ids),
        files=tuple(dict.fromkeys(files)), articles=tuple(dict.fromkeys(articles)),
        status=meta.status, reviewed_on=meta.reviewed_on, next_review=meta.next_review,
        translation_of=meta.translation_of, translated_from=meta.translated_from,
        text_hash=article.text_hash, canonical_url=meta.canonical_url,
        summary=_shortened(article.summary), image=meta.image, image_alt=meta.image_alt,
        reading_time=article.reading_time, reviewed_by=meta.reviewed_by,
    )
    return dataclasses.replace(entry, listing=listing_digest(entry))


SUMMARY_LIMIT = 600
"""Characters of a summary the index keeps for listing pages (a first paragraph may be long)."""


def _shortened(text: str) -> str:
    if len(text) <= SUMMARY_LIMIT:
        return text
    cut = text[:SUMMARY_LIMIT].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def local_target(ref: str, source_dir: str) -> str | None:
    """The site-relative path a local reference names, or None (remote, other scheme, outside)."""
    if ref.startswith("//"):
        return None
    if _PLAIN_REF.fullmatch(ref):  # what URL parsing would return as it is (a build asks 10,000 times)
        path = ref
    else:
        parts = urllib.parse.urlsplit(ref.strip())
        if parts.scheme or not parts.path:
            return None
        path = urllib.parse.unquote(parts.path)
        if "\x00" in path:
            return None
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:  # posixpath.join(source_dir, path), as a build does it 10,000 times
        joined = f"{source_dir}/{path}" if source_dir and not source_dir.endswith("/") else source_dir + path
    norm = posixpath.normpath(joined)
    if norm in (".", "") or norm == ".." or norm.startswith("../") or norm.startswith("/"):
        return None
    return norm


def _local(ref: str, source_dir: str, files: list[str], articles: list[str]) -> None:
    target = local_target(ref, source_dir)
    if target is not None:
        (articles if target.endswith(".md") else files).append(target)


def newsletter_entry(data: bytes, source: str, default_lang: str) -> Entry:
    """The index's facts about a newsletter issue: its name, subject and language.

    Only the front matter is read: which articles an issue features is decided
    when it is composed, from this index.
    """
    import datetime as dt
    import hashlib

    from pubkit.i18n import valid_lang
    from pubkit.site.outputs import split_issue_name
    from pubkit.source.decode import decode_source
    from pubkit.source.frontmatter import split_front_matter
    from pubkit.source.slugs import valid_slug

    name, version = split_issue_name(posixpath.splitext(posixpath.basename(source))[0])
    if not valid_slug(name):
        raise SourceError(source, None, f"newsletter name '{name}' must be lowercase letters, digits "
                                        "and hyphens (it becomes a folder name)")
    if version and not valid_lang(version):
        raise SourceError(source, None, f"'{version}' in the file name is not a language tag: a "
                                        "language version is named <issue>.<lang>.md, such as "
                                        "sample.es.md")
    fm = split_front_matter(decode_source(data, source).text, source)
    subject, lang, date = fm.data.get("subject"), fm.data.get("lang"), fm.data.get("date")
    if version:
        # A language version is in its file name's language, a "translation" of its base issue.
        lang = version
    return Entry(
        source=source, kind="newsletter", source_hash=hashlib.sha256(data).hexdigest(),
        slug=name, title=str(subject) if isinstance(subject, str | int | float) else name,
        lang=lang if isinstance(lang, str) and lang.strip() else default_lang,
        date=date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else None,
        translation_of=name if version else None,
    )


def read_entry(root: str, source: str, kind: Source, default_lang: str, keep: bool = False,
               folders: dict[Path, Path] | None = None
               ) -> tuple[Entry | None, Diagnostic | None, Article | None]:
    """Read one source into its entry (or the reason it cannot be read); ``folders`` as for
    :func:`~pubkit.source.reader.read_article`, kept by the caller for one command."""
    from pubkit.source.reader import read_article, read_source_bytes

    path = Path(root) / source
    try:
        if kind == "newsletter":
            return newsletter_entry(read_source_bytes(path, source), source, default_lang), None, None
        article = read_article(path, Path(root), default_lang, folders=folders)
    except SourceError as exc:
        return None, exc.diagnostic, None
    return article_entry(article), None, article if keep else None


def _read_chunk(root: str, items: list[tuple[str, Source]],
                default_lang: str) -> list[tuple[str, Entry | None, Diagnostic | None]]:
    out = []
    folders: dict[Path, Path] = {}
    for source, kind in items:
        entry, problem, _ = read_entry(root, source, kind, default_lang, folders=folders)
        out.append((source, entry, problem))
    return out


# ----------------------------------------------------------------------- cache
def _date(value: Any) -> Any:
    if value is None:
        return None
    return _DATE(_text(value, 10))


def _text(value: Any, limit: int = 2000) -> str:
    if type(value) is not str or len(value) > limit:
        raise ValueError("not a short text")
    return value


def _texts(value: Any, limit: int) -> tuple[str, ...]:
    """A list of short texts (None or missing: none)."""
    if not value:
        return ()
    if type(value) is not list:
        raise ValueError("not a list")
    "".join(value)  # TypeError unless every item is text
    if max(map(len, value)) > limit:
        raise ValueError("not a short text")
    return tuple(value)


_SAFE_PATHS: set[str] = set()
"""Site paths already found plain in this process (a picture many articles show)."""


def _paths(value: Any) -> tuple[str, ...]:
    paths = _texts(value, 4096)
    for path in paths:
        if path in _SAFE_PATHS:
            continue
        if posixpath.normpath(path) != path or path.startswith(("/", "../")) or path == "..":
            raise ValueError(f"not a site path: {path!r}")
        if len(_SAFE_PATHS) < 100_000:
            _SAFE_PATHS.add(path)
    return paths


_IDS = re.compile(r"[\w-]{1,200}(?:\n[\w-]{1,200})*")
"""Heading ids one a line: ``\\w`` never matches a line break, so each line is one id."""


def entry_from_json(source: str, data: Any, expect_hash: str) -> Entry | None:
    """The cached entry of ``source``, checked like fresh input; None when it is stale.

    Written for speed (a build of 10,000 articles checks 10,000 of them) with
    the same checks as ever: every text bounded, every name and hash of its form.
    Lists of texts are checked joined (``str.join`` refuses anything but text),
    and the many fields that are usually empty are tested before any call.
    """
    from pubkit.source.slugs import valid_slug

    if type(data) is not dict:
        raise ValueError("entry is not an object")
    get = data.get
    if get("hash") != expect_hash:
        return None
    kind = get("kind")
    if kind not in ("article", "newsletter"):
        raise ValueError("unknown kind")
    slug = _text(get("slug"), 200)
    if not valid_slug(slug):
        raise ValueError(f"bad slug {slug!r}")
    ids = get("ids")
    if ids:
        if type(ids) is not list or not _IDS.fullmatch("\n".join(ids)):
            raise ValueError("bad heading id")
        ids = tuple(ids)
    else:
        ids = ()
    original = get("translation_of")
    if original is not None and not valid_slug(_text(original, 200)):
        raise ValueError(f"bad translation_of {original!r}")
    made_from = get("translated_from")
    text = get("text_hash", "")
    if made_from is not None and not _HEX.fullmatch(_text(made_from, 64)):
        raise ValueError("bad text hash")
    if text and not _HEX.fullmatch(_text(text, 64)):
        raise ValueError("bad text hash")
    if type(text) is not str:
        raise ValueError("bad text hash")
    url = get("canonical_url")
    if url is not None and not _URL.fullmatch(_text(url, 2010)):
        raise ValueError("bad canonical_url")
    lang = _text(get("lang"), 64)  # a folder name only through outputs.language_folder()
    date, updated, reviewed_on, next_review = (
        get("date"), get("updated"), get("reviewed_on"), get("next_review"))
    image, image_alt, reviewed_by = get("image"), get("image_alt"), get("reviewed_by")
    return Entry(
        source=source, kind=kind, source_hash=expect_hash, slug=slug,
        title=_text(get("title")), lang=lang,
        date=None if date is None else _date(date),
        updated=None if updated is None else _date(updated),
        tags=_texts(get("tags"), 200), ids=ids,
        files=_paths(get("files")), articles=_paths(get("articles")),
        status=_status(get("status")),
        reviewed_on=None if reviewed_on is None else _date(reviewed_on),
        next_review=None if next_review is None else _date(next_review),
        translation_of=original, translated_from=made_from, text_hash=text, canonical_url=url,
        summary=_text(get("summary", ""), 20000),
        image=None if image is None else _text(image, 2010),
        image_alt=None if image_alt is None else _text(image_alt, 2000),
        reading_time=_minutes(get("reading_time", 0)),
        reviewed_by=None if reviewed_by is None else _text(reviewed_by, 2000),
        listing=_listing(get("listing")),
    )


def _listing(value: Any) -> str:
    """A cached :func:`listing_digest` (of the entry whose source has the hash checked above)."""
    if value is None:
        return ""  # an index of an older pubkit: made when needed
    if type(value) is not str or not _HEX64.fullmatch(value):
        raise ValueError("bad listing digest")
    return value


def _minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise ValueError("bad reading_time")
    return value


def _status(value: Any) -> str | None:
    if value is not None and value not in ("draft", "in-review", "approved"):
        raise ValueError(f"bad status {value!r}")
    return value if value is None else str(value)


def _optional(value: Any, limit: int) -> str | None:
    return None if value is None else _text(value, limit)


@dataclass
class Cache:
    """What a previous command left in the index cache (all of it still to be checked)."""

    entries: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    written_ns: int = 0
    """When the cache file was last written (its modification time)."""


def load_cache(path: Path, language: str) -> tuple[Cache, str | None]:
    """The cache, and a note when it had to be discarded."""
    try:
        # pubkit's own file in the untrusted output folder: never read through a symlink.
        raw = read_bounded(path, CACHE_LIMIT, follow_symlinks=False)
        written = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return Cache(), None
    except (OSError, ValueError) as exc:
        return Cache(), f"{path}: cannot read the site index cache ({exc}); reading every source"
    try:
        data = json.loads(raw)
        schema = data.get("schema") if isinstance(data, dict) else None
        if isinstance(schema, int) and 0 < schema < CACHE_SCHEMA:
            return Cache(), None  # written by an older pubkit: simply out of date
        if schema != CACHE_SCHEMA:
            raise ValueError("unknown schema")
        assert isinstance(data, dict)
        if not isinstance(data.get("pubkit"), str) or not isinstance(data.get("language"), str):
            raise ValueError("no version or language")
        if data.get("pubkit") != __version__ or data.get("language") != language:
            return Cache(), None  # made by another version or for another default language
        entries, stats = data.get("entries"), data.get("stats", {})
        if not isinstance(entries, dict) or not isinstance(stats, dict):
            raise ValueError("no entries")
        return Cache(entries, stats, written), None
    except (ValueError, RecursionError) as exc:
        return Cache(), f"{path}: the site index cache is corrupt ({exc}); reading every source"


_ENTRY_KEYS = frozenset(Entry(source="", kind="article", source_hash="", slug="", title="",
                               lang="").to_json())


def save_cache(path: Path, index: SiteIndex, language: str,
               stats: dict[str, list[int]] | None = None,
               cached: dict[str, dict[str, Any]] | None = None) -> None:
    """Write the index cache.

    An entry read from the cache is written back as its record was read
    (checked then, and of exactly the fields :meth:`Entry.to_json` gives), so
    one edit on a site of 10,000 articles does not turn 10,000 entries back
    into records.  The file is ASCII (``\\u`` escapes): with one accented
    letter in it, Python writes and reads a whole 12 MB text of wide characters,
    at twice the cost.
    """
    from pubkit.output import write_atomic

    kept = cached or {}
    entries: dict[str, Any] = {}
    for source, entry in sorted(index.entries.items()):
        record = kept.get(source)
        entries[source] = (record if record is not None and record.keys() == _ENTRY_KEYS
                           and record.get("hash") == entry.source_hash else entry.to_json())
    data = {
        "schema": CACHE_SCHEMA, "pubkit": __version__, "language": language,
        "entries": entries,
        "stats": {s: v for s, v in sorted((stats or {}).items()) if s in index.entries},
    }
    write_atomic(path, json.dumps(data, separators=(",", ":")).encode("ascii"))


# ----------------------------------------------------------------------- build
Reader = Callable[[list[tuple[str, Source]]], list[tuple[str, Entry | None, Diagnostic | None]]]
"""Reads sources into their entries (or the reason they cannot be read)."""

def build_index(
    site: Site,
    *,
    keep: Iterable[str] = (),
    use_cache: bool = True,
    write_cache: bool = False,
    jobs: int = 0,
    reader: Reader | None = None,
) -> IndexResult:
    """Index every source of ``site``.

    ``keep`` names sources (site-relative) whose parsed article the caller
    will render: those are parsed here, in this process, and returned, so no
    article is parsed twice.  The cache is read unless ``use_cache`` is off and
    written back (when anything changed) if ``write_cache`` is on.
    ``reader`` reads the sources the cache cannot answer for (default: here,
    or in a pool of processes when there are many); a command that parses
    those articles anyway reads them in its own workers and keeps them.
    """
    keep_set = set(keep)
    language = site.settings.language
    cache_path = site.output_dir / CACHE_NAME
    found = sources(site)
    result = IndexResult(SiteIndex(content_dir=site.settings.content_dir))
    result.kinds = dict(found)
    cache = Cache()
    if use_cache:
        cache, note = load_cache(cache_path, language)
        if note:
            result.notes.append(note)
    cached = cache.entries
    stats = result.stats
    prefix = os.path.join(site.root, "")  # strings, not Path objects: 10,000 of them
    later: list[str] = []
    """Sources the cache knows nothing of: hashed from the bytes their reader parses."""
    for source, _ in found:
        digest, stats[source] = _digest(prefix + source, cache, source)
        if digest is _LATER:
            later.append(source)
        else:
            result.hashes[source] = digest
    entries: dict[str, Entry] = {}
    try:
        for source, kind in found:
            digest = result.hashes.get(source)
            if digest is None or source not in cached or source in keep_set:
                continue
            record = cached[source]
            entry = entry_from_json(source, record, digest)
            if entry is not None and entry.kind == kind:
                entries[source] = entry
                result.cached[source] = record
    except (ValueError, TypeError) as exc:
        result.notes.append(f"{cache_path}: the site index cache is corrupt ({exc}); "
                            "reading every source")
        entries = {}
        result.cached = {}
    problems: dict[str, Diagnostic] = {}
    todo = [(s, k) for s, k in found if s not in entries]
    result.fresh = len(todo)
    root = str(site.root)
    folders: dict[Path, Path] = {}
    for source, kind in todo:
        if source in keep_set:
            entry, problem, article = read_entry(root, source, kind, language, keep=True,
                                                 folders=folders)
            _place(source, entry, problem, entries, problems)
            if article is not None:
                result.parsed[source] = article
    rest = [(s, k) for s, k in todo if s not in keep_set]
    for source, entry, problem in (reader(rest) if reader is not None else
                                   _read_many(root, rest, language, jobs)):
        _place(source, entry, problem, entries, problems)
    for source in later:
        # The entry's hash is of the very bytes its article was made from; a source that gave
        # no entry (unreadable, refused) is hashed here, as it is now.
        entry = entries.get(source)
        result.hashes[source] = (entry.source_hash if entry is not None
                                 else file_digest(Path(prefix + source)) if stats[source] else None)
    result.hashes = {s: result.hashes[s] for s, _ in found}  # the sources' order, as before
    ordered = {s: entries[s] for s, _ in found if s in entries}
    result.index = SiteIndex(ordered, problems, site.settings.content_dir)
    if write_cache and (note := result.save(site)):
        result.notes.append(note)
    return result


RACY_NS = 2_000_000_000
"""A file changed this close to the cache's writing may have changed unseen by its stat."""
_HEX64 = re.compile(r"[0-9a-f]{64}")


_LATER = "later"
""":func:`_digest`'s answer for a source the cache has no record of."""


def _digest(path: str, cache: Cache, source: str) -> tuple[str | None, list[int]]:
    """The sha256 of a source and its stat, read only when the stat says it may have changed.

    As git does for its index: size, modification and change times and inode
    number equal to those recorded, and older than the cache itself (by
    :data:`RACY_NS`), mean the bytes are those hashed then.  A source the
    cache has no record of is not read here (:data:`_LATER`): it is read to
    make its entry, which holds the hash of what was read.  The stat comes
    first, so a change in between shows as a stat that differs next time.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None, []
    now = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    entry = cache.entries.get(source)
    if entry is None:
        return _LATER, now
    if (stat.S_ISREG(st.st_mode) and cache.stats.get(source) == now and isinstance(entry, dict)
            and st.st_mtime_ns < cache.written_ns - RACY_NS and st.st_ctime_ns < cache.written_ns - RACY_NS):
        digest = entry.get("hash")
        if isinstance(digest, str) and _HEX64.fullmatch(digest):
            return digest, now
    return file_digest(Path(path)), now


def file_digest(path: Path, limit: int = 64 * 1024 * 1024) -> str | None:
    """sha256 of a regular file's bytes, or None when it is not one (or too big to be a source)."""
    import hashlib

    try:
        data = read_bounded(path, limit)
    except (OSError, ValueError):
        return None
    return hashlib.sha256(data).hexdigest()


def read_bounded(path: Path, limit: int, follow_symlinks: bool = True) -> bytes:
    """A regular file's bytes, opened without blocking; ValueError past ``limit`` bytes."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags if follow_symlinks else flags | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ValueError(f"{path} is not a regular file")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path} is larger than {limit} bytes")
    return data


def _place(source: str, entry: Entry | None, problem: Diagnostic | None,
           entries: dict[str, Entry], problems: dict[str, Diagnostic]) -> None:
    if entry is not None:
        entries[source] = entry
    elif problem is not None:
        problems[source] = problem


def _read_many(root: str, items: list[tuple[str, Source]], language: str,
               jobs: int) -> list[tuple[str, Entry | None, Diagnostic | None]]:
    workers = jobs or len(os.sched_getaffinity(0))
    if len(items) < PARALLEL_FROM or workers < 2:
        return _read_chunk(root, items, language)
    from concurrent.futures import ProcessPoolExecutor  # here: `pubkit check` never needs it

    size = max(20, len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # A fork server, as for the build's own workers: nothing of this process
    # (the build lock, threads) is inherited.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pubkit.site.indexing"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(_read_chunk, [root] * len(chunks), chunks, [language] * len(chunks))
        return [item for part in parts for item in part]
