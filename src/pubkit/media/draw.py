"""Drawing an SVG with resvg in a child process, within a time and memory budget.

The sanitiser's counts bound the cheap ways to make a drawing explode
(nested ``<use>``, reference chains), but not every costly one: a few
blurred shapes over a large canvas, a filter region far wider than the
picture, a pattern of patterns.  resvg runs native code that Python cannot
interrupt, so the drawing happens in a child interpreter with its own
address-space and CPU limits, and the parent waits a bounded time, then
kills it.  A drawing that does not finish in time, or needs too much memory,
is refused; one that finishes gives its PNG to formats that want pixels.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

DRAW_SECONDS = 5.0
"""Wall-clock seconds one drawing may take (a detailed map draws in well under one)."""
DRAW_MEMORY = 1024 * 1024 * 1024
"""Bytes of memory the drawing process may allocate."""
PNG_LIMIT = 64 * 1024 * 1024
"""Largest PNG a drawing may produce."""

_CHILD = r"""
import resource, sys
memory, seconds, limit, zoom = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
import resvg_py
svg = sys.stdin.buffer.read().decode("utf-8")
try:
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom))
except MemoryError:
    sys.exit(4)
except BaseException as exc:  # ValueError, or a Rust panic (pyo3's PanicException)
    sys.stderr.write(str(exc)[:300])
    sys.exit(3)
if len(png) > limit:
    sys.exit(5)
sys.stdout.buffer.write(png)
"""


class DrawFailed(Exception):
    """The drawing did not finish within its budget, or failed; the message says which."""


def draw(svg: bytes, zoom: float, seconds: float = DRAW_SECONDS, memory: int = DRAW_MEMORY) -> bytes:
    """``svg`` drawn as PNG at ``zoom``, or :class:`DrawFailed`."""
    cpu = max(1, int(seconds) + 1)
    args = [sys.executable, "-I", "-c", _CHILD, str(memory), str(cpu), str(PNG_LIMIT), repr(zoom)]
    try:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True,
                                env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"})
    except OSError as exc:
        raise DrawFailed(f"the SVG could not be drawn ({exc.strerror or exc})") from None
    try:
        out, err = proc.communicate(svg, timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise DrawFailed(f"the SVG takes longer than {seconds:g} s to draw") from None
    except BaseException:
        _kill(proc)
        raise
    code = proc.returncode
    if code == 0 and out.startswith(b"\x89PNG"):
        return out
    if code == 4 or code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        raise DrawFailed(f"the SVG needs more than {memory // (1024 * 1024)} MB to draw")
    if code == -signal.SIGXCPU:
        raise DrawFailed(f"the SVG takes longer than {seconds:g} s to draw")
    if code == 5:
        raise DrawFailed("the SVG draws to a picture larger than 64 MB")
    reason = err.decode("utf-8", "replace").strip().splitlines()
    raise DrawFailed(f"the SVG could not be drawn ({reason[-1] if reason else f'exit {code}'})")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()
