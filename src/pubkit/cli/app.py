"""The Typer application and what every command shares.

Only Typer and the standard library are imported at start-up; each command
imports the parts it needs when it runs, so ``pubkit --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from pubkit import __version__

if TYPE_CHECKING:
    from pubkit.diagnostics import Diagnostic
    from pubkit.site import Site

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="pubkit",
    help="Publish Markdown articles as web pages, PDF handouts, Word documents and email.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SiteOption = Annotated[
    Path | None,
    typer.Option("--site", help="Site folder (default: nearest folder upward with pubkit.toml).",
                 file_okay=False),
]

OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Output folder (default: the site's).")
]
JobsOption = Annotated[
    int, typer.Option("--jobs", "-j", min=0, help="Worker processes (default: one per core).")
]
AllowRemoteOption = Annotated[
    bool, typer.Option("--allow-remote", help="Let renderers fetch http(s) resources.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pubkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Exit codes: 0 all good, 1 some documents failed, 2 usage or configuration error."""


def fail_usage(message: str) -> NoReturn:
    typer.echo(f"pubkit: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def load_site(site_dir: Path | None) -> Site:
    """Open the site, turning a configuration error into exit code 2."""
    from pubkit.diagnostics import ConfigError
    from pubkit.site import open_site

    try:
        return open_site(site_dir)
    except ConfigError as exc:
        fail_usage(str(exc))


def output_folder(output: Path | None, site: Site) -> Path:
    """The output folder: ``--output`` or the site's, refused (exit 2) when it would hold sources."""
    from pubkit.diagnostics import ConfigError
    from pubkit.site import check_layout

    if output is None:
        return site.output_dir.resolve()
    try:
        check_layout(site, output)
    except ConfigError as exc:
        fail_usage(str(exc))
    return output.resolve()


def report(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d, file=sys.stderr)


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it (:func:`printable`)."""
    from pubkit.diagnostics import printable

    with contextlib.suppress(ValueError):
        path = path.relative_to(Path.cwd())
    return printable(str(path))
