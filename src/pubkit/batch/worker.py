"""What runs in a worker process: one source into its formats, returned as bytes.

A worker opens the site, its templates and its engines once (the context is
cached per process) and then renders task after task.  It never writes a
file: the main process writes what comes back.  The same functions run in a
local process pool and on Dask workers.
"""

from __future__ import annotations

import importlib
import os
import resource
import signal
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from pubkit.batch.formats import NEWSLETTER, NEWSLETTER_MODULE
from pubkit.batch.jobs import Task, rel
from pubkit.batch.manifest import FileHashes
from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.model.visitor import walk
from pubkit.renderers.base import RenderContext


@dataclass(frozen=True)
class SiteSpec:
    """What a worker needs to open the site: its folder and the settings as read."""

    root: str
    settings_json: str
    generation: str = ""
    """Changes with any template or setting, so long-lived workers reload the theme."""


@dataclass
class FormatResult:
    format: str
    files: dict[str, bytes] | None
    """Output files relative to the output folder; None when the render failed."""
    error: Diagnostic | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


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


def context(spec: SiteSpec) -> RenderContext:
    """The render context of ``spec``, created once per worker process."""
    ctx = _CONTEXTS.get(spec)
    if ctx is None:
        from pubkit.settings import Settings
        from pubkit.site import Site

        site = Site(Path(spec.root), Settings.model_validate_json(spec.settings_json))
        _CONTEXTS.clear()  # one site at a time: drop the previous generation's templates
        ctx = _CONTEXTS[spec] = RenderContext.for_site(site)
    return ctx


def warm(spec: SiteSpec, formats: tuple[str, ...]) -> None:
    """Load the context and every engine before the first task (pool initializer)."""
    from pubkit import renderers

    context(spec)
    for fmt in formats:
        if fmt != NEWSLETTER:
            renderers.get(fmt)


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
    result = _newsletter(task, ctx) if task.newsletter else _article(task, ctx)
    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    result.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _article(task: Task, ctx: RenderContext) -> TaskResult:
    from pubkit import renderers
    from pubkit.pipeline import load, render_one

    root = ctx.site.root
    try:
        article = load(root / task.source, ctx)
    except SourceError as exc:
        return TaskResult(task, [FormatResult(f, None, exc.diagnostic) for f in task.formats])
    out = TaskResult(task, [], article.source_hash, article.slug, article.title,
                     dependencies(article, ctx))
    for fmt in task.formats:
        job = render_one(article, fmt, ctx)
        warnings = [*article.warnings, *job.warnings] if not out.results else job.warnings
        if job.output is None:
            out.results.append(FormatResult(fmt, None, job.error, warnings, job.seconds))
            continue
        renderer = renderers.get(fmt)
        folder = renderer.folder
        files = {f"{folder}/{renderer.output_name(article)}": job.output.data}
        files.update({f"{folder}/{name}": data for name, data in job.output.extras.items()})
        out.results.append(FormatResult(fmt, files, None, warnings, job.seconds))
    return out


def _newsletter(task: Task, ctx: RenderContext) -> TaskResult:
    from pubkit.pipeline import RenderTimeout, time_limit

    path = ctx.site.root / task.source
    out = TaskResult(task, [])
    start = time.perf_counter()
    warnings_before = len(ctx.warnings)
    try:
        data = path.read_bytes()
        out.source_hash = FileHashes()(path)
        compose = importlib.import_module(NEWSLETTER_MODULE).compose_newsletter
        with time_limit(ctx.settings.render_timeout):
            issue = compose(path, ctx)
            files = {
                f"newsletters/{issue.name}/{name}": body if isinstance(body, bytes) else
                str(body).encode("utf-8")
                for name, body in issue.preview_files().items()
            }
        del data
        out.slug = str(issue.name)
        subject = getattr(issue, "subject", None)
        out.title = subject if isinstance(subject, str) else f"Newsletter: {issue.name}"
        error = None
    except SourceError as exc:
        files, error = None, exc.diagnostic
    except RenderTimeout as exc:
        files, error = None, Diagnostic(task.source, None, f"newsletter: {exc}")
    except Exception as exc:  # a composer bug must not stop the batch
        files, error = None, Diagnostic(task.source, None,
                                        f"newsletter: {type(exc).__name__}: {exc}")
    warnings = ctx.warnings[warnings_before:]
    del ctx.warnings[warnings_before:]
    out.results.append(FormatResult(NEWSLETTER, files, error, list(warnings),
                                    time.perf_counter() - start))
    return out


def dependencies(article: Article, ctx: RenderContext) -> dict[str, str | None]:
    """Local files ``article`` uses (images, linked files, lead image, logo) -> sha256."""
    root = ctx.site.root
    base = ctx.article_dir(article)
    refs: list[tuple[str, Path]] = []
    for node in walk([*article.body, *article.footnotes]):
        if isinstance(node, n.Image):
            refs.append((node.src, base))
        elif isinstance(node, n.Link):
            refs.append((node.url, base))
    if article.meta.image:
        refs.append((article.meta.image, base))
    if ctx.settings.brand.logo:
        refs.append((ctx.settings.brand.logo, root))
    hashes = FileHashes()
    deps: dict[str, str | None] = {}
    for ref, folder in refs:
        path = _local_candidate(ref, folder, root)
        if path is not None:
            deps[rel(path, root)] = hashes(path)
    return deps


def _local_candidate(ref: str, base: Path, root: Path) -> Path | None:
    """The file a local reference names (resolved as the resource policy does), else None."""
    parts = urllib.parse.urlsplit(ref)
    if parts.scheme or ref.startswith("//") or not parts.path:
        return None
    path = urllib.parse.unquote(parts.path)
    if path.endswith(".md") or "\x00" in path:
        return None
    candidate = root / path.lstrip("/") if path.startswith("/") else base / path
    return Path(os.path.normpath(candidate))
