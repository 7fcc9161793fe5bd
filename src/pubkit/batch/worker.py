"""What runs in a worker process: one source into its formats, returned as bytes.

A worker opens the site, its templates and its engines once (the context is
cached per process) and then renders task after task.  It never writes a
file: the main process writes what comes back.  The same functions run in a
local process pool and on Dask workers.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import resource
import signal
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pubkit import formats as registry
from pubkit.batch.jobs import LINK_DEP, Task
from pubkit.batch.manifest import FileHashes
from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.sitefiles import DISK, SiteFiles

if TYPE_CHECKING:
    from pubkit.media.types import PictureFacts
    from pubkit.site.index import SiteIndex


@dataclass(frozen=True)
class SiteSpec:
    """What a worker needs: the site's folder, the settings as read, and the site index."""

    root: str
    settings_json: str
    generation: str = ""
    """Changes with any template, setting or index entry, so long-lived workers reload."""
    index_json: str = ""
    """The site index as built by the submitting process (see :func:`index_to_json`)."""
    now: str = ""
    """The build's clock reading (ISO 8601), for what is dated by the clock (newsletters)."""
    today: str = ""
    """The day review dates are judged on (ISO 8601; empty: no review policy)."""
    drafts: bool = False

    def __hash__(self) -> int:
        return hash((self.root, self.generation))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SiteSpec) and (self.root, self.generation) == (
            other.root, other.generation)


@dataclass
class FormatResult:
    format: str
    files: dict[str, bytes] | None
    """Output files relative to the output folder; None when the render failed."""
    error: Diagnostic | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    images: tuple[int, int] = (0, 0)
    """Copies of pictures made, and found already made (in the site's image cache)."""
    pictures: dict[str, PictureFacts] = field(default_factory=dict)
    """The pictures the web page gave copies, by site path: the site's pages show the same."""


@dataclass
class TaskResult:
    task: Task
    results: list[FormatResult]
    source_hash: str | None = None
    """Hash of the source as the worker read it (recorded in the manifest)."""
    slug: str | None = None
    title: str | None = None
    deps: dict[str, str | None] = field(default_factory=dict)
    worker: str = ""
    peak_rss_kb: int = 0


_CONTEXTS: dict[SiteSpec, RenderContext] = {}


def context(spec: SiteSpec, index: SiteIndex | None = None, files: SiteFiles = DISK,
            builtin: Path | None = None) -> RenderContext:
    """The render context of ``spec``, created once per worker process.

    ``index`` is the site index already at hand when the render runs in the
    submitting process (one edit of a big site): reading back its copy in
    ``spec`` would cost more than the render.  ``files`` and ``builtin`` are
    where the site's files and the shipped templates are read, when not from
    this machine's disk (a remote worker).
    """
    ctx = _CONTEXTS.get(spec)
    if ctx is None:
        from pubkit.media.cache import ImageCache
        from pubkit.settings import Settings
        from pubkit.site import Site
        from pubkit.site.index import index_from_json

        site = Site(Path(spec.root), Settings.model_validate_json(spec.settings_json))
        _CONTEXTS.clear()  # one site at a time: drop the previous generation's templates
        if index is None and spec.index_json:
            index = index_from_json(spec.index_json)
        # A worker without the site's disk keeps its copies of pictures in memory only.
        cache = ImageCache(site.image_cache_dir if files is DISK else None)
        ctx = _CONTEXTS[spec] = RenderContext.for_site(site, index=index, images=cache, files=files,
                                                       builtin=builtin)
    return ctx


def forget_contexts() -> None:
    """Drop the cached contexts (a remote render process given other files for the same site)."""
    _CONTEXTS.clear()


def warm(spec: SiteSpec, formats: tuple[str, ...]) -> None:
    """Load the context and every engine before the first task (pool initializer)."""
    context(spec)
    for fmt in formats:
        registry.load(fmt)


_LOCAL_SPEC: list[SiteSpec] = []


def init_local(spec: SiteSpec, formats: tuple[str, ...]) -> None:
    """Initializer of a local pool worker: Ctrl-C is the main process's to handle.

    The site spec is kept here once, so that each task ships only its own few fields.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _LOCAL_SPEC[:] = [spec]
    warm(spec, formats)


def run_local(task: Task) -> TaskResult:
    """:func:`run_task` in a local pool worker, on the site given to :func:`init_local`."""
    return run_task(_LOCAL_SPEC[0], task)


def run_task(spec: SiteSpec, task: Task) -> TaskResult:
    """Render ``task``; every failure becomes a diagnostic in the result."""
    ctx = context(spec)
    result = _newsletter(task, spec, ctx) if task.newsletter else _article(task, spec, ctx)
    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    result.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _article(task: Task, spec: SiteSpec, ctx: RenderContext) -> TaskResult:
    from pubkit.pipeline import load, render_one
    from pubkit.site.outputs import files_of

    root = ctx.site.root
    try:
        article = load(root / task.source, ctx)
    except SourceError as exc:
        return TaskResult(task, [FormatResult(f, None, exc.diagnostic) for f in task.formats])
    out = TaskResult(task, [], article.source_hash, article.slug, article.title,
                     dependencies(article, ctx))
    policy: list[Diagnostic] = []
    if spec.today:
        from pubkit.review.policy import publish_decision

        decision = publish_decision(article, ctx.settings, dt.date.fromisoformat(spec.today),
                                    spec.drafts)
        if not decision.publish:  # refused under [review] strict; the old outputs stay
            reasons = list(decision.diagnostics)
            error = Diagnostic(article.path, reasons[0].line if reasons else None,
                               "not published: " + "; ".join(d.message for d in reasons))
            return TaskResult(task, [FormatResult(f, None, error) for f in task.formats])
        policy = list(decision.diagnostics)
    for fmt in task.formats:
        job = render_one(article, fmt, ctx)
        warnings = [*article.warnings, *policy, *job.warnings] if not out.results else job.warnings
        if job.output is None:
            out.results.append(FormatResult(fmt, None, job.error, warnings, job.seconds))
            continue
        files = files_of(registry.get(fmt), ctx.entry(article).name, job.output)
        out.results.append(FormatResult(fmt, files, None, warnings, job.seconds, job.images,
                                        job.output.pictures))
    return out


def _newsletter(task: Task, spec: SiteSpec, ctx: RenderContext) -> TaskResult:
    from pubkit.pipeline import RenderTimeout, time_limit
    from pubkit.site.outputs import Name, files_of

    path = ctx.site.root / task.source
    out = TaskResult(task, [])
    start = time.perf_counter()
    (name,) = task.formats
    fmt = registry.get(name)
    fctx = ctx.for_format(fmt)
    now = dt.datetime.fromisoformat(spec.now) if spec.now else dt.datetime.now(dt.UTC)
    files = None
    try:
        out.source_hash = FileHashes()(path)
        with time_limit(ctx.settings.render_timeout):
            output, subject = registry.issue_renderer(name).render_issue(path, fctx, now)
        entry = ctx.index.entry(task.source)
        out.slug = entry.slug if entry else path.stem
        out.title = subject
        # A language version (sample.es.md) has a name of its own: newsletters/es/sample/,
        # and takes its articles from its base issue, so editing that rebuilds it too.
        files = files_of(fmt, entry.name if entry else Name(out.slug), output)
        if entry is not None and entry.translation_of:
            base = posixpath.join(posixpath.dirname(task.source), f"{entry.translation_of}.md")
            out.deps = {base: FileHashes()(ctx.site.root / base)}
        error = None
    except SourceError as exc:
        error = exc.diagnostic
    except RenderTimeout as exc:
        error = Diagnostic(task.source, None, f"newsletter: {exc}")
    except Exception as exc:  # a composer bug must not stop the batch
        error = Diagnostic(task.source, None, f"newsletter: {type(exc).__name__}: {exc}")
    out.results.append(FormatResult(name, files, error, list(fctx.warnings),
                                    time.perf_counter() - start))
    return out


def dependencies(article: Article, ctx: RenderContext) -> dict[str, str | None]:
    """What ``article``'s outputs use besides its source: local files and linked articles.

    Files (pictures, linked files, the lead image, the logo and icon) are recorded with
    their sha256; a linked article with the index facts its links use (slug,
    heading ids), so renaming or re-heading it rebuilds the pages linking to it.
    """
    from pubkit.site.indexing import article_entry
    from pubkit.site.listing import brand_files

    root = ctx.site.root
    entry = article_entry(article)
    files = [*entry.files, *brand_files(ctx.settings)]
    deps: dict[str, str | None] = {name: ctx.files.digest(root / name) for name in files}
    for key in ctx.index.dependencies(entry):  # linked articles, and the other versions of this one
        deps[LINK_DEP + key] = ctx.index.fingerprint(key)
    return deps
