"""``pubkit index``: the site index, as every other command sees it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, SiteOption, app, load_site, report
from pubkit.diagnostics import printable


@app.command()
def index(
    json_out: Annotated[bool, typer.Option("--json", help="Print the index as JSON.")] = False,
    site: SiteOption = None,
) -> None:
    """List every article and newsletter issue: slug, language, title and published address.

    Reads every source (only the changed ones, with the index cache in the
    output folder, which it refreshes) and reports duplicate slugs and
    unreadable sources; exit 1 when there are any.
    """
    from pubkit.site import outputs
    from pubkit.site.indexing import build_index

    the_site = load_site(site)
    indexed = build_index(the_site, write_cache=True)
    for note in indexed.notes:
        typer.echo(f"pubkit: warning: {note}", err=True)
    found = indexed.index
    refused = [d for d in (found.duplicate_error(s) for s in found.entries) if d is not None]
    problems = [*found.problems.values(), *refused]
    base = the_site.settings.base_url
    rows = []
    for entry in found.entries.values():
        row = {"source": entry.source, "kind": entry.kind, "slug": entry.slug, "lang": entry.lang,
               "title": entry.title}
        if entry.kind == "article":
            row["url"] = outputs.public_url(base, found.page_path(entry))
        rows.append(row)
    if json_out:
        typer.echo(json.dumps({"entries": rows, "problems": [str(d) for d in problems],
                               "parsed": indexed.fresh}, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            # Tab-separated: a tab or newline in a name or title is printed escaped.
            typer.echo("\t".join(printable(str(row[k])) for k in ("slug", "lang", "kind", "source", "title")))
        report(problems)
        typer.echo(f"{len(rows)} indexed ({indexed.fresh} read now), {len(problems)} problems",
                   err=True)
    if problems:
        raise typer.Exit(EXIT_FAILED)
