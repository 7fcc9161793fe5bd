"""Run a build: lock, plan, render elsewhere, write here, record.

The main process alone touches the output folder.  Each result's files are
written atomically first; only then does its record enter the manifest,
which is saved (atomically) every few seconds and at the end.  Outputs of
deleted or renamed articles are removed once no record lists them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pubkit import formats as registry
from pubkit.batch.jobs import LINK_DEP, Plan, make_plan
from pubkit.batch.lock import BuildLock
from pubkit.batch.manifest import (
    DepHashes,
    FileHashes,
    FormatRecord,
    Manifest,
    SourceRecord,
    hash_bytes,
    load_manifest,
    save_manifest,
)
from pubkit.batch.report import BuildSummary, JobRecord, write_report
from pubkit.diagnostics import ConfigError, Diagnostic, SourceError, describe_os_error
from pubkit.formats import Format
from pubkit.output import remove_below, remove_stale_temps, write_files
from pubkit.site import Site
from pubkit.site.index import SiteIndex
from pubkit.site.indexing import IndexResult, build_index
from pubkit.site.outputs import WEB_FORMAT

if TYPE_CHECKING:
    from pubkit.batch.worker import TaskResult

PAGES_SOURCE = "(site pages)"
"""What the build report names as the source of the site's own pages."""
SAVE_EVERY = 2.0
"""Seconds between manifest saves during a build (what a killed build keeps), at least."""
SAVE_SHARE = 0.05
"""The most of a build's time that saving its manifest may take.  A save costs time in
proportion to the site (0.3 s for 10,000 articles), so a big site saves less often: every
2 s it would spend half a cold build's main-process time rewriting the manifest."""


@dataclass
class BuildOptions:
    formats: list[str] | None = None
    """Formats to build; None means the site's ``[build] formats`` or every available one."""
    force: bool = False
    jobs: int = 0
    executor: str = "local"
    scheduler: str | None = None
    drafts: bool = False
    """Build drafts too, marked DRAFT (``--drafts``)."""
    today: dt.date | None = None
    """The day review dates are judged on (the command reads the clock; None: no review policy)."""
    verify: bool = False
    """Read every article's outputs back afterwards and check each item is there (``--verify``)."""


class Listener(Protocol):
    def start(self, plan: Plan) -> None: ...
    def note(self, message: str) -> None: ...
    def job(self, record: JobRecord) -> None: ...
    def finish(self, summary: BuildSummary) -> None: ...


def choose_formats(site: Site, requested: list[str] | None) -> dict[str, Format]:
    """The formats to build; an unknown or unavailable format is a ConfigError.

    By default every available format (the handout variants ``[pdf] variants`` names);
    when email is built, newsletter issues are too.
    """
    available = registry.names()
    names = list(requested or site.settings.build.formats or registry.default_names(site.settings))
    for name in names:
        try:
            fmt = registry.get(name)
        except registry.UnknownFormat as exc:
            raise ConfigError(str(exc)) from None
        if not fmt.installed():
            raise ConfigError(f"format {name} is not available in this version of pubkit")
    if "email" in names and "newsletter" in available and "newsletter" not in names:
        names.append("newsletter")
    return {name: registry.get(name) for name in names}


class Builder:
    def __init__(self, site: Site, options: BuildOptions, listener: Listener) -> None:
        self.site = site
        self.options = options
        self.listener = listener
        self.out_dir = site.output_dir
        self.manifest = Manifest()
        self.refs: Counter[str] = Counter()
        self.summary = BuildSummary()
        self.plan = Plan()
        self.indexed = IndexResult(SiteIndex())
        self.hashes = DepHashes(site.root)
        self._saved_at = time.monotonic()
        self._save_every = SAVE_EVERY
        self._dirty = False
        self._written: dict[str, bytes] = {}
        """Digest of each file written by this build: a picture (and its web copies) that many
        articles show comes back with each of them, and is written once."""

    def run(self) -> BuildSummary:
        start = time.perf_counter()
        with BuildLock(self.out_dir):
            if not self.site.content_dir.is_dir():
                # Never take a missing (unmounted, misnamed) folder for "every article deleted".
                raise ConfigError(f"content folder {self.site.content_dir} does not exist")
            remove_stale_temps(self.out_dir)
            chosen = choose_formats(self.site, self.options.formats)
            self.summary.formats = list(chosen)
            with gc_paused():
                self._prepare(chosen)
            self.listener.start(self.plan)
            try:
                for src in self.plan.removed:
                    self._remove_source(src)
                for src, fmt in self.plan.skipped:
                    self.summary.records.append(JobRecord(src, fmt, "skipped"))
                for src, fmts, why in self.plan.refused:
                    self._refuse(src, fmts, why)
                if self.plan.tasks:
                    self._render()
                if WEB_FORMAT in chosen:
                    self._site_pages()
                if self.options.verify:
                    self._verify(chosen)
            finally:
                if self._dirty or self.hashes.read:
                    self._save()
                self.summary.seconds = time.perf_counter() - start
                write_report(self.out_dir, self.summary)
        self.listener.finish(self.summary)
        return self.summary

    def _prepare(self, chosen: dict[str, Format]) -> None:
        """Read the manifest and the site index, and plan."""
        self.manifest, warning = load_manifest(self.out_dir)
        if warning:
            self.summary.notes.append(warning)
            self.listener.note(warning)
        self.indexed = build_index(self.site, write_cache=True, jobs=self.options.jobs)
        for note in self.indexed.notes:
            self.summary.notes.append(note)
            self.listener.note(note)
        self.hashes = DepHashes(self.site.root, self.manifest.files, self.manifest.written_ns)
        self.plan = make_plan(self.site, self.manifest, chosen, self.indexed, self.options.force,
                              self.options.today, self.options.drafts, self.hashes)
        for note in self.plan.notes:
            self.summary.notes.append(note)
            self.listener.note(note)
        self.refs = Counter(
            n for r in self.manifest.sources.values() for f in r.formats.values() for n in f.outputs
        )
        if self.manifest.pages is not None:
            self.refs.update(list(self.manifest.pages.outputs))

    def _render(self) -> None:
        from pubkit.batch.executors import make_executor, runs_here
        from pubkit.batch.worker import SiteSpec, context
        from pubkit.site.index import index_to_json

        jobs = self.options.jobs or self.site.settings.build.jobs
        here = runs_here(self.options.executor, jobs, len(self.plan.tasks))
        index = self.indexed.index
        settings_json = self.site.settings.model_dump_json()
        # What the index holds follows from each source's bytes and the settings: their hashes
        # name its generation without writing out all of it (10,000 entries for one edit).
        generation = hash_bytes(json.dumps([
            self.plan.keys, settings_json, index.content_dir,
            [(s, e.source_hash) for s, e in index.entries.items()],
            [(s, str(d)) for s, d in index.problems.items()],
        ], sort_keys=True).encode("utf-8"))
        today = self.options.today.isoformat() if self.options.today else ""
        # Rendered here, the index is at hand; elsewhere it travels as text.
        spec = SiteSpec(str(self.site.root), settings_json, generation,
                        "" if here else index_to_json(index),
                        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                        today, self.options.drafts)
        if here:
            context(spec, index)
        executor = make_executor(
            self.options.executor, spec, jobs,
            tuple(sorted({f for t in self.plan.tasks for f in t.formats})),
            len(self.plan.tasks), self.options.scheduler,
            self.site.settings.render_timeout,
        )
        self.summary.executor = executor.name
        try:
            for result in executor.run(self.plan.tasks):
                self._apply(result)
                del result  # its bytes are written: nothing here keeps them past this point
                if self._dirty and time.monotonic() - self._saved_at > self._save_every:
                    self._save()
        finally:
            executor.close()

    def _site_pages(self) -> None:
        """The site's own pages, rebuilt when a listing fact, template or setting of theirs changed.

        Articles refused in this build (a slug taken, a strict review policy)
        are left out of them like drafts.
        """
        from pubkit.batch.jobs import format_key
        from pubkit.formats import SITE_PAGES
        from pubkit.site.listing import favicon_source, listing_facts
        from pubkit.theme import Theme

        start = time.perf_counter()
        index = self.indexed.index
        exclude = sorted({src for src, _, _ in self.plan.refused})
        enabled = self.site.settings.pages.enabled
        facts, shown = listing_facts(index, exclude) if enabled else ("", [])
        # The bytes of each card's picture name its copies: a new picture under the old name
        # rebuilds the pages (its hash from the manifest's stat, so a no-op reads no picture).
        pictures = [(path, self.hashes(path)) for path in shown]
        icon = favicon_source(self.site.settings)
        # The icon's bytes: the pages publish it, so a new logo must reach the web root.
        icon_hash = FileHashes()(self.site.root / icon) if icon else None
        key = format_key(self.site, Theme(self.site.templates_dir), SITE_PAGES,
                         json.dumps([facts, exclude, icon, icon_hash, pictures]))
        old = self.manifest.pages
        if old is not None and old.key == key and _present(self.out_dir, old.outputs):
            self.summary.pages = JobRecord(PAGES_SOURCE, SITE_PAGES.name, "skipped",
                                           outputs=sorted(old.outputs))
            return
        from pubkit.media.cache import ImageCache
        from pubkit.renderers.base import RenderContext
        from pubkit.renderers.html.site_pages import render_site_pages

        # The cards show the copies the articles' pages made: found in the cache, not made again.
        ctx = RenderContext.for_site(self.site, index=index,
                                     images=ImageCache(self.site.image_cache_dir)).for_format(SITE_PAGES)
        try:
            # What the articles' pages found of the pictures still as they were then (by hash).
            known = {path: seen[1] for path, digest in pictures
                     if (seen := self.manifest.pictures.get(path)) is not None and seen[0] == digest}
            files, warnings, kept = render_site_pages(ctx, exclude, self._published(), known)
            self._write_new(files)
        except OSError as exc:
            return self._pages_failed(start, f"{self.out_dir}: site pages: {describe_os_error(exc)}")
        except SourceError as exc:  # an unreadable template
            return self._pages_failed(start, str(exc.diagnostic))
        except Exception as exc:  # a site's template in error must not stop the build's record
            return self._pages_failed(start, f"{PAGES_SOURCE}: {type(exc).__name__}: {exc}")
        new = FormatRecord(key, {**kept, **{n: len(d) for n, d in files.items()}})
        self.manifest.pages = new
        self.refs.update(list(new.outputs))
        if old is not None:
            self._release(old.outputs)
        self._dirty = True
        self.summary.pages = JobRecord(PAGES_SOURCE, SITE_PAGES.name, "built",
                                       time.perf_counter() - start, None, warnings, sorted(new.outputs))
        for warning in warnings:
            self.summary.notes.append(warning)
            self.listener.note(warning)

    def _published(self) -> Callable[[str], int | None]:
        """The size of an output some record lists that is on disk at that size, or None.

        The cards' pictures are the articles' pages' copies, named by a hash of
        their bytes: those already there are neither fetched nor written again
        (a title edit would otherwise rewrite every copy of a big site).
        """
        sizes: dict[str, int] = {}
        for record in self.manifest.sources.values():
            for done in record.formats.values():
                sizes.update(done.outputs)
        if self.manifest.pages is not None:
            sizes.update(self.manifest.pages.outputs)

        def present(name: str) -> int | None:
            size = sizes.get(name)
            if size is None or self.refs[name] <= 0 or not _has_size(self.out_dir, name, size):
                return None
            return size

        return present

    def _write_new(self, files: dict[str, bytes]) -> None:
        """Write ``files``, but not those this build has written already with these bytes."""
        digests = {name: hashlib.blake2b(data, digest_size=16).digest() for name, data in files.items()}
        write_files(self.out_dir, {name: data for name, data in files.items()
                                   if self._written.get(name) != digests[name]})
        self._written.update(digests)

    def _pages_failed(self, start: float, error: str) -> None:
        """The site's pages could not be made: the old ones stay, and are retried next time."""
        from pubkit.formats import SITE_PAGES

        if self.manifest.pages is not None:
            self.manifest.pages.key = None
            self._dirty = True
        self.summary.pages = JobRecord(PAGES_SOURCE, SITE_PAGES.name, "failed",
                                       time.perf_counter() - start, error)
        self.listener.job(self.summary.pages)

    def _save(self) -> None:
        """Save the manifest, with the stat and hash of every file some source uses."""
        start = time.monotonic()
        used = {n for r in self.manifest.sources.values() for n in r.deps if not n.startswith(LINK_DEP)}
        self.manifest.files = self.hashes.table(used)
        self.manifest.pictures = {n: known for n, known in self.manifest.pictures.items() if n in used}
        save_manifest(self.out_dir, self.manifest)
        self._saved_at = time.monotonic()
        self._save_every = max(SAVE_EVERY, (self._saved_at - start) / SAVE_SHARE)
        self._dirty = False
        self.hashes.read = 0

    def _verify(self, chosen: dict[str, Format]) -> None:
        """Verify every article's outputs in the formats built (those verify can read), in the lock."""
        from pubkit.verify.run import VERIFIED_FORMATS, verify_site

        names = [n for n, f in chosen.items() if f.source == "article" and n in VERIFIED_FORMATS]
        files = [self.site.root / e.source for e in self.indexed.index.articles()]
        report = verify_site(self.site, files, names, self.indexed.index, self.options.drafts,
                             self.options.jobs)
        for note in report.notes:
            self.summary.notes.append(note)
            self.listener.note(note)
        self.summary.verify = report.figures()
        self.summary.verify_problems = [*report.errors, *(str(p) for p in report.problems)]

    def _apply(self, result: TaskResult) -> None:
        src = result.task.source
        if result.worker:
            peak = self.summary.workers.get(result.worker, 0)
            self.summary.workers[result.worker] = max(peak, result.peak_rss_kb)
        record = self.manifest.sources.get(src)
        if result.source_hash is not None:
            if record is None:
                record = self.manifest.sources[src] = SourceRecord(result.source_hash)
            elif record.source_hash != result.source_hash or record.deps != result.deps:
                # Outputs of formats not rendered now were made from the old source.
                for fmt, done in record.formats.items():
                    if fmt not in result.task.formats:
                        done.key = None
            record.source_hash = result.source_hash
            record.slug, record.title, record.deps = result.slug, result.title, result.deps
            for name in result.deps:
                if not name.startswith(LINK_DEP):
                    self.hashes(name)  # its stat, for the next build to trust instead of reading
            self._dirty = True
        for fr in result.results:
            error = fr.error
            if error is None and fr.files is not None:
                error = self._conflict(src, fr.files)
            if error is not None or fr.files is None or record is None:
                error = error or Diagnostic(src, None, f"{fr.format}: no output")
                if record is not None and fr.format in record.formats:
                    record.formats[fr.format].key = None  # keep the old output, retry next time
                    self._dirty = True
                self._emit(JobRecord(src, fr.format, "failed", fr.seconds, str(error),
                                     [str(w) for w in fr.warnings], worker=result.worker))
                continue
            digests = {name: hashlib.blake2b(data, digest_size=16).digest()
                       for name, data in fr.files.items()}
            try:
                write_files(self.out_dir, {name: data for name, data in fr.files.items()
                                           if self._written.get(name) != digests[name]})
                self._written.update(digests)
            except OSError as exc:
                why = describe_os_error(exc)
                self._emit(JobRecord(src, fr.format, "failed", fr.seconds,
                                     f"{src}: {fr.format}: cannot write the output: {why}",
                                     worker=result.worker))
                continue
            for name, facts in fr.pictures.items():
                if (raw := result.deps.get(name)) is not None:
                    self.manifest.pictures[name] = (raw, facts)
            old = record.formats.get(fr.format)
            new = FormatRecord(self.plan.keys[fr.format], {n: len(d) for n, d in fr.files.items()})
            record.formats[fr.format] = new
            self.refs.update(list(new.outputs))
            if old is not None:
                self._release(old.outputs)
            self._dirty = True
            self._emit(JobRecord(src, fr.format, "built", fr.seconds, None,
                                 [str(w) for w in fr.warnings], sorted(new.outputs),
                                 worker=result.worker, images_made=fr.images[0],
                                 images_reused=fr.images[1]))

    def _refuse(self, src: str, fmts: tuple[str, ...], why: Diagnostic) -> None:
        """A source that cannot be built: its last good outputs stay, it is retried next time."""
        record = self.manifest.sources.get(src)
        for fmt in fmts:
            if record is not None and fmt in record.formats:
                record.formats[fmt].key = None
                self._dirty = True
            self._emit(JobRecord(src, fmt, "failed", 0.0, str(why)))

    def _conflict(self, src: str, files: dict[str, bytes]) -> Diagnostic | None:
        """Two sources with the same slug would overwrite each other: the newcomer fails."""
        main = next(iter(files))
        own = self.manifest.sources.get(src)
        if self.refs[main] <= 0 or (own and any(main in f.outputs for f in own.formats.values())):
            return None
        for other, rec in self.manifest.sources.items():
            if other != src and any(main in f.outputs for f in rec.formats.values()):
                return Diagnostic(src, None, f"{main} is already built from {other} (same slug)")
        return None

    def _release(self, outputs: dict[str, int]) -> None:
        """Drop one reference to each of ``outputs``; delete those no record lists."""
        self.refs.subtract(list(outputs))
        for name in outputs:
            if self.refs[name] <= 0:
                del self.refs[name]
                self._written.pop(name, None)
                try:
                    remove_below(self.out_dir, name)
                except OSError as exc:  # a symlinked folder, a folder in the file's place
                    note = f"{self.out_dir / name}: not removed: {exc.strerror}"
                    self.summary.notes.append(note)
                    self.listener.note(note)

    def _remove_source(self, src: str) -> None:
        record = self.manifest.sources[src]
        removed = []
        for fmt, done in record.formats.items():
            gone = [n for n in done.outputs if self.refs[n] <= 1]
            self._release(done.outputs)
            removed.extend(gone)
            self._emit(JobRecord(src, fmt, "removed", outputs=sorted(gone)))
        del self.manifest.sources[src]
        self._dirty = True
        self.summary.removed.extend(removed)

    def _emit(self, record: JobRecord) -> None:
        self.summary.records.append(record)
        self.listener.job(record)


def _has_size(out_dir: Path, name: str, size: int) -> bool:
    """Whether ``name`` is a regular file of ``size`` bytes in the output folder."""
    try:
        st = os.lstat(out_dir / name)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == size


def _present(out_dir: Path, outputs: dict[str, int]) -> bool:
    """Whether every recorded output is still there with its size."""
    for name, size in outputs.items():
        try:
            if os.stat(out_dir / name).st_size != size:
                return False
        except OSError:
            return False
    return True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the manifest and index are read and the build
    planned, and none of what they made looked at again until the build ends.

    Reading a site of 10,000 articles makes some 500,000 objects, none in a
    cycle, and the collector would walk them again and again (a tenth of the
    time of a no-op build); rendering one edit afterwards would walk them all
    at each of its collections.  Reference counting still frees them.  On the
    way out they are frozen (:func:`gc.freeze`: left out of every collection);
    :func:`build_site` thaws them when the build is over, for a process that
    builds again (``pubkit watch``).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def build_site(site: Site, options: BuildOptions, listener: Listener) -> BuildSummary:
    try:
        return Builder(site, options, listener).run()
    finally:
        gc.unfreeze()  # what this build froze (see gc_paused) is collectable again
