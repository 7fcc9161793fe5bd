"""The ``pubkit`` command line."""

from __future__ import annotations

import gc
import os
import sys

# Each module adds its command(s) to ``app`` when imported; all stay light at import.
from pubkit.cli import (  # noqa: F401
    build,
    check,
    index,
    init,
    newsletter,
    preview,
    render,
    review,
    send,
    suppress,
    unsubscribe,
    verify,
)
from pubkit.cli.app import EXIT_FAILED, EXIT_USAGE, app
from pubkit.diagnostics import ConfigError

EXIT_INTERNAL = 70
"""EX_SOFTWARE: an error pubkit has no words for (a bug); ``PUBKIT_DEBUG=1`` shows the traceback."""


def _utf8_mode() -> None:
    """Run in Python's UTF-8 mode whatever the locale says (``LANG=C``, ``LC_ALL=POSIX``).

    Under an ASCII locale Python names files in ASCII: a non-ASCII file name, or a
    picture named ``niño.png`` in an article, could then not even be looked up.
    pubkit's files are UTF-8 whatever the terminal is, so the process starts
    again in UTF-8 mode (``PYTHONUTF8=1``, inherited by worker processes).
    """
    if sys.flags.utf8_mode or sys.getfilesystemencoding().lower() in ("utf-8", "utf8"):
        return
    if os.environ.get("PYTHONUTF8") == "1" or not getattr(sys, "orig_argv", None):
        return  # already asked once: never loop
    os.environ["PYTHONUTF8"] = "1"
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _tidy_streams() -> None:
    """A line that cannot be shown in the terminal's encoding is escaped, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main() -> None:
    """``pubkit``: every error becomes one line with a documented exit code, never a traceback."""
    _utf8_mode()
    _tidy_streams()
    # pubkit's settings models use no pydantic plugin, and looking for plugins scans the
    # entry points of every installed distribution: a sixth of a no-op build's start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except KeyboardInterrupt:
        print("pubkit: interrupted", file=sys.stderr)
        sys.exit(130)
    except ConfigError as exc:  # a site or option problem the command did not catch itself
        print(f"pubkit: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # an unwritable or odd path the command did not foresee
        from pubkit.diagnostics import describe_os_error

        print(f"pubkit: {describe_os_error(exc)}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("PUBKIT_DEBUG"):
            raise
        message = " ".join(str(exc).split())[:300]
        print(f"pubkit: internal error: {type(exc).__name__}: {message} "
              "(PUBKIT_DEBUG=1 shows where)", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    finally:
        # The process ends here.  Frozen, what is left is freed by reference counting alone,
        # without the collector's last passes over all of it: after a check of a thousand
        # articles those took 40 ms of the teardown's 70.
        gc.freeze()
