"""``pubkit newsletter FILE``: compose an issue into output/newsletters/<name>/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.newsletter import ComposedNewsletter
    from pubkit.site import Site

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


@app.command()
def newsletter(
    file: Annotated[Path, typer.Argument(help="Newsletter issue, such as newsletters/sample.md.")],
    output: OutputOption = None,
    allow_remote: AllowRemoteOption = False,
    site: SiteOption = None,
) -> None:
    """Write newsletter.html, newsletter.txt and newsletter.eml (addressed to [email] preview_to)."""
    from pubkit.output import write_files
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.mime import UnsafeHeader
    from pubkit.source.merge_fields import MergeError

    the_site = load_site(site)
    if not file.is_file():
        fail_usage(f"{file}: no such file")
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None)
    composed = compose_or_exit(file, ctx)
    try:
        files = composed.preview_files()
    except (MergeError, UnsafeHeader) as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    folder = (output or the_site.output_dir).resolve() / "newsletters" / composed.name
    for target in write_files(folder, files):
        typer.echo(f"wrote {shown(target)}")
    typer.echo(f"wrote {shown(write_web_page(composed, the_site, output))} (the web version)")


def compose_or_exit(path: Path, ctx: RenderContext) -> ComposedNewsletter:
    """Compose the issue at ``path``, or report why not and exit 1."""
    from pubkit.diagnostics import SourceError
    from pubkit.renderers.email.mime import UnsafeHeader
    from pubkit.renderers.email.newsletter import compose_newsletter
    from pubkit.source.merge_fields import MergeError

    try:
        composed = compose_newsletter(path, ctx)
    except SourceError as exc:
        report([exc.diagnostic])
        raise typer.Exit(EXIT_FAILED) from None
    except (MergeError, UnsafeHeader) as exc:
        typer.echo(f"{path}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    report(composed.warnings)
    return composed


def write_web_page(composed: ComposedNewsletter, site: Site, output: Path | None) -> Path:
    """Write the issue's public web page (no personal data) where its emails link to it."""
    from pubkit.output import write_files
    from pubkit.renderers.email.web import web_page_path

    folder = (output or site.output_dir).resolve() / "html"
    [target] = write_files(folder, {web_page_path(composed.name): composed.web_page()})
    return target
