"""Rebuild on change: content, templates, assets, newsletters or ``pubkit.toml``.

The site is reopened before every build, so an edited ``pubkit.toml`` takes
effect; a configuration error is printed and the watch goes on waiting for
the fix.  Changes inside the output folder never trigger a build.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from pubkit.batch.report import BuildSummary
from pubkit.batch.runner import BuildOptions, Listener, build_site
from pubkit.diagnostics import ConfigError
from pubkit.site import Site, open_site

PUBKIT_DIRS = (".pubkit",)
"""Folders of the site that pubkit itself writes (besides the output folder)."""


def source_filter(site: Site) -> Callable[[object, str], bool]:
    """A watchfiles filter: the site's inputs, and nothing pubkit writes itself.

    Only pubkit's own folders are ignored (the output folder, ``.pubkit/``, its
    temporary files): a site may well keep articles in ``content/build/`` or
    images in ``assets/dist/``, names other tools treat as build output.
    """
    from watchfiles import DefaultFilter

    from pubkit.output import is_own_temp
    from pubkit.settings import CONFIG_NAME

    # Editor swap and backup files still trigger nothing.
    base = DefaultFilter(ignore_dirs=(), ignore_entity_patterns=DefaultFilter.ignore_entity_patterns)
    root = site.root.resolve()
    inputs = [site.content_dir, site.newsletters_dir, site.templates_dir, *site.asset_dirs]
    watched = tuple(str(p.resolve()) for p in inputs)
    ignored = tuple(str(p) for p in (site.output_dir.resolve(), *(root / d for d in PUBKIT_DIRS)))
    config = str(root / CONFIG_NAME)

    def under(path: str, folders: tuple[str, ...]) -> bool:
        return any(path == f or path.startswith(f + "/") for f in folders)

    def accept(change: object, path: str) -> bool:
        if under(path, ignored) or is_own_temp(Path(path).name):
            return False
        if path != config and not under(path, watched):
            return False
        return base(change, path)  # type: ignore[arg-type]

    return accept


def build_once(site_dir: Path, options: BuildOptions, listener: Listener,
               report_error: Callable[[str], None]) -> BuildSummary | None:
    """One build of the site as it is now; None when it could not start."""
    from pubkit.batch.lock import LockHeld

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
