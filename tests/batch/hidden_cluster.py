"""Real ``dask scheduler`` and ``dask worker`` processes whose workers cannot see a folder.

Each worker runs in a mount namespace of its own (``unshare --mount``, as
root) where an empty tmpfs hides ``hidden``, from another working folder.
Used by the remote-build tests and by ``bench/bench_dask.py``.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import distributed

START_TIMEOUT = 60.0


class ClusterError(Exception):
    """The cluster could not be started here; the message says why."""


def require_unshare() -> None:
    """:class:`ClusterError` unless this machine lets us hide a folder in a mount namespace."""
    try:
        probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                "mount -t tmpfs none /mnt"], capture_output=True, text=True,
                               timeout=30)
    except FileNotFoundError:
        raise ClusterError("unshare (util-linux) is missing: apt-get install util-linux") from None
    if probe.returncode != 0:
        raise ClusterError("unshare --mount with a tmpfs mount is not permitted here (run as "
                           f"root): {probe.stderr.strip()}")


@dataclass
class HiddenCluster:
    address: str
    hidden: Path
    """The folder the workers see as empty."""
    elsewhere: Path
    """The workers' working folder (and the logs)."""
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self, name: str, nthreads: int = 1) -> subprocess.Popen[bytes]:
        """A ``dask worker`` (no nanny: its pid is the worker's) that cannot see ``hidden``."""
        dask = shlex.join([sys.executable, "-m", "dask", "worker", self.address, "--name", name,
                           "--nthreads", str(nthreads), "--no-nanny", "--no-dashboard",
                           "--host", "127.0.0.1"])
        script = f"mount -t tmpfs none {shlex.quote(str(self.hidden))} && exec {dask}"
        log = self.elsewhere / f"{name}.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                     script], cwd=self.elsewhere, stdout=subprocess.DEVNULL,
                                    stderr=err)
        self.workers.append(proc)
        with distributed.Client(self.address, timeout=START_TIMEOUT) as client:
            deadline = time.monotonic() + START_TIMEOUT
            while name not in {w["name"] for w in client.scheduler_info()["workers"].values()}:
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = log.read_text(errors="replace")
                    raise ClusterError(f"dask worker {name} did not start:\n{text[-2000:]}")
                time.sleep(0.2)
        return proc

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def hidden_cluster(hidden: Path, elsewhere: Path, workers: int = 2) -> Iterator[HiddenCluster]:
    """A scheduler on 127.0.0.1 and ``workers`` single-threaded workers blind to ``hidden``."""
    require_unshare()
    file = elsewhere / "scheduler.json"
    log = elsewhere / "scheduler.log"
    with log.open("wb") as err:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(file)], cwd=elsewhere,
            stdout=subprocess.DEVNULL, stderr=err)
    cluster = HiddenCluster("", hidden, elsewhere, scheduler)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not file.exists() or not file.read_text().strip():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise ClusterError("dask scheduler did not start: "
                                   + log.read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        cluster.address = json.loads(file.read_text())["address"]
        for k in range(workers):
            cluster.start_worker(f"w{k + 1}")
        yield cluster
    finally:
        cluster.stop()
