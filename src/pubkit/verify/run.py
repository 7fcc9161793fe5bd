"""Verifying a site's built outputs: which articles, which files, in how many processes."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubkit.verify.compare import ArticleResult, Problem

if TYPE_CHECKING:
    from pubkit.renderers.base import RenderContext
    from pubkit.site import Site
    from pubkit.site.index import SiteIndex

PARALLEL_MIN = 40
"""Fewer articles than this are verified in this process (a worker costs more to start)."""
VERIFIED_FORMATS = ("html", "pdf", "large-print", "docx", "email")
"""The article formats whose outputs verify can read back."""


@dataclass
class VerifyReport:
    """Every article verified, and the figures a build report carries."""

    formats: list[str]
    results: list[ArticleResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Sources not verified: drafts (without ``--drafts``), a slug another article owns."""
    notes: list[str] = field(default_factory=list)
    """Warnings about the run itself (a worker process that stopped)."""

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.results if r.error]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems or self.errors else 0

    def figures(self) -> dict[str, Any]:
        """Items checked and missing per format part, as the build report and ``--json`` give them."""
        checked: Counter[str] = Counter()
        for r in self.results:
            checked.update(r.checked)
        missing = Counter(p.format for p in self.problems)
        parts = sorted(set(checked) | set(missing))
        return {
            "articles": sum(1 for r in self.results if not r.error),
            "items": sum(r.items for r in self.results),
            "checked": sum(checked.values()),
            "missing": len(self.problems),
            "errors": len(self.errors),
            "formats": {p: {"checked": checked.get(p, 0), "missing": missing.get(p, 0)} for p in parts},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.figures(),
            "skipped": self.skipped,
            "problems": [p.to_json() for p in self.problems],
            "error_messages": self.errors,
        }

    def line(self) -> str:
        f = self.figures()
        per = ", ".join(f"{part} {v['missing']}" for part, v in f["formats"].items())
        noun = "article" if f["articles"] == 1 else "articles"
        return (f"{f['articles']} {noun} verified: {f['items']} items, {f['checked']} checks in "
                f"{len(f['formats'])} format parts, {f['missing']} missing" + (f" ({per})" if per else ""))


class Verifier:
    """Verifies one article at a time against the outputs in ``site``'s output folder."""

    def __init__(self, ctx: RenderContext, formats: list[str]) -> None:
        from pubkit import formats as registry
        from pubkit.verify.extract import EXTRACTORS

        self.ctx = ctx
        self.formats = [registry.get(f) for f in formats]
        self.extractors = EXTRACTORS

    def verify_file(self, path: Path) -> ArticleResult:
        from pubkit.diagnostics import SourceError
        from pubkit.source.reader import display_path, read_article
        from pubkit.verify.compare import verify_article
        from pubkit.verify.expected import expected_items

        site = self.ctx.site
        try:
            article = read_article(path, site.root, site.settings.language)
        except SourceError as exc:
            return ArticleResult(display_path(path, site.root), error=str(exc.diagnostic))
        items = expected_items(article, site.settings, self.ctx.translations(article))
        entry = self.ctx.entry(article)
        outputs = {}
        for fmt in self.formats:
            shown = self.ctx.index.output_path(entry, fmt)
            outputs[fmt.name] = (shown, site.output_dir / shown)
        return verify_article(article.path, items, outputs, self.extractors)


def article_formats(requested: list[str] | None, site: Site) -> list[str]:
    """The article formats to verify: those asked for, else those a build makes.

    A ConfigError names a format that is unknown or that verify cannot read.
    """
    from pubkit.batch.runner import choose_formats
    from pubkit.diagnostics import ConfigError

    found = choose_formats(site, requested)
    chosen = [name for name, fmt in found.items() if fmt.source == "article"]
    for name in [*chosen, *(n for n in requested or [] if found[n].source != "article")]:
        if name not in VERIFIED_FORMATS:
            raise ConfigError(f"pubkit verify cannot read format {name} "
                              f"(it reads {', '.join(VERIFIED_FORMATS)})")
    return chosen


def verify_site(site: Site, files: list[Path], formats: list[str], index: SiteIndex,
                drafts: bool = False, jobs: int = 0) -> VerifyReport:
    """Verify ``files`` (articles of ``site``) in ``formats``; the index says where outputs are."""
    from pubkit.source.reader import display_path

    report = VerifyReport(formats)
    todo = []
    for path in files:
        source = display_path(path, site.root)
        entry = index.entry(source)
        if entry is not None and ((entry.status == "draft" and not drafts)
                                  or index.duplicate_of(source) is not None):
            report.skipped.append(source)
        else:
            todo.append(path)
    from concurrent.futures.process import BrokenProcessPool

    try:
        report.results = list(_verify_all(site, todo, formats, index, jobs or len(os.sched_getaffinity(0))))
    except BrokenProcessPool:  # a worker was killed (out of memory, a signal): start again here
        report.notes.append("a worker process stopped; verifying in this process")
        report.results = list(_verify_all(site, todo, formats, index, 1))
    return report


def _verifier(site: Site, formats: list[str], index: SiteIndex) -> Verifier:
    from pubkit.renderers.base import RenderContext

    return Verifier(RenderContext.for_site(site, index=index), formats)


_WORKER: list[Verifier] = []


def _verify_in_worker(paths: list[Path]) -> list[ArticleResult]:
    return [_WORKER[0].verify_file(p) for p in paths]


def _verify_all(site: Site, files: list[Path], formats: list[str], index: SiteIndex,
                jobs: int) -> Iterator[ArticleResult]:
    """Results in the order of ``files``, from worker processes when there are many."""
    verifier = _verifier(site, formats, index)
    if jobs < 2 or len(files) < PARALLEL_MIN:
        yield from (verifier.verify_file(p) for p in files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pubkit.verify import extract

    extract.preload()  # import the engines once, here: forked workers share them
    _WORKER[:] = [verifier]
    # Chunks of a few dozen articles: one message per chunk, and both cores busy to the end.
    size = max(1, min(50, len(files) // (jobs * 4)))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    if "fork" in multiprocessing.get_all_start_methods():  # workers inherit the verifier
        pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("fork"))
    else:  # pragma: no cover - elsewhere each worker builds its own
        pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(site, formats, index))
    with pool:
        for part in pool.map(_verify_in_worker, chunks):
            yield from part


def _init_worker(site: Site, formats: list[str], index: SiteIndex) -> None:
    _WORKER[:] = [_verifier(site, formats, index)]
