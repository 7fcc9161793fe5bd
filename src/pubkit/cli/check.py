"""``pubkit check``: validate content; nothing is written but caches."""

from __future__ import annotations

import collections
import contextlib
import gc
import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pubkit.cli.app import EXIT_FAILED, JobsOption, SiteOption, app, fail_usage, load_site

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from multiprocessing.connection import Connection

    from pubkit.article_check import ArticleCheck, Checker, CheckOptions
    from pubkit.check_cache import CheckCache
    from pubkit.formats import Source
    from pubkit.model.article import Article
    from pubkit.site import Site
    from pubkit.site.index import SiteIndex

PARALLEL_MIN = 40
"""Fewer files than this are checked in this process (a worker costs more to start)."""


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: content/).")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail on warnings too; reading level and word hints become errors.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print every figure per article and section as JSON on stdout.")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Check every article again; read and write no kept results.")] = False,
    jobs: JobsOption = 0,
    site: SiteOption = None,
) -> None:
    """Check front matter, links, images, slugs, alt text, reading level, plain language and reviews.

    Prints path:line: message on stderr.  Links are judged against the site
    index, read from its cache when it is fresh.  Writes only its caches: the
    site index's, and each article's result in .pubkit/cache/check/ (an
    unchanged article is not checked again); --no-cache writes nothing.
    """
    with _collector_off():
        _check_command(paths, strict, as_json, no_cache, jobs, site)


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """No cyclic garbage collection in this process while it checks.

    It imports the checks, gathers the index and tens of thousands of
    diagnostics from the workers, none of them in a cycle: the collector's
    passes over them were a twentieth of a cold check of a thousand articles.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _check_command(paths: list[Path] | None, strict: bool, as_json: bool, no_cache: bool, jobs: int,
                   site: Path | None) -> None:
    from pubkit.article_check import CheckOptions
    from pubkit.cli.clock import today
    from pubkit.diagnostics import ConfigError
    from pubkit.readability.wordlist import read_site_list
    from pubkit.site import discover_articles

    the_site = load_site(site)
    files = discover_articles(list(paths or []), the_site)
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    try:
        words = read_site_list(the_site.root / the_site.settings.check.plain_language)
    except ConfigError as exc:
        fail_usage(str(exc))
    options = CheckOptions(today(), strict, as_json)
    results, notes = check_files(the_site, files, options, words, jobs, cache=not no_cache)
    for note in notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    severities: list[str] = []
    reports: list[str] = []
    for result in results:
        if result.diagnostics:  # one write per article: a large site prints tens of thousands
            sys.stderr.write(result.text())
        severities += [d.severity for d in result.diagnostics]
        if as_json:
            reports.append(result.report_text())
    errors, warnings = severities.count("error"), severities.count("warning")
    if as_json:
        # One line, through the C encoder: indenting makes json use its pure-Python one,
        # ten times slower on a large site (pipe it through `python -m json.tool` to read).
        # The same text as json.dumps of the whole, each article's report encoded where it
        # was checked (ArticleCheck.report_text).
        head = json.dumps({"checked": len(files), "errors": errors, "warnings": warnings}, ensure_ascii=False)
        sys.stdout.write(f'{head[:-1]}, "articles": [{", ".join(reports)}]}}\n')
    else:
        typer.echo(f"{len(files)} checked, {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_FAILED)


def check_files(site: Site, files: list[Path], options: CheckOptions, words: dict[str, dict[str, str]],
                jobs: int = 0, cache: bool = False) -> tuple[list[ArticleCheck], list[str]]:
    """Index the site and check ``files``, each article parsed once; results in the order of ``files``.

    The site index needs every article parsed (unless its cache is fresh), and
    so do the checks: the articles the index has to read are read by the same
    processes that check them, and kept there until the index is whole.  With
    ``cache`` the index's cache is written back and each article's result is
    kept (:mod:`pubkit.check_cache`): an article whose result is still good
    is neither parsed nor checked.
    """
    workers = jobs or len(os.sched_getaffinity(0))
    if workers >= 2 and len(files) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        try:
            return _check(site, files, options, words, jobs, cache, workers)
        except (EOFError, ConnectionError) as exc:  # a worker was killed (out of memory, a signal)
            note = f"a worker process stopped ({type(exc).__name__}); checking in this process"
        results, notes = _check(site, files, options, words, 1, cache, 0)
        return results, [note, *notes]
    return _check(site, files, options, words, jobs, cache, 0)


def _check(site: Site, files: list[Path], options: CheckOptions, words: dict[str, dict[str, str]],
           jobs: int, cache: bool, workers: int) -> tuple[list[ArticleCheck], list[str]]:
    """:func:`check_files` with ``workers`` processes (0: all in this one)."""
    from pubkit.site.indexing import build_index, read_entry, rel_all

    sources = rel_all(files, site.root)
    wanted = dict(zip(sources, range(len(files)), strict=True))
    parsed: dict[str, Article] = {}
    """Articles read here for the index, to be checked here."""
    root, language = str(site.root), site.settings.language
    folders: dict[Path, Path] = {}
    """The folders resolved by this command (see :func:`~pubkit.source.reader.read_article`)."""
    with contextlib.ExitStack() as stack:
        pool: _Pool | None = None
        base = _checker(site.root, options, words, None) if cache or workers else None
        """What the workers are forked with (they learn the index later)."""
        kept = _kept(site, options, words, base) if base is not None and cache else None

        def start() -> _Pool:
            nonlocal pool
            if pool is None:
                assert base is not None  # made whenever there are workers
                pool = stack.enter_context(_Pool(workers, base, kept))
            return pool

        def reader(todo: list[tuple[str, Source]]) -> list[Any]:
            if workers and len(todo) >= PARALLEL_MIN:
                return start().read(todo, wanted)
            from pubkit.site.indexing import _read_many

            out = []
            for source, kind in todo:
                if source in wanted:
                    entry, problem, article = read_entry(root, source, kind, language, keep=True,
                                                         folders=folders)
                    if article is not None:
                        parsed[source] = article
                    out.append((source, entry, problem))
            return [*out, *_read_many(root, [t for t in todo if t[0] not in wanted], language, jobs)]

        indexed = build_index(site, jobs=jobs, reader=reader)
        index = indexed.index

        def save_index() -> None:
            if cache and (note := indexed.save(site)):
                indexed.notes.append(note)

        checker = _checker(site.root, options, words, index)
        results: list[ArticleCheck | None] = [None] * len(files)
        if kept is not None:
            for pos, source in enumerate(sources):
                digest = indexed.hashes.get(source)
                entry = index.entry(source)
                if digest and entry is not None and entry.source_hash == digest and kept.usable(entry.lang):
                    results[pos] = kept.cache.get(source, digest, index)
        misses = [pos for pos, result in enumerate(results) if result is None]
        unread = [pos for pos in misses if sources[pos] not in parsed]
        if workers and pool is None and len(unread) >= PARALLEL_MIN:
            start()
        texts: dict[int, str | None] = {}
        """Cache entries the workers made of their results."""
        if pool is not None:
            # The index's cache is written while the workers check (this process is idle then).
            for pos, result, text in pool.check(index, files, sources,
                                                {sources[p] for p in misses if sources[p] not in parsed},
                                                meanwhile=save_index):
                results[pos], texts[pos] = result, text
        else:
            save_index()
            for pos in unread:
                results[pos] = checker.check_file(files[pos])
        for pos in misses:
            if sources[pos] in parsed:
                results[pos] = checker.check(parsed[sources[pos]])
        if kept is not None:
            for pos in misses:
                kept.put(sources[pos], results[pos], indexed.hashes.get(sources[pos]), index, texts.get(pos))
            whole = all(e.source in wanted for e in index.articles())
            kept.cache.save(index, everything=whole)
    return [r for r in results if r is not None], indexed.notes


class _Kept:
    """The check cache of one command, and which languages' results it may keep."""

    def __init__(self, cache: CheckCache, checker: Checker) -> None:
        self.cache = cache
        self.checker = checker
        self._usable: dict[str, bool] = {}

    def usable(self, lang: str) -> bool:
        """Whether results in ``lang`` may be kept: a language without a catalogue is warned
        about once per command, by whichever check comes first."""
        if lang not in self._usable:
            self._usable[lang] = not self.checker.ctx.theme.translations(lang).missing
        return self._usable[lang]

    def keeps(self, source: str, result: ArticleCheck | None, index: SiteIndex) -> bool:
        """Whether ``result`` is a check of ``source`` as the index has it, in a language whose
        results are kept (else it changed while being checked, could not be read, or was named
        from outside the site)."""
        entry = index.entry(source)
        return (result is not None and bool(result.source_hash) and entry is not None
                and entry.source_hash == result.source_hash and self.usable(entry.lang))

    def text(self, source: str, result: ArticleCheck, index: SiteIndex) -> str | None:
        """The cache entry of ``result``, made where it was checked (a worker)."""
        return self.cache.entry_text(source, result, index) if self.keeps(source, result, index) else None

    def put(self, source: str, result: ArticleCheck | None, digest: str | None, index: SiteIndex,
            text: str | None = None) -> None:
        if result is None or not digest or result.source_hash != digest:
            return
        if not self.keeps(source, result, index):
            return
        self.cache.put(source, result, index, text)


def _kept(site: Site, options: CheckOptions, words: dict[str, dict[str, str]], checker: Checker) -> _Kept:
    from pubkit.check_cache import CheckCache

    return _Kept(CheckCache.of(site, options, words, checker.ctx.resources), checker)


CHUNK = 25
"""Most articles sent to a worker at a time: few messages while there is much to do."""
STEAL = 4
"""Kept articles a free worker takes over (reading them again) from one with work left."""


def _chunk(left: int, workers: int) -> int:
    """How many of ``left`` articles to send at once: fewer towards the end, so that no worker
    is left with a long last chunk while the others have nothing."""
    return max(1, min(CHUNK, left // (2 * workers)))


class _Pool:
    """Worker processes that keep the articles they parse for the index, then check them.

    Each worker is forked with a checker (its site, options and word lists);
    work goes out in chunks to whichever worker is free.  Phase one reads
    sources into index entries (a worker keeps the articles it will check);
    once the index is whole it goes to every worker, which checks what it kept,
    and whatever else is to be checked goes to whichever is free.  A worker
    that runs out of work takes over a few of another's kept articles, from
    the end of its queue: reading one again costs less than idling while the
    other checks a hundred (a worker slowed in phase one keeps fewer).
    """

    def __init__(self, jobs: int, checker: Checker, kept: _Kept | None = None) -> None:
        from pubkit.readability.syllables import english

        english("warm")  # load the word list once, here: forked workers share it
        checker.ctx.theme.translations(checker.ctx.settings.language)  # and the site's catalogue
        context = multiprocessing.get_context("fork")  # workers inherit the checker
        self.conns: list[Connection[Any, Any]] = []
        self.procs = []
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(theirs, checker, kept), daemon=True)
            proc.start()
            theirs.close()
            self.conns.append(mine)
            self.procs.append(proc)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop", None))
            conn.close()
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():  # pragma: no cover - a worker that hangs on exit
                proc.kill()

    def _run(self, work: Callable[[int], tuple[str, Any] | None],
             meanwhile: Callable[[], None] | None = None) -> list[Any]:
        """Give each free worker (by number) what ``work`` has for it, until it has nothing for
        any; every reply, in no particular order.  ``meanwhile`` runs here once all have work."""
        from multiprocessing.connection import wait

        busy: dict[Connection[Any, Any], int] = {}
        out: list[Any] = []

        def give(number: int) -> None:
            task = work(number)
            if task is not None:
                self.conns[number].send(task)
                busy[self.conns[number]] = number

        for number in range(len(self.conns)):
            give(number)
        if meanwhile is not None:
            meanwhile()
        while busy:
            for ready in wait(list(busy)):
                conn = next(c for c in busy if c is ready)
                reply = conn.recv()
                if isinstance(reply, BaseException):
                    raise reply
                out.extend(reply)
                give(busy.pop(conn))
        return out

    def read(self, todo: list[tuple[str, Any]], wanted: dict[str, int]) -> list[Any]:
        """Phase one: index entries of ``todo``; the workers keep the articles in ``wanted``."""
        items = collections.deque((source, kind, wanted.get(source)) for source, kind in todo)

        def work(_: int) -> tuple[str, Any] | None:
            size = _chunk(len(items), len(self.conns))
            return ("read", [items.popleft() for _ in range(size)]) if items else None

        return self._run(work)

    def check(self, index: SiteIndex, files: list[Path], sources: list[str], todo: set[str],
              meanwhile: Callable[[], None] | None = None) -> list[tuple[int, ArticleCheck, str | None]]:
        """Phase two: the files of ``todo`` checked, the kept articles by the worker holding them
        (a kept article not in ``todo`` is dropped: its result was found in the cache);
        ``meanwhile`` runs here while they check."""
        from multiprocessing.reduction import ForkingPickler

        message = bytes(ForkingPickler.dumps(("index", (index, todo))))  # pickled once for all
        for conn in self.conns:
            conn.send_bytes(message)
        held: list[collections.deque[str]] = []
        """Each worker's kept articles that it has not been asked to check yet."""
        for conn in self.conns:
            reply = conn.recv()
            if isinstance(reply, BaseException):
                raise reply
            held.append(collections.deque(reply))
        return self._run(_CheckSchedule(held, files, sources, todo).work, meanwhile)


class _CheckSchedule:
    """Who checks what in phase two (see :class:`_Pool`).

    ``held`` is each worker's kept articles, in the order it read them.  A
    free worker gets its own kept articles first, then the files nobody
    kept, then :data:`STEAL` of the kept articles of the worker with the most
    left, from the end of its queue (it reads them again); none when that
    worker would check them sooner than they could be read again.
    """

    def __init__(self, held: list[collections.deque[str]], files: list[Path], sources: list[str],
                 todo: set[str]) -> None:
        self.held = held
        self.files = files
        kept = {source for queue in held for source in queue}
        self.place = {source: pos for pos, source in enumerate(sources)}
        self.rest = collections.deque((i, files[i], s) for i, s in enumerate(sources)
                                      if s in todo and s not in kept)

    def work(self, number: int) -> tuple[str, Any] | None:
        """The next task of worker ``number``: ``("kept", sources)`` or ``("check", [(pos, file,
        source), ...])``; None when there is nothing it should take."""
        mine = self.held[number]
        if mine:
            return "kept", [mine.popleft() for _ in range(_chunk(len(mine), 1))]
        if self.rest:
            return "check", [self.rest.popleft() for _ in range(_chunk(len(self.rest), len(self.held)))]
        other = max(self.held, key=len)
        if len(other) < 3 * STEAL:  # its holder checks them sooner than they could be read again
            return None
        taken = [other.pop() for _ in range(STEAL)]
        return "check", [(self.place[s], self.files[self.place[s]], s) for s in taken]


def _serve(conn: Any, checker: Checker, keep: _Kept | None = None) -> None:
    """A worker's loop (see :class:`_Pool`).

    The cycle collector is off here: its full passes walk every article the
    worker keeps (they are kept until the index is whole), a sixth of the
    worker's time on a thousand articles.  Reading and checking an article
    leave no reference cycles, so reference counting frees everything; a test
    holds the code to that (``tests/cli/test_check_parse_once.py``).
    """
    import dataclasses
    import gc

    from pubkit.site.indexing import read_entry

    gc.freeze()
    gc.disable()

    site = checker.ctx.site
    root, language = str(site.root), site.settings.language
    kept: dict[str, tuple[int, Any]] = {}
    """Source -> (its place among the files to check, the article), until checked."""
    folders: dict[Path, Path] = {}
    """The folders this worker resolved, for its command's life."""
    index: SiteIndex | None = None

    def done(pos: int, source: str, result: ArticleCheck) -> tuple[int, ArticleCheck, str | None]:
        text = keep.text(source, result, index) if keep is not None and index is not None else None
        result.text()  # printed here, in parallel, and sent along
        if checker.options.figures:
            result.report_text()
        return pos, result, text

    while True:
        try:
            op, data = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            if op == "stop":
                return
            if op == "read":
                out = []
                for source, kind, pos in data:
                    entry, problem, article = read_entry(root, source, kind, language,
                                                         keep=pos is not None, folders=folders)
                    if article is not None and pos is not None:
                        kept[source] = (pos, article)
                    out.append((source, entry, problem))
                conn.send(out)
            elif op == "index":
                index, todo = data
                checker.ctx = dataclasses.replace(checker.ctx, _index=index)
                kept = {s: held for s, held in kept.items() if s in todo}
                conn.send(list(kept))
            elif op == "kept":  # these of its kept articles (the rest may go to another worker)
                checked = []
                for source in data:
                    pos, article = kept.pop(source)
                    checked.append(done(pos, source, checker.check(article)))
                conn.send(checked)
            elif op == "check":
                conn.send([done(pos, source, checker.check_file(path)) for pos, path, source in data])
        except KeyboardInterrupt:
            return
        except BaseException as exc:  # a bug: the command reports it instead of hanging
            conn.send(exc)


def _checker(root: Path, options: CheckOptions, words: dict[str, dict[str, str]],
             index: SiteIndex | None) -> Checker:
    from pubkit.article_check import Checker
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site

    return Checker(RenderContext.for_site(open_site(root), index=index), words, options)
