"""``pubkit newsletter FILE``: compose an issue into output/newsletters/<name>/.

An issue's language versions (``newsletters/<name>.<lang>.md``) are written
with it, each under its own name (``output/newsletters/<lang>/<name>/``);
given a version's file, only that version is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.newsletter import ComposedIssue

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


@app.command()
def newsletter(
    file: Annotated[Path, typer.Argument(help="Newsletter issue, such as newsletters/sample.md.")],
    output: OutputOption = None,
    allow_remote: AllowRemoteOption = False,
    site: SiteOption = None,
) -> None:
    """Write newsletter.html, newsletter.txt and newsletter.eml (addressed to [email] preview_to).

    Each language version (newsletters/NAME.LANG.md) is written too, under output/newsletters/LANG/NAME/.
    """
    from pubkit import formats
    from pubkit.diagnostics import SourceError
    from pubkit.output import write_files
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.renderer import preview_output
    from pubkit.site.outputs import files_of, split_issue_name
    from pubkit.source.merge_fields import MergeError

    the_site = load_site(site)
    if not file.is_file():
        fail_usage(f"{file}: no such file")
    fmt = formats.get("newsletter")
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None).for_format(fmt)
    issue = compose_or_exit(file, ctx)
    _, version = split_issue_name(file.stem)
    editions = [e for e in issue.editions if e.version.lower() == version.lower()] if version \
        else issue.editions
    files: dict[str, bytes] = {}
    for composed in editions:
        try:
            rendered = preview_output(composed, composed.path, web_page=True)
        except SourceError as exc:
            report([exc.diagnostic])
            raise typer.Exit(EXIT_FAILED) from None
        except MergeError as exc:
            typer.echo(f"{composed.path}: {exc}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        files.update(files_of(fmt, composed.output_name, rendered))
    for target in write_files(output_folder(output, the_site), files):
        typer.echo(f"wrote {shown(target)}")


def compose_or_exit(path: Path, ctx: RenderContext) -> ComposedIssue:
    """Compose the issue at ``path`` and its language versions, or report why not and exit 1."""
    from pubkit.diagnostics import SourceError
    from pubkit.renderers.email.mime import UnsafeHeader
    from pubkit.renderers.email.newsletter import compose_issue
    from pubkit.source.merge_fields import MergeError

    try:
        composed = compose_issue(path, ctx)
    except SourceError as exc:
        report([exc.diagnostic])
        raise typer.Exit(EXIT_FAILED) from None
    except (MergeError, UnsafeHeader) as exc:
        typer.echo(f"{path}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    report(composed.warnings)
    return composed
