"""What runs on a Dask worker: a shipped task rendered in a render process of its own.

A Dask worker runs tasks in threads, where ``render_timeout`` (SIGALRM)
cannot reach, and a render stuck in C code would hold the worker forever.
So each worker thread keeps one render process (``python -m
pubkit.batch.remote``), feeds it the site once and then task after task
over a pipe, and waits at most the task's time limit for the answer: a
render over it is stopped with its process and fails alone, and the next
task gets a fresh process.  Inside the render process the render runs in
the main thread, under the same time limit as a local build.

Nothing here reads the site's folder: the render process reads what it was
sent (:class:`~pubkit.sitefiles.MemoryFiles`).  The render process dies
with the worker (``PR_SET_PDEATHSIG``), so a killed worker leaves nothing
rendering behind it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from pubkit.batch.jobs import Task
from pubkit.batch.shipping import SiteParcel
from pubkit.batch.worker import FormatResult, SiteSpec, TaskResult
from pubkit.diagnostics import Diagnostic
from pubkit.sitefiles import MemoryFiles, Node

_HEADER = struct.Struct("!Q")
START_GRACE = 120.0
"""Seconds a fresh render process gets to load the site and its engines."""


def failed(task: Task, message: str) -> TaskResult:
    """``task`` failed as a whole, each of its formats with ``message``."""
    diag = Diagnostic(task.source, None, message)
    return TaskResult(task, [FormatResult(f, None, diag) for f in task.formats])


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv_blocking(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    return pickle.loads(stream.read(size))


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


def _recv(fd: int, deadline: float) -> Any:
    """One message from ``fd`` before ``deadline`` (``time.monotonic``)."""
    buffer = bytearray()
    need = _HEADER.size
    header_done = False
    while True:
        while len(buffer) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Timeout
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise _Timeout
            chunk = os.read(fd, max(need - len(buffer), 1 << 16))
            if not chunk:
                raise _Died
            buffer += chunk
        if header_done:
            return pickle.loads(bytes(buffer[:need]))
        (size,) = _HEADER.unpack(bytes(buffer[:_HEADER.size]))
        del buffer[:_HEADER.size]
        need = size
        header_done = True


class RenderProcess:
    """One render process of a Dask worker thread, started on first use."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.loaded: str | None = None
        """The site key of what the process holds (see :meth:`run`)."""

    def _start(self) -> subprocess.Popen[bytes]:
        self.stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pubkit.batch.remote"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, close_fds=True)
        self.loaded = None
        return self.proc

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
        self.proc = None
        self.loaded = None

    def run(self, site_key: str, spec: SiteSpec, site: SiteParcel, formats: tuple[str, ...],
            task: Task, nodes: dict[str, Node], blobs: dict[str, bytes],
            limit: float) -> TaskResult:
        """Render ``task`` in the render process, loading ``site`` first unless it holds ``site_key``."""
        proc = self.proc if self.proc is not None and self.proc.poll() is None else self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            if self.loaded != site_key:
                _send(proc.stdin, ("site", spec, site, formats))
                if _recv(proc.stdout.fileno(), time.monotonic() + START_GRACE) != "ready":
                    raise _Died
                self.loaded = site_key
            _send(proc.stdin, ("task", task, nodes, blobs))
            result: TaskResult = _recv(proc.stdout.fileno(), time.monotonic() + limit)
            return result
        except _Timeout:
            self.stop()
            return failed(task, f"render did not finish within {limit:.0f} s; "
                                "its render process was stopped")
        except (_Died, OSError, EOFError, pickle.UnpicklingError):
            self.stop()
            return failed(task, "the render process died while rendering")


_LOCAL = threading.local()

Shipped = tuple[Task, dict[str, Node], dict[str, bytes], float]
"""One task as sent: the task, its files' nodes and bytes, its time limit in seconds."""


def run_shipped(site_key: str, spec: SiteSpec, site: SiteParcel, formats: tuple[str, ...],
                batch: list[Shipped]) -> list[TaskResult]:
    """The Dask task: render each task of ``batch`` from the files sent, each within its limit.

    ``site_key`` names ``spec`` and ``site`` together (the executor's key for
    them).  A few tasks travel together so that Dask's cost per task is paid
    once for them; each still has its own time limit, and a render over it
    fails alone (the next task gets a fresh render process).
    """
    from pubkit import __version__

    if site.version != __version__:  # the templates sent are this version's, the code another's
        return [failed(task, f"the Dask worker runs pubkit {__version__}, this build pubkit "
                             f"{site.version}: install the same version on every worker")
                for task, *_ in batch]
    process: RenderProcess | None = getattr(_LOCAL, "process", None)
    if process is None:
        process = _LOCAL.process = RenderProcess()
    return [process.run(site_key, spec, site, formats, task, nodes, blobs, limit)
            for task, nodes, blobs, limit in batch]


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent (the Dask worker) dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def main() -> None:
    """The render process: site, then tasks, from stdin; results to stdout."""
    from pubkit import formats as registry
    from pubkit.batch.worker import context, forget_contexts, run_task

    _die_with_parent()
    if os.getppid() == 1:  # the worker died before the request above
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints must not corrupt the answers
    requests = sys.stdin.buffer
    files = MemoryFiles()
    spec: SiteSpec | None = None
    while True:
        message = _recv_blocking(requests)
        if message is None:
            return
        if message[0] == "site":
            _, spec, site, names = message
            files = MemoryFiles(site.nodes, site.blobs)
            forget_contexts()  # the same generation may come with other files (a new logo)
            context(spec, files=files, builtin=Path(site.builtin))
            for name in names:
                registry.load(name)
            _send(out, "ready")
            continue
        _, task, nodes, blobs = message
        assert spec is not None
        files.for_task(nodes, blobs)
        try:
            result = run_task(spec, task)
        except Exception as exc:  # a bug must fail this task, not every later one
            result = failed(task, f"render process failed: {type(exc).__name__}: {exc}")
        files.for_task({}, {})
        _send(out, result)


if __name__ == "__main__":
    main()
