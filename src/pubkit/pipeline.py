"""Source file -> article -> rendered bytes, one article at a time.

The pure middle of every command: nothing here writes a file.  Each render
runs under a time limit, so a pathological article fails alone.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pubkit import formats
from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.model.article import Article
from pubkit.renderers.base import Output, RenderContext
from pubkit.site.outputs import Name
from pubkit.source.reader import display_path, read_article


class RenderTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`RenderTimeout` in this thread after ``seconds`` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderTimeout(f"render took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class JobResult:
    """The outcome of rendering one article into one format."""

    source: str
    format: str
    slug: str | None = None
    name: Name | None = None
    """What the output's paths are made of (see :func:`pubkit.site.outputs.name_for`)."""
    output: Output | None = None
    error: Diagnostic | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    images: tuple[int, int] = (0, 0)
    """Copies of pictures the render made, and found already made (:mod:`pubkit.media.cache`)."""

    @property
    def ok(self) -> bool:
        return self.error is None


def load(path: Path, ctx: RenderContext) -> Article:
    return read_article(path, ctx.site.root, ctx.settings.language, ctx.files)


def render_one(article: Article, fmt: str, ctx: RenderContext) -> JobResult:
    """Render ``article`` as ``fmt``; any failure is captured as a diagnostic."""
    result = JobResult(article.path, fmt, article.slug, ctx.entry(article).name)
    start = time.perf_counter()
    duplicate = ctx.index.duplicate_error(article.path)
    if duplicate is not None:
        result.error = duplicate
        return result
    fctx = ctx.for_format(formats.get(fmt))
    try:
        with time_limit(ctx.settings.render_timeout):
            result.output = formats.article_renderer(fmt).render(article, fctx)
    except SourceError as exc:
        result.error = exc.diagnostic
    except RenderTimeout as exc:
        result.error = Diagnostic(article.path, None, f"{fmt}: {exc}")
    except Exception as exc:  # a renderer bug must not stop the batch
        result.error = Diagnostic(article.path, None, f"{fmt}: {type(exc).__name__}: {exc}")
    result.warnings = list(fctx.warnings)
    result.images = (fctx.images.made, fctx.images.reused)
    result.seconds = time.perf_counter() - start
    return result


def render_path(path: Path, formats: list[str], ctx: RenderContext) -> list[JobResult]:
    """Parse ``path`` once and render it into every format."""
    try:
        article = load(path, ctx)
    except SourceError as exc:
        shown = display_path(path, ctx.site.root)
        return [JobResult(shown, fmt, error=exc.diagnostic) for fmt in formats]
    results = [render_one(article, fmt, ctx) for fmt in formats]
    if results:
        results[0].warnings[:0] = article.warnings
    return results
