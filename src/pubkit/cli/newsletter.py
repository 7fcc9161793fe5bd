"""``pubkit newsletter FILE``: compose an issue into output/newsletters/<name>/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, SiteOption, app, fail_usage, load_site, report


@app.command()
def newsletter(
    file: Annotated[Path, typer.Argument(help="Newsletter issue, such as newsletters/sample.md.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Let renderers fetch http(s) resources.")
    ] = False,
    site: SiteOption = None,
) -> None:
    """Write newsletter.html, newsletter.txt and newsletter.eml (addressed to [email] preview_to)."""
    from pubkit.diagnostics import SourceError
    from pubkit.output import write_files
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.mime import UnsafeHeader
    from pubkit.renderers.email.newsletter import compose_newsletter
    from pubkit.source.merge_fields import MergeError

    the_site = load_site(site)
    if not file.is_file():
        fail_usage(f"{file}: no such file")
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None)
    try:
        composed = compose_newsletter(file, ctx)
        files = composed.preview_files()
    except SourceError as exc:
        report([exc.diagnostic])
        raise typer.Exit(EXIT_FAILED) from None
    except (MergeError, UnsafeHeader) as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    report(composed.warnings)
    folder = (output or the_site.output_dir).resolve() / "newsletters" / composed.name
    for target in write_files(folder, files):
        typer.echo(f"wrote {_shown(target)}")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
