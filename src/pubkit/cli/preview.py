"""``pubkit watch`` and ``pubkit serve``: rebuild on change, preview with live reload."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import EXIT_USAGE, JobsOption, SiteOption, app, load_site

if TYPE_CHECKING:
    from pubkit.batch.serve import Generation

FormatOption = Annotated[
    list[str] | None,
    typer.Option("--format", "-f", help="Only this format (repeatable; default: all)."),
]


@app.command()
def watch(formats: FormatOption = None, jobs: JobsOption = 0, site: SiteOption = None) -> None:
    """Build, then rebuild what changed whenever content, templates or settings change."""
    the_site = load_site(site)
    _watch(the_site.root, formats, jobs, None)


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535,
                                      help="Port on 127.0.0.1 (0 picks a free one).")] = 8000,
    formats: FormatOption = None,
    jobs: JobsOption = 0,
    site: SiteOption = None,
) -> None:
    """Serve the outputs on 127.0.0.1 with a review dashboard; pages reload after each rebuild."""
    from pubkit.batch.serve import Generation, start_server
    from pubkit.cli.clock import today
    from pubkit.preview.dashboard import Dashboard

    the_site = load_site(site)
    today()  # a bad PUBKIT_TODAY is a usage error now, not a broken page later
    generation = Generation()
    dashboard = Dashboard(the_site.root, today)
    try:
        server = start_server(the_site.output_dir, port, generation, dashboard)
    except OSError as exc:
        typer.echo(f"pubkit: cannot listen on 127.0.0.1:{port}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    import threading

    threading.Thread(target=dashboard.warm, name="pubkit-dashboard", daemon=True).start()
    try:
        _watch(the_site.root, formats, jobs, generation)
    finally:
        generation.close()
        server.shutdown()


def _watch(root: Path, formats: list[str] | None, jobs: int, generation: Generation | None) -> None:
    import sys

    from pubkit.batch.progress import PlainLog
    from pubkit.batch.report import BuildSummary
    from pubkit.batch.runner import BuildOptions
    from pubkit.batch.watch import watch_site

    def error(message: str) -> None:
        print(f"pubkit: {message}", file=sys.stderr, flush=True)

    def after(summary: BuildSummary | None) -> None:
        counts = summary.counts() if summary else {}
        if generation is not None and (counts.get("built") or counts.get("removed")):
            generation.bump()
        print("watching for changes (Ctrl-C to stop)", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        from pubkit.cli.clock import today

        # A preview shows drafts too: the marketing person and the reviewer work on them.
        options = BuildOptions(formats or None, jobs=jobs, drafts=True, today=today())
        watch_site(root, options, PlainLog(), error, after)
