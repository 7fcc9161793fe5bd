"""``pubkit review``: the medical review record of every article, and sign-offs.

``pubkit review`` lists each article's reviewer, dates, status, whether it
changed since its review and whether it is overdue (a table, or JSON with
``--json``), and exits 1 when any published article is overdue or changed,
so a nightly job can mail someone.  ``pubkit review approve FILE --by KEY``
records a sign-off in the article's front matter.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pubkit.cli.app import EXIT_FAILED, SiteOption, app, fail_usage, load_site, report, shown
from pubkit.diagnostics import location, printable

if TYPE_CHECKING:
    from pubkit.model.article import Article
    from pubkit.review.record import ReviewState
    from pubkit.site import Site

review_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None)
app.add_typer(review_app, name="review")

COLUMNS = ("article", "status", "reviewer", "reviewed", "next review", "changed", "overdue")


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    site: SiteOption = None,
) -> None:
    """List every article's review record (reviewer, dates, status, changed, overdue); see approve.

    Exit codes: 0 all current, 1 some article is overdue, changed since its
    review, or unreadable (drafts do not count), 2 usage or configuration error.
    """
    if ctx.invoked_subcommand is not None:
        return
    from pubkit.cli.clock import today
    from pubkit.diagnostics import SourceError
    from pubkit.review.record import review_state
    from pubkit.site import discover_articles
    from pubkit.site.indexing import build_index
    from pubkit.source.reader import display_path, read_article

    the_site = load_site(site)
    day = today()
    # Translations made from an older text of their original need a translator, not a reviewer.
    stale = {t.source: o for t, o in build_index(the_site).index.stale_translations()}
    rows: list[dict[str, Any]] = []
    failing = 0
    for path in discover_articles([], the_site):
        try:
            article = read_article(path, the_site.root, the_site.settings.language)
        except SourceError as exc:
            report([exc.diagnostic])
            rows.append({"path": display_path(path, the_site.root), "error": str(exc)})
            failing += 1
            continue
        state = review_state(article, the_site.settings, day)
        original = stale.get(article.path)
        failing += _needs_attention(state) or original is not None
        rows.append({"path": article.path, "title": article.title, "language": article.lang,
                     **state.as_json(),
                     "translation_older_than": original.source if original else None})
    if as_json:
        json.dump({"today": day.isoformat(), "articles": rows,
                   "attention": failing}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        typer.echo(_table(rows))
        for row in rows:
            if row.get("translation_older_than"):
                typer.echo(f"{location(row['path'])}: {row['language']} translation is older "
                           f"than its original, {row['translation_older_than']}")
        typer.echo(f"{len(rows)} articles, {failing} need attention (as of {day.isoformat()})")
    if failing:
        raise typer.Exit(EXIT_FAILED)


def _needs_attention(state: ReviewState) -> bool:
    return not state.draft and (state.overdue or state.changed)


def _table(rows: list[dict[str, Any]]) -> str:
    """Plain aligned columns: readable on a terminal, in a mail from cron, and in a pager."""
    cells = [list(COLUMNS)]
    for row in rows:
        if "error" in row:
            cells.append([printable(row["path"]), "unreadable", "", "", "", "", ""])
            continue
        changed = row["changed"]
        cells.append([
            printable(row["path"]), row["status"] or "-", row["reviewer"] or "-", row["reviewed_on"] or "-",
            row["next_review"] or "-",
            "?" if changed is None else ("yes: " + ", ".join(_section_names(row)) if changed else "no"),
            "yes" if row["overdue"] else "no",
        ])
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS) - 1)]
    lines = []
    for r in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    return "\n".join(line.rstrip() for line in lines)


def _section_names(row: dict[str, Any]) -> list[str]:
    return [s["title"] or s["id"] for s in row["changed_sections"]]


@review_app.command()
def approve(
    file: Annotated[Path, typer.Argument(help="The article signed off.", dir_okay=False)],
    by: Annotated[str, typer.Option("--by", help="The reviewer: a key of [reviewers] in pubkit.toml.")],
    on: Annotated[str | None, typer.Option(
        "--on", help="Date of the sign-off, YYYY-MM-DD (default: today).")] = None,
    next_review: Annotated[str | None, typer.Option(
        "--next-review", help="When the next review is due, YYYY-MM-DD "
                              "(default: [review] interval_months after the sign-off).")] = None,
    site: SiteOption = None,
) -> None:
    """Record a medical sign-off in FILE's front matter: reviewer, date and a hash of the text.

    Only the review keys of the front matter are rewritten; every other line
    and comment stays.  A later edit of the text shows in `pubkit check` and
    `pubkit review` as "changed since ... reviewed it".
    """
    from pubkit.cli.clock import parse_date, today
    from pubkit.diagnostics import SourceError
    from pubkit.review.approve import SignOff
    from pubkit.review.record import reviewer_of

    the_site = load_site(site)
    reviewers = the_site.settings.reviewers
    if by not in reviewers:
        known = ", ".join(sorted(reviewers)) or "none yet"
        fail_usage(f"--by {by!r} is not a key of [reviewers] in pubkit.toml (known: {known}); "
                   'add one such as peck = { name = "Jane Peck", credentials = "MD" }')
    day = parse_date(on, "--on") if on else today()
    upcoming = parse_date(next_review, "--next-review") if next_review else None
    if upcoming is not None and upcoming <= day:
        fail_usage(f"--next-review {upcoming} must come after the sign-off ({day})")
    if not file.is_file():
        fail_usage(f"{file}: no such file")
    try:
        article, recorded = _approve(the_site, file, SignOff(by, day, upcoming))
    except SourceError as exc:
        report([exc.diagnostic])
        raise typer.Exit(EXIT_FAILED) from None
    except OSError as exc:
        typer.echo(f"pubkit: {shown(file)}: cannot write: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    from pubkit.review.record import next_review_of

    who = reviewer_of(by, the_site.settings)
    due = next_review_of(article, the_site.settings)
    typer.echo(f"approved {article.path}: reviewed by {who.display if who else by} on "
               f"{day.isoformat()}, {len(recorded)} sections stamped"
               + (f"; next review {due.isoformat()}" if due else ""))


def _approve(the_site: Site, file: Path, sign_off: Any) -> tuple[Article, dict[str, str]]:
    """Write the sign-off into ``file``; the article as now recorded, and its section hashes."""
    import hashlib
    import os

    from pubkit.diagnostics import SourceError
    from pubkit.output import write_atomic
    from pubkit.review.approve import approve as record
    from pubkit.source.reader import parse_article, read_article

    article = read_article(file, the_site.root, the_site.settings.language)
    target = file.resolve()  # a symlinked article: the file it points to is the record
    mode = target.stat().st_mode & 0o7777
    source = target.read_bytes()
    if hashlib.sha256(source).hexdigest() != article.source_hash:
        raise SourceError(article.path, None, "the file changed while it was read; try again")
    data, stamp = record(source, article, sign_off)
    write_atomic(target, data)
    if mode != 0o644:
        os.chmod(target, mode)
    written = parse_article(data, article.path, article.source_dir, article.slug, article.lang)
    return written, stamp.sections
