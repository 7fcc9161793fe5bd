"""``pubkit render``: articles into outputs, in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

ALL_FORMATS = ("html", "pdf", "docx", "email")


def chosen_formats(flags: dict[str, bool], all_: bool, default: list[str]) -> list[str]:
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
    output: OutputOption = None,
    allow_remote: AllowRemoteOption = False,
    site: SiteOption = None,
) -> None:
    """Render articles into output/<format>/<slug>.<ext>."""
    from pubkit import renderers
    from pubkit.output import write_files
    from pubkit.pipeline import render_path
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
    out_dir = output_folder(output, the_site)
    ctx = RenderContext.for_site(the_site, allow_remote=allow_remote or None)
    failed = written = 0
    for path in files:
        for result in render_path(path, formats, ctx):
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
    typer.echo(f"{written} rendered, {failed} failed")
    if failed:
        raise typer.Exit(EXIT_FAILED)

