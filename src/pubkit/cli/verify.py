"""``pubkit verify``: is every word of each article in each output a build wrote?"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, JobsOption, SiteOption, app, fail_usage, load_site

if TYPE_CHECKING:
    from pubkit.site import Site
    from pubkit.verify.run import VerifyReport


@app.command()
def verify(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Articles or folders (default: content/).")] = None,
    formats: Annotated[list[str] | None, typer.Option(
        "--format", "-f", help="Only this format (repeatable; default: those pubkit build makes).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the figures and every missing item as JSON on stdout.")] = False,
    drafts: Annotated[bool, typer.Option(
        "--drafts", help="Verify drafts too (built with pubkit build --drafts).")] = False,
    jobs: JobsOption = 0,
    site: SiteOption = None,
) -> None:
    """Check that every heading, paragraph, list item, table cell, callout, note, the review line and the
    disclaimer of each article appear in each built output (page, handout, Word document, email).

    Prints path:line: format: missing ... on stderr for each one that does not.
    Exit codes: 0 everything found, 1 something missing (or an output missing
    or unreadable), 2 usage or configuration error.
    """
    from pubkit.diagnostics import ConfigError
    from pubkit.site import discover_articles
    from pubkit.verify.run import article_formats

    the_site = load_site(site)
    try:
        chosen = article_formats(formats, the_site)
    except ConfigError as exc:
        fail_usage(str(exc))
    files = discover_articles(list(paths or []), the_site)
    if not files:
        fail_usage(f"no articles found in {the_site.content_dir}")
    missing = [p for p in files if not p.exists()]
    if missing:
        fail_usage(f"{missing[0]}: no such file")
    report = run_verify(the_site, files, chosen, drafts=drafts, jobs=jobs, as_json=as_json)
    if report.exit_code:
        raise typer.Exit(EXIT_FAILED)


def run_verify(the_site: Site, files: list[Path] | None, formats: list[str], *, drafts: bool = False,
               jobs: int = 0, as_json: bool = False, quiet: bool = False) -> VerifyReport:
    """Verify and print: problems on stderr, the summary (or JSON) on stdout (shared with build)."""
    from pubkit.site import discover_articles
    from pubkit.site.indexing import build_index
    from pubkit.verify.run import verify_site

    indexed = build_index(the_site, jobs=jobs)
    for note in indexed.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    report = verify_site(the_site, files if files is not None else discover_articles([], the_site),
                         formats, indexed.index, drafts=drafts, jobs=jobs)
    for note in report.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    lines = [*report.errors, *(str(p) for p in report.problems)]
    if lines:
        sys.stderr.write("".join(f"{line}\n" for line in lines))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    elif not quiet:
        typer.echo(report.line())
    return report
