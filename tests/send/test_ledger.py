"""The delivery ledger: keys, statuses, attempts, locking, read-only peeks."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pubkit.send.ledger import SENDING, Ledger, LedgerBusy


def test_statuses_and_attempts_are_recorded(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, "spring", "h1") as ledger:
        ledger.sending("Ana@Example.org")
        assert ledger.get("ana@example.org").status == "unknown"  # type: ignore[union-attr]
        ledger.record("ana@example.org", "sent", 250, "250 OK")
        ledger.record("bo@example.org", "failed", 451, "451 later; retrying", new_attempt=True)
        ledger.record("bo@example.org", "failed", 550, "550 no", new_attempt=True)
        ledger.sending("cy@example.org")
        entries = ledger.entries()
    assert {k: (e.status, e.attempts, e.code) for k, e in entries.items()} == {
        "ana@example.org": ("sent", 1, 250),
        "bo@example.org": ("failed", 2, 550),
        "cy@example.org": ("unknown", 1, None),
    }
    assert entries["cy@example.org"].detail == SENDING


def test_key_is_newsletter_content_hash_and_recipient(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, "spring", "h1") as ledger:
        ledger.record("a@example.org", "sent", 250, "ok")
    with Ledger.open(db, "spring", "h2") as ledger:  # edited newsletter: a new version
        assert ledger.entries() == {}
        ledger.record("a@example.org", "failed", 550, "no")
    with Ledger.open(db, "summer", "h1") as ledger:
        assert ledger.entries() == {}
    assert Ledger.peek(db, "spring", "h1")["a@example.org"].status == "sent"
    assert Ledger.peek(db, "spring", "h2")["a@example.org"].status == "failed"


def test_recipients_of_other_versions_are_counted(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, "spring", "h1") as ledger:
        for who in ("a@example.org", "b@example.org"):
            ledger.record(who, "sent", 250, "ok")
        ledger.record("c@example.org", "failed", 550, "no")
    with Ledger.open(db, "spring", "h2") as ledger:
        assert ledger.sent_elsewhere() == 2
    with Ledger.read_only(db, "summer", "h1") as other:
        assert other is not None and other.sent_elsewhere() == 0


def test_every_change_is_on_disk_at_once(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, "spring", "h1") as ledger:
        ledger.sending("a@example.org")
        # Another connection (as after a crash) sees it without any commit call.
        other = sqlite3.connect(db)
        assert other.execute("SELECT status FROM deliveries").fetchall() == [("unknown",)]
        other.close()


def test_status_outside_the_three_is_refused(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite", "n", "h") as ledger, \
            pytest.raises(sqlite3.IntegrityError):
        ledger.record("a@example.org", "bounced", None, "")  # type: ignore[arg-type]


def test_one_run_at_a_time(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    holder = (
        "import sys, time; from pathlib import Path; from pubkit.send.ledger import Ledger\n"
        "with Ledger.open(Path(sys.argv[1]), 'n', 'h'):\n"
        "    print('locked', flush=True); sys.stdin.readline()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(LedgerBusy, match="another `pubkit send`"), Ledger.open(db, "n", "h"):
            pass
    finally:
        proc.kill()  # the lock dies with its process
        proc.wait()
    with Ledger.open(db, "n", "h") as ledger:
        assert ledger.entries() == {}


def test_peek_never_creates_a_ledger(tmp_path: Path) -> None:
    assert Ledger.peek(tmp_path / "none.sqlite", "n", "h") == {}
    assert not (tmp_path / "none.sqlite").exists()
