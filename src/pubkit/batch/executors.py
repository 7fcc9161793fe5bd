"""Where renders run: this process, a local process pool, or a Dask cluster.

Each executor takes the tasks of a plan and yields their results as they
finish; none writes a file.  Dask is imported only by :class:`DaskExecutor`.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from pubkit.batch.jobs import Task
from pubkit.batch.worker import (
    FormatResult,
    SiteSpec,
    TaskResult,
    init_local,
    run_local,
    run_task,
)
from pubkit.diagnostics import ConfigError, Diagnostic


class Executor(Protocol):
    name: str

    def run(self, tasks: list[Task]) -> Iterator[TaskResult]: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class InlineExecutor:
    """Render in this process, one task after another (one job, or a single task)."""

    name = "inline"

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec

    def run(self, tasks: list[Task]) -> Iterator[TaskResult]:
        for task in tasks:
            yield run_task(self.spec, task)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of worker processes, each with its context and engines loaded once.

    Each render is bounded in its worker by ``render_timeout`` (SIGALRM); a
    watchdog here catches what that cannot interrupt (a stuck C library, a
    stopped process): a task still unfinished well after its limit fails, the
    workers are replaced and the other tasks go on.  A worker that dies (a
    crash in an engine, the OOM killer) breaks the pool; the unfinished tasks
    run once more in a fresh pool, and if that breaks too they fail rather
    than being retried forever.
    """

    name = "local"
    RETRIES = 1
    GRACE = 10.0
    """Seconds on top of twice a task's render time limit before the watchdog acts."""
    EXIT_WAIT = 10.0
    """Seconds workers get to exit once the work is done."""
    TASKS_PER_WORKER = 1000
    """Articles a worker renders before it is replaced.  Text shaping (Pango,
    HarfBuzz) grows a PDF worker's native memory by about 1 MB per 100 handouts
    whatever Python caches are kept, so long builds recycle their workers."""

    def __init__(self, spec: SiteSpec, jobs: int, formats: tuple[str, ...],
                 render_timeout: float = 60.0) -> None:
        self.spec = spec
        self.jobs = max(1, jobs)
        self.formats = formats
        self.render_timeout = render_timeout
        self.pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        # Workers start from a clean fork server, not from this process: they
        # must not inherit the build lock (a killed build would stay locked
        # until its workers exit) nor the progress display's threads.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pubkit.batch.worker"])
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=context, initializer=init_local,
            initargs=(self.spec, self.formats), max_tasks_per_child=self.TASKS_PER_WORKER,
        )
        return self.pool

    def limit(self, task: Task) -> float:
        # A task may wait in the pool's queue behind one other task, hence twice.
        return 2 * self.render_timeout * len(task.formats) + self.GRACE

    def run(self, tasks: list[Task]) -> Iterator[TaskResult]:
        queue = collections.deque(tasks)
        crashes = 0
        while queue:
            pool = self._start()
            # A small window of tasks in flight: waiting on every future of a big
            # site at once would cost time quadratic in its size.
            window = 2 * self.jobs + 2
            futures: dict[Future[TaskResult], Task] = {}
            started: dict[Future[TaskResult], float] = {}
            broken = stuck = False
            while (queue or futures) and not (broken or stuck):
                while queue and len(futures) < window:
                    task = queue.popleft()
                    try:
                        futures[pool.submit(run_local, task)] = task
                    except BrokenProcessPool:
                        queue.appendleft(task)
                        broken = True
                        break
                done, _ = wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = futures.pop(fut)
                    started.pop(fut, None)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        broken = True
                        queue.appendleft(task)
                    except Exception as exc:  # unpicklable result, worker start-up failure
                        yield _failed(task, f"build worker failed: {type(exc).__name__}: {exc}")
                now = time.monotonic()
                for fut, task in futures.items():
                    if not broken and fut.running() and now - started.setdefault(fut, now) > (
                            limit := self.limit(task)):
                        stuck = True
                        del futures[fut]
                        self._kill_workers()
                        yield _failed(task, f"render did not finish within {limit:.0f} s; "
                                            "its worker process was stopped")
                        break
            queue.extendleft(reversed(list(futures.values())))
            self.close()
            if broken and not stuck:
                crashes += 1
                if crashes > self.RETRIES:
                    for task in queue:
                        yield _failed(task, "a build worker process died while rendering")
                    return

    def _kill_workers(self) -> None:
        processes = getattr(self.pool, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()

    def close(self) -> None:
        """Stop the pool; a worker that does not exit in time (stopped, stuck) is killed."""
        if self.pool is None:
            return
        self.pool.shutdown(wait=False, cancel_futures=True)
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(self.EXIT_WAIT)
            if manager.is_alive():
                self._kill_workers()
                manager.join()
        self.pool = None


CONNECT_TIMEOUT = 10.0
"""Seconds to reach a Dask scheduler before the build gives up (exit code 2)."""
_SCHEDULER = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
                        r":([0-9]{1,5})")


def check_scheduler(address: str) -> tuple[str, int]:
    """The host and port of a scheduler address ``tcp://HOST:PORT``, or :class:`ConfigError`."""
    match = _SCHEDULER.fullmatch(address)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise ConfigError(f"--scheduler {address!r}: not a Dask scheduler address "
                          "(tcp://HOST:PORT or tls://HOST:PORT, such as tcp://10.0.0.5:8786)")
    return match.group(2).strip("[]"), int(match.group(3))


def probe_scheduler(address: str) -> None:
    """Fail at once, with the system's reason, when nothing answers at ``address``.

    Dask itself retries a refused or unresolvable address until its timeout;
    a plain TCP connection says "connection refused" or "name not known" now.
    """
    host, port = check_scheduler(address)
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ConfigError(f"cannot reach the Dask scheduler {address}: {reason}") from None


class DaskExecutor:
    """The same tasks on a Dask distributed cluster whose workers need not see the site.

    Each task travels with what its render reads (see :mod:`pubkit.batch.shipping`):
    the site's part once per build, each file's bytes under a key made of
    their sha256, so the tasks in flight that show one picture share one copy,
    which a worker fetches once.  The values are tasks of
    their own (not scattered data), so the scheduler can make them again when
    the worker holding them dies, and a killed worker's renders run
    elsewhere.  Dask reports each key once, so a task retried after a crash
    is one result.  Renders run in a render process per worker thread, which
    enforces ``render_timeout`` (see :mod:`pubkit.batch.remote`).  Newsletter
    issues render in this process (see :func:`~pubkit.batch.shipping.local_only`).
    """

    name = "dask"
    GRACE = 10.0
    """Seconds on top of a task's render time limits before its render process is stopped."""
    WINDOW_PER_THREAD = 3
    """Batches in flight per worker thread (enough that no worker waits for the next)."""
    BATCH = 8
    """Most tasks sent to a worker as one Dask task."""

    def __init__(self, spec: SiteSpec, scheduler: str | None, formats: tuple[str, ...],
                 render_timeout: float = 60.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ConfigError(f"the dask executor needs `pip install pubkit[dask]` ({exc})") from None

        from pubkit.batch.shipping import pack_site
        from pubkit.batch.worker import context

        self.spec = spec
        self.formats = formats
        self.render_timeout = render_timeout
        if scheduler:
            probe_scheduler(scheduler)
        try:
            client: Any = (Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
                           if scheduler else Client(processes=True))  # type: ignore[no-untyped-call]
            self.client = client
        except (OSError, ValueError) as exc:  # TimeoutError included
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        self.ctx = context(spec)
        site = pack_site(self.ctx)
        # The site's part travels once per worker and build, not once with every task.
        # Everything a render process keeps between tasks, as one key: it reloads when that changes.
        self.site_key = _key(spec.generation, spec.now, spec.today, str(spec.drafts), _digest(site))
        self.site = self._value(f"pubkit-site-{self.site_key}", site)
        self.shipped_spec = self._value(f"pubkit-spec-{self.site_key}", spec)
        self.blobs: dict[str, list[Any]] = {}
        """Digest -> [future, tasks in flight using it]."""
        self.sharing: set[str] = set()
        """Digests of the files several tasks of this build read."""

    def _value(self, key: str, value: object) -> Any:
        return self.client.submit(_same, value, key=key, pure=False)

    def _blob(self, digest: str, data: bytes) -> Any:
        """The future of the bytes ``data`` (one per digest while a task in flight needs it)."""
        held = self.blobs.get(digest)
        if held is None:
            held = self.blobs[digest] = [self._value(f"pubkit-blob-{digest}", data), 0]
        held[1] += 1
        return held[0]

    def _unref(self, digest: str) -> None:
        held = self.blobs[digest]
        held[1] -= 1
        if held[1] == 0:
            del self.blobs[digest]
            held[0].release()

    def limit(self, task: Task) -> float:
        return self.render_timeout * len(task.formats) + self.GRACE

    def run(self, tasks: list[Task]) -> Iterator[TaskResult]:
        from distributed import as_completed

        from pubkit.batch.shipping import local_only

        for task in tasks:
            if local_only(task):
                yield run_task(self.spec, task)
        remote = [t for t in tasks if not local_only(t)]
        self.sharing = self._shared_digests(remote)
        threads = self._threads()
        # A few tasks to a Dask task: its scheduling and transfers cost about as much as a
        # web page's render, so small sites go one by one (every worker busy), large in batches.
        size = max(1, min(self.BATCH, len(remote) // (threads * self.WINDOW_PER_THREAD * 2)))
        queue = collections.deque(remote[i:i + size] for i in range(0, len(remote), size))
        # A window of batches in flight: the files of the whole site are never packed at once.
        window = max(self.WINDOW_PER_THREAD * threads, 4)
        # Results are fetched in the background, a batch at a time, not one round trip each.
        running: Any = as_completed(with_results=True, raise_errors=False)  # type: ignore[no-untyped-call]
        owner: dict[str, tuple[list[Task], list[str]]] = {}
        while queue and len(owner) < window:
            self._submit(queue.popleft(), running, owner)
        for fut, results in running:
            batch, digests = owner.pop(fut.key)
            if isinstance(results, list):
                yield from results
            else:  # the worker died too often, or the batch could not be shipped
                error = results[1] if isinstance(results, tuple) else results  # (type, exc, tb)
                for task in batch:
                    yield _failed(task, f"dask worker failed: {type(error).__name__}: {error}")
            fut.release()
            for digest in digests:
                self._unref(digest)
            while queue and len(owner) < window:
                self._submit(queue.popleft(), running, owner)

    def _shared_digests(self, tasks: list[Task]) -> set[str]:
        """The digests of the files more than one of ``tasks`` references (from the index)."""
        from pubkit.sitefiles import look

        uses: collections.Counter[str] = collections.Counter()
        for task in tasks:
            entry = self.ctx.index.entry(task.source)
            uses.update(set(entry.files) if entry is not None else ())
        digests: set[str] = set()
        root, allowed = self.ctx.site.root, self.ctx.resources.allowed_dirs
        for name, n in uses.items():
            if n > 1:
                for node in look(root / name, {}, allowed).values():
                    if node.digest:
                        digests.add(node.digest)
        return digests

    def _threads(self) -> int:
        try:
            return max(1, int(sum(self.client.nthreads().values())))
        except Exception:  # the scheduler went away: the submissions will say so
            return 1

    def _submit(self, batch: list[Task], running: Any,
                owner: dict[str, tuple[list[Task], list[str]]]) -> None:
        from pubkit.batch.remote import Shipped, run_shipped
        from pubkit.batch.shipping import pack_task

        shipped: list[Shipped] = []
        names: list[str] = [self.site_key]
        refs: list[str] = []
        for task in batch:
            parcel = pack_task(self.ctx, task)
            # A file only this task reads (its source, most pictures) travels with the task;
            # one that others read too (a shared picture) under its digest, once per worker.
            shared = sorted(d for d in parcel.blobs if d in self.blobs or d in self.sharing)
            blobs: dict[str, Any] = {d: b for d, b in parcel.blobs.items() if d not in shared}
            blobs.update((d, self._blob(d, parcel.blobs[d])) for d in shared)
            refs += shared
            shipped.append((task, parcel.nodes, blobs, self.limit(task)))
            names += [task.source, *task.formats, *sorted(parcel.blobs)]
        fut = self.client.submit(run_shipped, self.site_key, self.shipped_spec, self.site,
                                 self.formats, shipped, key=f"pubkit-render-{_key(*names)}",
                                 pure=False)
        owner[fut.key] = (batch, refs)
        running.add(fut)

    def close(self) -> None:
        self.client.close()


def _same(value: object) -> object:
    """A value as a Dask task of its own (kept by the scheduler, made again if a worker dies)."""
    return value


def _digest(value: object) -> str:
    import hashlib
    import pickle

    return hashlib.sha256(pickle.dumps(value)).hexdigest()[:32]


def _key(*parts: str) -> str:
    import hashlib

    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _failed(task: Task, message: str) -> TaskResult:
    diag = Diagnostic(task.source, None, message)
    return TaskResult(task, [FormatResult(f, None, diag) for f in task.formats])


def make_executor(
    kind: str, spec: SiteSpec, jobs: int, formats: tuple[str, ...], tasks: int,
    scheduler: str | None = None, render_timeout: float = 60.0,
) -> Executor:
    """The executor for ``kind``; small local batches run in this process (:func:`runs_here`)."""
    if kind == "dask":
        return DaskExecutor(spec, scheduler, formats, render_timeout)
    if runs_here(kind, jobs, tasks):
        return InlineExecutor(spec)
    return LocalExecutor(spec, min(jobs or default_jobs(), tasks), formats, render_timeout)


def runs_here(kind: str, jobs: int, tasks: int) -> bool:
    """Whether :func:`make_executor` renders ``tasks`` in this process: a local batch of one job."""
    return kind != "dask" and min(jobs or default_jobs(), tasks) <= 1
