"""``pubkit render``: articles into outputs, in this process."""

from __future__ import annotations

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
    output_folder,
    report,
    shown,
)

if TYPE_CHECKING:
    from pubkit.renderers.base import RenderContext


def chosen_formats(flags: dict[str, bool], all_: bool, default: Sequence[str], large_print: bool = False,
                   every: list[str] | None = None) -> list[str]:
    """The formats to render: the flags given, ``every`` for ``--all``, else ``default``.

    ``--large-print`` turns the handout into its large-print variant (with or
    without ``--pdf``); with ``--all`` it adds large print to every format.
    """
    from pubkit import formats

    if all_:
        picked = list(every if every is not None else formats.article_formats())
        if large_print and "large-print" not in picked:
            picked.append("large-print")
        return picked
    picked = [name for name, on in flags.items() if on]
    if large_print:
        picked = [n for n in picked if n != "pdf"]
        picked.insert(min(1, len(picked)), "large-print")
    return picked or list(default)


@app.command()
def render(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: content/).")] = None,
    html: Annotated[bool, typer.Option("--html", help="Web page.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="PDF handout.")] = False,
    docx: Annotated[bool, typer.Option("--docx", help="Word document.")] = False,
    email: Annotated[bool, typer.Option("--email", help="Email (.eml with .html and .txt).")] = False,
    large_print: Annotated[bool, typer.Option(
        "--large-print", help="The PDF handout in large print (pdf/<slug>.large-print.pdf).")] = False,
    all_: Annotated[bool, typer.Option(
        "--all", help="Every format (the handouts [pdf] variants names).")] = False,
    drafts: Annotated[bool, typer.Option(
        "--drafts", help="Render drafts too (status: draft), marked DRAFT in every format.")] = False,
    output: OutputOption = None,
    allow_remote: AllowRemoteOption = False,
    site: SiteOption = None,
) -> None:
    """Render articles into output/<format>/<slug>.<ext>.

    With the web pages come the site's icons, and, when no PATHS are given
    (every article is rendered), the site's own pages: home, topics, A-Z,
    sitemap, feed and 404.

    Drafts are left out unless --drafts; articles overdue for review or
    changed since it are rendered with a warning, or refused under
    [review] strict = true.
    """
    import dataclasses

    from pubkit import formats as registry
    from pubkit.cli.clock import today
    from pubkit.media.cache import ImageCache
    from pubkit.output import write_files
    from pubkit.pipeline import load, render_one
    from pubkit.renderers.base import RenderContext
    from pubkit.review.policy import publish_decision
    from pubkit.site import discover_articles
    from pubkit.site.indexing import build_index, rel_all
    from pubkit.site.outputs import files_of, in_web_root

    the_site = load_site(site)
    formats = chosen_formats(
        {"html": html, "pdf": pdf, "docx": docx, "email": email}, all_,
        list(the_site.settings.default_formats), large_print,
        registry.default_names(the_site.settings, "article"),
    )
    missing = [f for f in formats if f not in registry.article_formats()]
    if missing:
        fail_usage(f"format {', '.join(missing)} is not available in this version of pubkit")
    files = discover_articles(list(paths or []), the_site)
    for p in files:
        if not p.exists():
            fail_usage(f"{p}: no such file or folder")
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    out_dir = output_folder(output, the_site)
    wanted = rel_all(files, the_site.root)
    indexed = build_index(the_site, keep=wanted)
    for note in indexed.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    index = indexed.index
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None, index=index,
                                 images=ImageCache(the_site.image_cache_dir))
    day = today()
    failed = written = skipped = 0
    published_now: dict[str, int] = {}
    for path, source in zip(files, wanted, strict=True):
        problem = index.problems.get(source)
        article = indexed.parsed.get(source)
        if problem is not None:
            report([problem])
            failed += len(formats)
            continue
        if article is None:  # a file outside the content folder: read it now
            from pubkit.diagnostics import SourceError
            from pubkit.site.indexing import article_entry

            try:
                article = load(path, ctx)
            except SourceError as exc:
                report([exc.diagnostic])
                failed += len(formats)
                continue
            ctx = dataclasses.replace(ctx, _index=index.with_entry(article_entry(article)))
        report(article.warnings)
        decision = publish_decision(article, the_site.settings, day, drafts)
        report(list(decision.diagnostics))
        if decision.skipped:
            typer.echo(f"skipped {article.path}: {decision.skipped}")
            skipped += 1
            continue
        if not decision.publish:
            failed += len(formats)
            continue
        for fmt in formats:
            result = render_one(article, fmt, ctx)
            report(result.warnings)
            if result.error is not None or result.output is None:
                failed += 1
                report([result.error] if result.error else [])
                continue
            assert result.name is not None
            files_out = files_of(registry.get(fmt), result.name, result.output)
            # A file several outputs link to is published once per run.
            published = {in_web_root(p): hash(d) for p, d in result.output.published.items()}
            fresh = {k: v for k, v in files_out.items()
                     if k not in published or published_now.get(k) != published[k]}
            for target in write_files(out_dir, fresh):
                typer.echo(f"wrote {shown(target)}")
            published_now.update(published)
            written += 1
    if "html" in formats and written and _site_pages(ctx, out_dir, whole=not paths) is None:
        failed += 1
    # The index is kept for the next command, unless nothing was written (then nothing is).
    if written and output is None and (unsaved := indexed.save(the_site)):
        typer.echo(f"pubkit: warning: {unsaved}", err=True)
    drafts_note = f", {skipped} drafts left out (--drafts renders them)" if skipped else ""
    typer.echo(f"{written} rendered, {failed} failed{drafts_note}")
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _site_pages(ctx: RenderContext, out_dir: Path, whole: bool) -> int | None:
    """Write the icons the web pages name and, for the ``whole`` site, its own pages (as
    ``pubkit build`` makes them, from the site index); how many files, or None when they fail."""
    from pubkit.diagnostics import SourceError, describe_os_error
    from pubkit.formats import SITE_PAGES
    from pubkit.output import write_files
    from pubkit.renderers.html.site_pages import render_site_pages

    try:
        # Only the icons for some articles: the pages list articles this run did not render.
        files, warnings, _ = render_site_pages(ctx.for_format(SITE_PAGES), pages=whole)
        for warning in warnings:
            typer.echo(f"pubkit: warning: {warning}", err=True)
        for target in write_files(out_dir, files):
            typer.echo(f"wrote {shown(target)}")
    except SourceError as exc:  # an unreadable template
        report([exc.diagnostic])
        return None
    except OSError as exc:
        typer.echo(f"{out_dir}: site pages: {describe_os_error(exc)}", err=True)
        return None
    except Exception as exc:  # a site's template in error, as pubkit build reports it
        typer.echo(f"{ctx.site.root / 'templates'}: site pages: {type(exc).__name__}: {exc}", err=True)
        return None
    return len(files)
