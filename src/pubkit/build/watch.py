"""Rebuild on change: content, templates, assets, newsletters or ``pubkit.toml``.

The site is reopened before every build, so an edited ``pubkit.toml`` takes
effect; a configuration error is printed and the watch goes on waiting for
the fix.  Changes inside the output folder never trigger a build.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from pubkit.build.report import BuildSummary
from pubkit.build.runner import BuildOptions, Listener, build_site
from pubkit.diagnostics import ConfigError
from pubkit.site import Site, open_site

IGNORED_DIRS = {".pubkit", ".ruff_cache", "build", "dist"}


def source_filter(site: Site) -> Callable[[object, str], bool]:
    """A watchfiles filter: the site's inputs, not its outputs or tools' folders."""
    from watchfiles import DefaultFilter

    base = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, *IGNORED_DIRS))
    out_dir = str(site.output_dir.resolve())

    def accept(change: object, path: str) -> bool:
        if path == out_dir or path.startswith(out_dir + "/"):
            return False
        if Path(path).name.endswith(".tmp"):
            return False
        return base(change, path)  # type: ignore[arg-type]

    return accept


def build_once(site_dir: Path, options: BuildOptions, listener: Listener,
               report_error: Callable[[str], None]) -> BuildSummary | None:
    """One build of the site as it is now; None when it could not start."""
    from pubkit.build.lock import LockHeld

    try:
        return build_site(open_site(site_dir), options, listener)
    except (ConfigError, LockHeld) as exc:
        report_error(str(exc))
        return None


def watch_site(
    site_dir: Path,
    options: BuildOptions,
    listener: Listener,
    report_error: Callable[[str], None],
    after_build: Callable[[BuildSummary | None], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Build, then rebuild whenever an input changes, until ``stop`` is set or Ctrl-C.

    The watcher starts before the first build, so an edit made while a build
    runs is never missed: it triggers the next one.
    """
    from watchfiles import watch

    site = open_site(site_dir)
    first = True
    for changes in watch(site.root, watch_filter=source_filter(site), stop_event=stop,
                         debounce=300, step=50, rust_timeout=300, yield_on_timeout=True):
        if not (first or changes):
            continue
        first = False
        done = build_once(site.root, options, listener, report_error)
        if after_build:
            after_build(done)
