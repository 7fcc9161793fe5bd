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
    """Check front matter, links and pictures, slugs and alt text; print path:line: message."""
    from pubkit.checks import check_article
    from pubkit.diagnostics import SourceError
    from pubkit.renderers.base import RenderContext
    from pubkit.site import discover_articles
    from pubkit.site.indexing import article_entry, build_index, rel
    from pubkit.source.reader import read_article

    the_site = load_site(site)
    files = discover_articles(list(paths or []), the_site)
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    wanted = [rel(p, the_site.root) for p in files]
    # Every named article is parsed (its own warnings come from reading it); the rest of
    # the site comes from the index cache when it is fresh.  Nothing is written.
    indexed = build_index(the_site, keep=wanted)
    for note in indexed.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    ctx = RenderContext.for_site(the_site, index=indexed.index)
    errors = warnings = 0
    for path, source in zip(files, wanted, strict=True):
        article = indexed.parsed.get(source)
        if article is None:
            problem = indexed.index.problems.get(source)
            try:
                if problem is not None:
                    raise SourceError(problem.path, problem.line, problem.message)
                article = read_article(path, the_site.root, the_site.settings.language)
            except SourceError as exc:
                report([exc.diagnostic])
                errors += 1
                continue
            ctx = RenderContext.for_site(the_site, index=ctx.index.with_entry(article_entry(article)))
        found = [*article.warnings, *check_article(article, ctx)]
        report(found)
        errors += sum(d.severity == "error" for d in found)
        warnings += sum(d.severity == "warning" for d in found)
    typer.echo(f"{len(files)} checked, {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_FAILED)
