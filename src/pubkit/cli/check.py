"""``pubkit check``: validate content without writing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, SiteOption, app, fail_usage, load_site, report


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: content/).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    site: SiteOption = None,
) -> None:
    """Check front matter, local links and images, and alt text; print path:line: message."""
    from pubkit.checks import check_article
    from pubkit.diagnostics import SourceError
    from pubkit.renderers.base import RenderContext
    from pubkit.site import discover_articles
    from pubkit.source.reader import read_article

    the_site = load_site(site)
    files = discover_articles(list(paths or []), the_site)
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    ctx = RenderContext.for_site(the_site)
    errors = warnings = 0
    for path in files:
        try:
            article = read_article(path, the_site.root, the_site.settings.language)
        except SourceError as exc:
            report([exc.diagnostic])
            errors += 1
            continue
        found = [*article.warnings, *check_article(article, ctx.resources, ctx.article_dir(article))]
        report(found)
        errors += sum(d.severity == "error" for d in found)
        warnings += sum(d.severity == "warning" for d in found)
    typer.echo(f"{len(files)} checked, {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_FAILED)
