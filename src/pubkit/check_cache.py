"""What ``pubkit check`` said about each article, kept so that an unchanged article is not checked again.

A kept result is used only when everything its check read is as it was:

- the article's bytes (their sha256, as the site index has it);
- what every article's check reads alike (:func:`common_key`): pubkit's
  code and version, the settings, the site's plain-language list, the day
  (a review falls due), ``--strict`` and ``--json``;
- what the check of this article read of the rest of the site (:func:`view`):
  whether another source claims its slug, its translation's original, each
  article it links to (slug, heading ids, web page, owner of its slug, why it
  cannot be read) and the web path of each file it names;
- each local file it looked up, found (at the same real path) or missing or
  refused for the same reason;
- a message catalogue for its language (a language without one is warned
  about once per command, so those results are never kept).

Results are kept in ``.pubkit/cache/check/`` of the site, in sixteen shard files
per pair of flags (an article's shard is decided by its source path): a first
check of a thousand articles writes sixteen files, not a thousand (creating a
file costs more than checking an article), and checking one article reads a
sixteenth of the results.  The folder is not trusted: a shard that is not a
regular file (a symbolic link, a FIFO), too large, not JSON or made for other
settings or code is ignored whole; an entry of the wrong shape in any field is
ignored; either way the article is checked again and the shard rewritten.
Shards are written by :func:`pubkit.output.write_below` (a temporary name
renamed into place, no folder followed through a symlink); a folder that
cannot be written only makes the next check slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit import __version__
from pubkit.article_check import ArticleCheck, CheckOptions, diagnostic_json
from pubkit.diagnostics import Diagnostic
from pubkit.output import write_below
from pubkit.resources import Missing, Refused, ResourcePolicy
from pubkit.safeio import read_regular
from pubkit.site import PRIVATE_DIR, Site

if TYPE_CHECKING:
    from pubkit.site.index import SiteIndex

SCHEMA = 2
FOLDER = "cache/check"
"""Below the site's ``.pubkit/``."""
SHARDS = 16
SHARD_LIMIT = 64 * 1024 * 1024
"""Bytes of one shard: 10,000 articles' results with every figure make about 12 MiB a shard."""
LOOKED_UP_LIMIT = 10_000
"""Local files one entry may name (an article naming more is simply checked again)."""
_SEVERITIES = ("error", "warning")
_PACKAGE = Path(__file__).resolve().parent


def code_digest() -> str:
    """pubkit's version and the name, size and modification time of each of its files.

    A checkout edited in place (an editable install) keeps its version number;
    its results must not outlive the code that made them.
    """
    found: list[str] = [__version__]
    folders = [_PACKAGE]
    while folders:
        folder = folders.pop()
        with os.scandir(folder) as entries:
            for item in entries:
                if item.is_dir(follow_symlinks=False):
                    if item.name != "__pycache__":
                        folders.append(Path(item.path))
                elif not item.name.endswith((".pyc", ".pyo")):
                    st = item.stat(follow_symlinks=False)
                    found.append(f"{os.path.relpath(item.path, _PACKAGE)}\0{st.st_size}\0{st.st_mtime_ns}")
    return _sha(sorted(found))


def common_key(site: Site, options: CheckOptions, site_words: dict[str, dict[str, str]]) -> str:
    """The digest of what the check of every article reads alike (see the module's docstring)."""
    return _sha([SCHEMA, code_digest(), site.settings.model_dump_json(), site_words,
                 options.today.isoformat(), options.strict, options.figures])


def view(index: SiteIndex, source: str, policy: ResourcePolicy, root: Path,
         looked_up: tuple[str, ...] | list[str]) -> str:
    """The digest of what the check of ``source`` reads of the rest of the site and of its files.

    Made the same way when a result is kept and when it is looked up: equal
    digests mean every decision :func:`pubkit.checks.check_article` makes
    from them comes out as it did.
    """
    entry = index.entry(source)
    if entry is None:
        return ""
    duplicate = index.duplicate_error(source)
    linked: list[Any] = []
    for target in entry.articles:
        other = index.article_at(target)
        if other is None:
            problem = index.problems.get(target)
            linked.append([target, None, problem.message if problem else None])
        else:
            linked.append([target, other.source, other.slug, list(other.ids), index.page_path(other),
                           index.duplicate_of(other.source)])
    base = root / (posixpath.dirname(source) or ".")
    files: list[Any] = []
    for written in looked_up:
        try:
            files.append(["found", str(policy.local_path(written, base))])
        except Missing as exc:
            files.append(["missing", str(exc)])
        except Refused as exc:
            files.append(["refused", str(exc)])
    return _sha([
        duplicate.message if duplicate else None,
        [d.message for d in index.translation_problems(entry)],
        index.page_path(entry), linked,
        [[f, index.published_as(f)] for f in entry.files],
        list(looked_up), files,
    ])


@dataclass
class CheckCache:
    """Kept results of one site for one command's options (see the module's docstring)."""

    folder: Path
    common: str
    options: CheckOptions
    policy: ResourcePolicy
    root: Path
    written: int = 0
    """Shard files written by :meth:`save`."""
    _shards: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    """Shard -> source -> its entry as read (a shard not yet read is absent)."""
    _made: dict[int, dict[str, str]] = field(default_factory=dict, repr=False)
    """Shard -> source -> the JSON text of its entry, made by this command."""
    _broken: bool = field(default=False, repr=False)

    @classmethod
    def of(cls, site: Site, options: CheckOptions, site_words: dict[str, dict[str, str]],
           policy: ResourcePolicy) -> CheckCache:
        return cls(site.root / PRIVATE_DIR / FOLDER, common_key(site, options, site_words), options,
                   policy, site.root)

    def _shard_name(self, shard: int) -> str:
        flags = ("strict" if self.options.strict else "plain") + ("-json" if self.options.figures else "")
        return f"{flags}-{shard:x}.json"

    def _entries(self, source: str) -> tuple[int, dict[str, Any]]:
        """The shard ``source`` belongs to and its entries, read once per command."""
        shard = int(hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(), 16) % SHARDS
        found = self._shards.get(shard)
        if found is None:
            found = self._shards[shard] = self._read(shard)
        return shard, found

    def _read(self, shard: int) -> dict[str, Any]:
        try:
            raw = read_regular(self.folder / self._shard_name(shard), SHARD_LIMIT, follow_symlinks=False)
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError):  # absent, a link or FIFO, too large, not JSON
            return {}
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("common") != self.common:
            return {}  # another pubkit, other settings or another day: nothing in it holds
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, source: str, source_hash: str, index: SiteIndex) -> ArticleCheck | None:
        """The kept result of ``source`` when still good, else None."""
        try:
            return self._parse(self._entries(source)[1].get(source), source, source_hash, index)
        except (TypeError, ValueError, KeyError, RecursionError):
            return None

    def _parse(self, data: Any, source: str, source_hash: str, index: SiteIndex) -> ArticleCheck | None:
        if not isinstance(data, dict) or data.get("hash") != source_hash:
            return None
        looked_up = data["looked_up"]
        if (not isinstance(looked_up, list) or len(looked_up) > LOOKED_UP_LIMIT
                or not all(isinstance(w, str) for w in looked_up)):
            return None
        if data.get("view") != view(index, source, self.policy, self.root, looked_up):
            return None
        found = [_diagnostic(d) for d in _list(data["diagnostics"])]
        report = data["report"]
        if not self.options.figures:
            if report is not None:
                return None
            return ArticleCheck(source, found, source_hash=source_hash, looked_up=tuple(looked_up))
        if not isinstance(report, dict) or report.get("path") != source or "diagnostics" in report:
            return None
        for name in ("slug", "title", "language"):
            if not isinstance(report.get(name), str):
                return None
        if not isinstance(report.get("readability"), dict) or not isinstance(report.get("review"), dict):
            return None
        for hit in _list(report.get("plain_language")):
            if (not isinstance(hit, dict) or not _line(hit.get("line"))
                    or not isinstance(hit.get("word"), str) or not isinstance(hit.get("try"), str)):
                return None
        report = {**report, "diagnostics": [diagnostic_json(d) for d in found]}
        return ArticleCheck(source, found, report, source_hash, tuple(looked_up))

    def entry_text(self, source: str, result: ArticleCheck, index: SiteIndex) -> str | None:
        """``result`` as the JSON text of its entry (None when it is not to be kept).

        Made where the check ran: a worker process makes its own entries, so the
        command's process only gathers them.
        """
        if len(result.looked_up) > LOOKED_UP_LIMIT:
            return None
        report = dict(result.report) if self.options.figures else None
        if report is not None:
            report.pop("diagnostics", None)  # made again from the diagnostics kept beside it
        return json.dumps({
            "hash": result.source_hash,
            "view": view(index, source, self.policy, self.root, result.looked_up),
            "looked_up": list(result.looked_up),
            "diagnostics": [[d.path, d.line, d.message, d.severity] for d in result.diagnostics],
            "report": report,
        }, separators=(",", ":"))  # ASCII: any text at all encodes, and reads back fast

    def put(self, source: str, result: ArticleCheck, index: SiteIndex, text: str | None = None) -> None:
        """Keep ``result`` (a check of ``source`` whose bytes the index has as they were checked),
        as ``text`` when :meth:`entry_text` made it already; written by :meth:`save`."""
        text = text if text is not None else self.entry_text(source, result, index)
        if text is None:
            return
        shard, entries = self._entries(source)
        entries.pop(source, None)
        self._made.setdefault(shard, {})[source] = text

    def save(self, index: SiteIndex, everything: bool = False) -> None:
        """Write each shard that :meth:`put` changed or that holds a source the site no longer has
        (without it); with ``everything`` (the whole site was checked) every shard is looked at,
        else those this command read."""
        if everything:
            for shard in range(SHARDS):
                if shard not in self._shards:
                    self._shards[shard] = self._read(shard)
        for shard, held in sorted(self._shards.items()):
            try:  # what was read is untrusted: if it will not encode again, it is dropped
                entries = {s: json.dumps(e) for s, e in held.items() if index.entry(s) is not None}
            except (ValueError, TypeError, RecursionError):
                entries = {}
            made = self._made.get(shard, {})
            if not made and len(entries) == len(held):
                continue
            entries.update((s, e) for s, e in made.items() if index.entry(s) is not None)
            body = ",".join(f"{json.dumps(s)}:{e}" for s, e in entries.items())
            text = f'{{"schema":{SCHEMA},"common":{json.dumps(self.common)},"entries":{{{body}}}}}'.encode()
            if len(text) > SHARD_LIMIT or self._broken:
                continue
            try:
                # A crash leaves the old shard or the new one; no fsync: a torn shard is only ignored.
                write_below(self.root, f"{PRIVATE_DIR}/{FOLDER}/{self._shard_name(shard)}", text, sync=False)
                self.written += 1
            except OSError:
                self._broken = True  # a cache that cannot be written is only slower (a symlinked folder)
        self._made.clear()


def _sha(value: Any) -> str:
    # surrogatepass: a file name that is not UTF-8 (a surrogate escape) still digests, never a crash.
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8", "surrogatepass")).hexdigest()


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _line(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _diagnostic(value: Any) -> Diagnostic:
    if not isinstance(value, list) or len(value) != 4:
        raise TypeError("not a diagnostic")
    path, line, message, severity = value
    if (not isinstance(path, str) or not _line(line) or not isinstance(message, str)
            or severity not in _SEVERITIES):
        raise TypeError("not a diagnostic")
    return Diagnostic(path, line, message, severity)
