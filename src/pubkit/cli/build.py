"""``pubkit build``: every article and newsletter into every format, incrementally."""

from __future__ import annotations

from typing import Annotated

import typer

from pubkit.cli.app import EXIT_FAILED, EXIT_USAGE, JobsOption, SiteOption, app, fail_usage, load_site

EXIT_LOCKED = 75
"""EX_TEMPFAIL: another build holds the output folder; try again later."""
EXIT_INTERRUPTED = 130


@app.command()
def build(
    force: Annotated[bool, typer.Option("--force", help="Rebuild every output.")] = False,
    jobs: JobsOption = 0,
    executor: Annotated[
        str, typer.Option("--executor", help="Where renders run: local or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786."),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Only this format (repeatable; default: all)."),
    ] = None,
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON object per finished job, then a summary.")
    ] = False,
    drafts: Annotated[bool, typer.Option(
        "--drafts", help="Build drafts too (status: draft), marked DRAFT in every format.")] = False,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Then check every article's outputs hold all its text (as pubkit verify).")] = False,
    site: SiteOption = None,
) -> None:
    """Build every article (and newsletter) into every format; skip what is up to date.

    Drafts are left out (and their earlier outputs removed) unless --drafts;
    articles overdue for review or changed since it are built with a warning,
    or refused under [review] strict = true.

    Exit codes: 0 all built, 1 some documents failed (or, with --verify, some
    output lacks an item of its article), 2 usage or configuration error,
    75 another build is running in the same output folder, 130 interrupted.
    """
    if executor not in ("local", "dask"):
        fail_usage(f"--executor must be local or dask, not {executor!r}")
    if scheduler and executor != "dask":
        fail_usage("--scheduler needs --executor dask")
    if scheduler:
        from pubkit.batch.executors import check_scheduler
        from pubkit.diagnostics import ConfigError

        try:
            check_scheduler(scheduler)
        except ConfigError as exc:
            fail_usage(str(exc))
    the_site = load_site(site)
    code = run_build(the_site, force, jobs, executor, scheduler, formats, json_lines, drafts, verify)
    raise typer.Exit(code)


def run_build(
    the_site: object, force: bool, jobs: int, executor: str, scheduler: str | None,
    formats: list[str] | None, json_lines: bool, drafts: bool = False, verify: bool = False,
) -> int:
    """Run one build and return its exit code (shared with ``pubkit watch``)."""
    from pubkit.batch.lock import LockHeld
    from pubkit.batch.progress import listener_for
    from pubkit.batch.runner import BuildOptions, build_site
    from pubkit.cli.clock import today
    from pubkit.diagnostics import ConfigError, describe_os_error

    options = BuildOptions(formats or None, force, jobs, executor, scheduler, drafts, today(), verify)
    try:
        summary = build_site(the_site, options, listener_for(json_lines))  # type: ignore[arg-type]
    except KeyboardInterrupt:
        typer.echo("pubkit: interrupted; finished outputs are kept and recorded", err=True)
        return EXIT_INTERRUPTED
    except LockHeld as exc:
        typer.echo(f"pubkit: {exc}", err=True)
        return EXIT_LOCKED
    except ConfigError as exc:
        typer.echo(f"pubkit: {exc}", err=True)
        return EXIT_USAGE
    except OSError as exc:  # the output folder cannot be written (full, read-only)
        typer.echo(f"pubkit: {describe_os_error(exc)}", err=True)
        return EXIT_FAILED
    return summary.exit_code
