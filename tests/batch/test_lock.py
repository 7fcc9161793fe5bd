"""The build lock is never opened through anything pubkit did not make in the output folder.

The holder truncates the lock file and writes its PID into it, so a lock
file planted as a symlink (to ``/etc/passwd``, or dangling, to make pubkit
create a file elsewhere), a hard link, a FIFO, a folder or another user's
file would let a tampered output folder make pubkit clobber or create files
outside it.  Each is refused with one message naming the lock, exit code 2,
and the target is left as it was.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.batch.lock import LOCK_NAME, BuildLock, LockHeld, LockUnsafe
from tests.batch.conftest import run_cli

VICTIM = b"root:x:0:0:root:/root:/bin/bash\n"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "output"
    folder.mkdir()
    return folder


def _acquire_returns(lock: BuildLock) -> None:
    """Acquire ``lock`` in a thread, failing (not hanging) if the open blocks."""
    box: dict[str, BaseException] = {}

    def run() -> None:
        try:
            lock.acquire()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "acquiring the lock blocked"
    if "error" in box:
        raise box["error"]


def test_a_symlink_to_another_file_is_refused_and_the_file_untouched(out: Path, tmp_path: Path) -> None:
    victim = tmp_path / "passwd"
    victim.write_bytes(VICTIM)
    (out / LOCK_NAME).symlink_to(victim)
    with pytest.raises(LockUnsafe, match="a symbolic link, which pubkit did not make"):
        BuildLock(out).acquire()
    assert victim.read_bytes() == VICTIM


def test_a_dangling_symlink_does_not_make_pubkit_create_its_target(out: Path, tmp_path: Path) -> None:
    target = tmp_path / "created-elsewhere"
    (out / LOCK_NAME).symlink_to(target)
    with pytest.raises(LockUnsafe, match="symbolic link"):
        BuildLock(out).acquire()
    assert not target.exists()


def test_a_hard_link_to_another_file_is_refused(out: Path, tmp_path: Path) -> None:
    victim = tmp_path / "config"
    victim.write_bytes(VICTIM)
    os.link(victim, out / LOCK_NAME)
    with pytest.raises(LockUnsafe, match="hard link"):
        BuildLock(out).acquire()
    assert victim.read_bytes() == VICTIM


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "folder"])
def test_a_fifo_or_folder_is_refused_without_blocking(out: Path, make: Callable[[Path], None]) -> None:
    make(out / LOCK_NAME)
    with pytest.raises(LockUnsafe, match="not a regular file"):
        _acquire_returns(BuildLock(out))


def test_another_users_file_is_refused(out: Path) -> None:
    lock = out / LOCK_NAME
    lock.write_text("4242\n")
    other = 65534 if os.geteuid() != 65534 else 0  # nobody, or root for a nobody run
    try:
        os.chown(lock, other, -1)
    except PermissionError:
        pytest.fail("the test needs to run as root to hand the lock file to another user")
    with pytest.raises(LockUnsafe, match="owned by another user"):
        BuildLock(out).acquire()
    assert lock.read_text() == "4242\n"


def test_pubkits_own_lock_still_works_and_names_its_holder(out: Path) -> None:
    with BuildLock(out):
        assert (out / LOCK_NAME).read_text() == f"{os.getpid()}\n"
        with pytest.raises(LockHeld) as held:
            BuildLock(out).acquire()
        assert held.value.pid == os.getpid()
    with BuildLock(out):  # released, and the same file taken again
        pass
    assert not (out / LOCK_NAME).is_symlink() and (out / LOCK_NAME).read_text() == ""


def test_pubkit_build_refuses_a_planted_lock_with_exit_code_2(gen_site: Callable[..., Path],
                                                              tmp_path: Path) -> None:
    root = gen_site(1)
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    (root / "output").mkdir()
    (root / "output" / LOCK_NAME).symlink_to(victim)
    result = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "1")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"pubkit: {root / 'output' / LOCK_NAME}: the build lock is a "
                                     "symbolic link, which pubkit did not make; remove it and build "
                                     "again")
    assert victim.read_bytes() == VICTIM
    assert not (root / "output" / "html").exists()  # nothing was built through the planted lock
