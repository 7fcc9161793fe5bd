"""``pubkit render``: articles into outputs, in this process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import (
    EXIT_FAILED,
    AllowRemoteOption,
    OutputOption,
    SiteOption,
    app,
    fail_usage,
    load_site,
    report,
    shown,
)

if TYPE_CHECKING:
    from pubkit.pipeline import JobResult
    from pubkit.renderers.base import RenderContext

ALL_FORMATS = ("html", "pdf", "docx", "email")


def chosen_formats(flags: dict[str, bool], all_: bool, default: Sequence[str]) -> list[str]:
    if all_:
        return list(ALL_FORMATS)
    picked = [name for name, on in flags.items() if on]
    return picked or list(default)


@app.command()
def render(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: content/).")] = None,
    html: Annotated[bool, typer.Option("--html", help="Web page.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="PDF handout.")] = False,
    docx: Annotated[bool, typer.Option("--docx", help="Word document.")] = False,
    email: Annotated[bool, typer.Option("--email", help="Email (.eml with .html and .txt).")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Every format.")] = False,
    drafts: Annotated[bool, typer.Option(
        "--drafts", help="Render drafts too (status: draft), marked DRAFT in every format.")] = False,
    output: OutputOption = None,
    allow_remote: AllowRemoteOption = False,
    site: SiteOption = None,
) -> None:
    """Render articles into output/<format>/<slug>.<ext>.

    Drafts are left out unless --drafts; articles overdue for review or
    changed since it are rendered with a warning, or refused under
    [review] strict = true.
    """
    from pubkit import renderers
    from pubkit.cli.clock import today
    from pubkit.output import write_files
    from pubkit.renderers.base import RenderContext
    from pubkit.site import discover_articles

    the_site = load_site(site)
    formats = chosen_formats(
        {"html": html, "pdf": pdf, "docx": docx, "email": email}, all_,
        the_site.settings.default_formats,
    )
    missing = [f for f in formats if f not in renderers.names()]
    if missing:
        fail_usage(f"format {', '.join(missing)} is not available in this version of pubkit")
    files = discover_articles(list(paths or []), the_site)
    for p in files:
        if not p.exists():
            fail_usage(f"{p}: no such file or folder")
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    out_dir = (output or the_site.output_dir).resolve()
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None)
    day = today()
    failed = written = skipped = 0
    for path in files:
        results, outcome = _publishable(path, formats, ctx, day, drafts)
        skipped += outcome == "draft"
        failed += len(formats) if outcome == "refused" else 0
        for result in results:
            report(result.warnings)
            if result.error is not None or result.output is None:
                failed += 1
                report([result.error] if result.error else [])
                continue
            renderer = renderers.get(result.format)
            files_out = {renderer.output_name_for(result.slug): result.output.data,
                         **result.output.extras}
            for target in write_files(out_dir / renderer.folder, files_out):
                typer.echo(f"wrote {shown(target)}")
            written += 1
    drafts_note = f", {skipped} drafts left out (--drafts renders them)" if skipped else ""
    typer.echo(f"{written} rendered, {failed} failed{drafts_note}")
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _publishable(path: Path, formats: list[str], ctx: RenderContext, day: dt.date,
                 drafts: bool) -> tuple[list[JobResult], str]:
    """Render ``path`` into ``formats`` if the publishing policy lets it out today.

    Returns the results and what happened: ``rendered``, ``draft`` (left out)
    or ``refused`` (its reasons reported, under ``[review] strict``).
    """
    from pubkit.diagnostics import SourceError
    from pubkit.pipeline import JobResult, load, render_one
    from pubkit.review.policy import publish_decision
    from pubkit.source.reader import display_path

    try:
        article = load(path, ctx)
    except SourceError as exc:
        return [JobResult(display_path(path, ctx.site.root), f, error=exc.diagnostic)
                for f in formats], "rendered"
    decision = publish_decision(article, ctx.settings, day, drafts)
    report(article.warnings)
    report(list(decision.diagnostics))
    if decision.skipped:
        typer.echo(f"skipped {article.path}: {decision.skipped}")
        return [], "draft"
    if not decision.publish:
        return [], "refused"
    return [render_one(article, f, ctx) for f in formats], "rendered"
