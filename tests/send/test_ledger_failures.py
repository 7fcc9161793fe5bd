"""A ledger that cannot be opened or written stops the send before anything goes out;
it never crashes a dry run; a full disk mid-send stops the run without a second copy to anyone."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from pubkit.send.ledger import Ledger, LedgerError
from pubkit.site import Site
from tests.send.compliant import configure, write_csv
from tests.send.smtp_server import ScriptedHandler, smtp_server

LEDGER = Path(".pubkit") / "send-ledger.sqlite"


@pytest.fixture
def site(sample_site: Site) -> Site:
    configure(sample_site.root)
    write_csv(sample_site.root / "list.csv", [(f"p{i:03d}@example.org", f"P{i}")
                                              for i in range(300)])
    return sample_site


def pubkit(site: Site, *args: str, fsize: int | None = None,
           port: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    extra = ["--yes", "--smtp-port", str(port)] if port else []
    return subprocess.run(
        [sys.executable, "-m", "pubkit", "send", "sample", "--to", "list.csv", "--json", *extra,
         "--site", str(site.root), *args],
        cwd=site.root, capture_output=True, text=True, timeout=300, env=os.environ.copy(),
        preexec_fn=limit)


def spoil(site: Site, kind: str) -> None:
    path = site.root / LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "garbage":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8192)
    elif kind == "wal blocked":
        with Ledger.open(path, "x", "y"):  # a real ledger, created
            pass
        (site.root / f"{LEDGER}-wal").mkdir()  # SQLite cannot write its log
    elif kind == "symlink loop":
        os.symlink(path, path)
    elif kind == "damaged":
        with Ledger.open(path, "x", "y") as ledger:
            for i in range(2000):
                ledger.record(f"r{i}@example.org", "sent", 250, "ok " * 20)
        data = bytearray(path.read_bytes())
        data[8192:len(data) - 4096] = b"\xa5" * (len(data) - 12288)  # the tables, not the header
        path.write_bytes(bytes(data))
        for extra in path.parent.glob("send-ledger.sqlite-*"):
            extra.unlink()


KINDS = ["fifo", "folder", "garbage", "wal blocked", "symlink loop", "damaged"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unusable_ledger_stops_yes_before_any_message(site: Site, kind: str,
                                                         handler: ScriptedHandler,
                                                         port: int) -> None:
    spoil(site, kind)
    done = pubkit(site, port=port)
    assert done.returncode == 2, done.stderr
    assert "send-ledger.sqlite" in done.stderr and "nothing was sent" in done.stderr
    assert "Traceback" not in done.stderr
    assert handler.received == [] and handler.connections == 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_dry_run_never_crashes_on_the_ledger(site: Site, kind: str) -> None:
    spoil(site, kind)
    done = pubkit(site)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["would_send"] == 300


def test_opening_refuses_a_fifo_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "l.sqlite")
    with pytest.raises(LedgerError, match="not a regular file"), \
            Ledger.open(tmp_path / "l.sqlite", "n", "h"):
        pass


def test_a_disk_full_mid_send_stops_and_the_rerun_sends_nobody_twice(site: Site) -> None:
    handler = ScriptedHandler()
    with smtp_server(handler) as ctl:
        # The ledger's log may grow to 64 kB: it fills after some dozens of messages.
        first = pubkit(site, fsize=64 * 1024, port=ctl.port)
        assert first.returncode == 3, first.stderr
        assert "Traceback" not in first.stderr
        report = json.loads(first.stdout)
        assert report["stopped"] and "ledger cannot be written" in report["stopped"]
        assert 0 < report["sent"] < 300 and report["pending"] > 0
        second = pubkit(site, port=ctl.port)
    again = json.loads(second.stdout)
    assert again["sent"] + again["skipped"] + again["unknown"] == 300
    counts = handler.counts()
    assert set(counts.values()) == {1}  # nobody twice
    assert 300 - len(counts) <= again["unknown"] <= 1
