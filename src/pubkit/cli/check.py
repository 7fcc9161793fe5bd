"""``pubkit check``: validate content without writing anything."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, SiteOption, app, fail_usage, load_site

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pubkit.article_check import ArticleCheck, Checker, CheckOptions
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
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Worker processes (default: one per core).")] = 0,
    site: SiteOption = None,
) -> None:
    """Check front matter, links, images, slugs, alt text, reading level, plain language and reviews.

    Prints path:line: message on stderr; writes nothing.  Links are judged
    against the site index, read from its cache when it is fresh.
    """
    from pubkit.article_check import CheckOptions
    from pubkit.cli.clock import today
    from pubkit.diagnostics import ConfigError
    from pubkit.readability.wordlist import read_site_list
    from pubkit.site import discover_articles
    from pubkit.site.indexing import build_index

    the_site = load_site(site)
    files = discover_articles(list(paths or []), the_site)
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    try:
        words = read_site_list(the_site.root / the_site.settings.check.plain_language)
    except ConfigError as exc:
        fail_usage(str(exc))
    options = CheckOptions(today(), strict, as_json)
    indexed = build_index(the_site, jobs=jobs)
    for note in indexed.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    errors = warnings = 0
    reports = []
    for result in _check_all(the_site.root, files, options, words, jobs or os.cpu_count() or 1,
                             indexed.index):
        if result.diagnostics:  # one write per article: a large site prints tens of thousands
            sys.stderr.write("".join(f"{d}\n" for d in result.diagnostics))
        errors += sum(d.severity == "error" for d in result.diagnostics)
        warnings += sum(d.severity == "warning" for d in result.diagnostics)
        reports.append(result.report)
    if as_json:
        # One line, through the C encoder: indenting makes json use its pure-Python one,
        # ten times slower on a large site (pipe it through `python -m json.tool` to read).
        sys.stdout.write(json.dumps({"checked": len(files), "errors": errors, "warnings": warnings,
                                     "articles": reports}, ensure_ascii=False) + "\n")
    else:
        typer.echo(f"{len(files)} checked, {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_FAILED)


def _check_all(root: Path, files: list[Path], options: CheckOptions,
               words: dict[str, dict[str, str]], jobs: int, index: SiteIndex) -> Iterator[ArticleCheck]:
    """Results in the order of ``files``, from worker processes when there are many."""
    checker = _checker(root, options, words, index)
    if jobs < 2 or len(files) < PARALLEL_MIN:
        yield from (checker.check_file(p) for p in files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pubkit.readability.syllables import english

    english("warm")  # load the word list once, here: forked workers share it
    _WORKER[:] = [checker]
    if "fork" in multiprocessing.get_all_start_methods():  # workers inherit the checker
        pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("fork"))
    else:  # pragma: no cover - elsewhere each worker builds its own
        pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(root, options, words, index))
    with pool:
        yield from pool.map(_check_in_worker, files, chunksize=max(1, len(files) // (jobs * 8)))


def _checker(root: Path, options: CheckOptions, words: dict[str, dict[str, str]],
             index: SiteIndex) -> Checker:
    from pubkit.article_check import Checker
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site

    return Checker(RenderContext.for_site(open_site(root), index=index), words, options)


_WORKER: list[Checker] = []


def _init_worker(root: Path, options: CheckOptions, words: dict[str, dict[str, str]],
                 index: SiteIndex) -> None:
    _WORKER[:] = [_checker(root, options, words, index)]


def _check_in_worker(path: Path) -> ArticleCheck:
    return _WORKER[0].check_file(path)
