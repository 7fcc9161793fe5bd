"""The delivery ledger: one SQLite row per (newsletter, content hash, recipient).

The ledger is what makes ``pubkit send`` resumable without sending anyone
two copies.  A row turns ``unknown`` *before* the message data goes to the
server and ``sent`` only after the server's 250 reply, so a run that dies at
any point leaves each recipient either untouched, ``sent``, ``failed`` or
``unknown`` (the server may or may not have the message), never wrongly
``sent`` or wrongly untouched.  Every change is committed at once, so it
outlives the process.  The ``unknown`` mark is also flushed to the disk
(``synchronous=FULL``) before the data leaves, so it outlives the machine;
the outcome that follows is flushed with the next mark, which halves the
fsyncs: a power cut can at worst turn a fresh ``sent`` back into ``unknown``,
the safe direction.

One run at a time: :meth:`Ledger.open` takes an exclusive lock on a file
beside the database and refuses when another run holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pubkit import safeio
from pubkit.send.addresses import address_key

Status = Literal["sent", "failed", "unknown"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    newsletter   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'unknown')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    code         INTEGER,
    detail       TEXT NOT NULL DEFAULT '',
    updated      TEXT NOT NULL,
    PRIMARY KEY (newsletter, content_hash, recipient)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS opened (
    run TEXT PRIMARY KEY,
    at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) WITHOUT ROWID;
"""
SENDING = "message data sent; no reply from the server recorded"


class LedgerBusy(Exception):
    """Another run is using the ledger."""


class LedgerError(Exception):
    """The ledger cannot be opened, read or written; the message names the file."""


def _check_file(path: Path) -> None:
    try:
        safeio.regular_or_absent(path)
    except safeio.Unreadable as exc:
        raise LedgerError(f"{path}: the ledger: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class Entry:
    """What the ledger knows about one recipient of one newsletter version."""

    recipient: str
    status: Status
    attempts: int
    code: int | None
    detail: str


class Ledger:
    """Records deliveries of one newsletter version (``newsletter``, ``content_hash``)."""

    def __init__(self, db: sqlite3.Connection, newsletter: str, content_hash: str) -> None:
        self._db = db
        self.newsletter = newsletter
        self.content_hash = content_hash

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, newsletter: str, content_hash: str) -> Iterator[Ledger]:
        """Lock and open (creating) the ledger at ``path`` for one run.

        Raises :class:`LedgerError` unless the ledger can be both read and written:
        a real write is made here, before any message could go out.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _check_file(path)
            lock_fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                              | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            raise LedgerError(f"{path}: cannot open the ledger: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LedgerBusy(f"{path}: another `pubkit send` is using this ledger") from None
            try:
                db = sqlite3.connect(path, isolation_level=None)
            except sqlite3.Error as exc:
                raise LedgerError(f"{path}: cannot open the ledger: {exc}") from None
            try:
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=FULL")
                    db.executescript(_SCHEMA)
                    db.execute("INSERT INTO opened (run) VALUES (?)"
                               " ON CONFLICT (run) DO UPDATE SET at = excluded.at",
                               ("last",))
                except sqlite3.Error as exc:
                    raise LedgerError(f"{path}: cannot use the ledger: {exc}") from None
                yield cls(db, newsletter, content_hash)
            finally:
                db.close()
        finally:
            os.close(lock_fd)  # closing the descriptor releases the lock

    @classmethod
    @contextlib.contextmanager
    def read_only(cls, path: Path, newsletter: str, content_hash: str) -> Iterator[Ledger | None]:
        """The ledger opened for reading, without locking or creating it; None if there is none.

        Raises :class:`LedgerError` for a ledger that exists but cannot be read.
        """
        if not path.exists():
            yield None
            return
        _check_file(path)
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            table = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'deliveries'").fetchone()
        except sqlite3.Error as exc:
            raise LedgerError(f"{path}: cannot read the ledger: {exc}") from None
        try:
            yield cls(db, newsletter, content_hash) if table else None
        finally:
            db.close()

    @classmethod
    def peek(cls, path: Path, newsletter: str, content_hash: str) -> dict[str, Entry]:
        """The entries of one version, read without locking (empty when there is no ledger)."""
        with cls.read_only(path, newsletter, content_hash) as ledger:
            return ledger.entries() if ledger else {}

    def entries(self) -> dict[str, Entry]:
        """Every recipient recorded for this version, by lower-cased address."""
        try:
            rows = self._db.execute(
                "SELECT recipient, status, attempts, code, detail FROM deliveries"
                " WHERE newsletter = ? AND content_hash = ?",
                (self.newsletter, self.content_hash),
            ).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}") from None
        return {r[0]: Entry(*r) for r in rows}

    def sent_elsewhere(self) -> int:
        """Recipients who received another version (other content) of this newsletter."""
        try:
            row = self._db.execute(
                "SELECT COUNT(DISTINCT recipient) FROM deliveries"
                " WHERE newsletter = ? AND content_hash != ? AND status = 'sent'",
                (self.newsletter, self.content_hash),
            ).fetchone()
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}") from None
        return int(row[0])

    def get(self, recipient: str) -> Entry | None:
        row = self._db.execute(
            "SELECT recipient, status, attempts, code, detail FROM deliveries"
            " WHERE newsletter = ? AND content_hash = ? AND recipient = ?",
            (self.newsletter, self.content_hash, _key(recipient)),
        ).fetchone()
        return Entry(*row) if row else None

    def sending(self, recipient: str) -> None:
        """Note, durably, that the message data is about to go out (one more attempt)."""
        self._write(recipient, "unknown", None, SENDING, 1, durable=True)

    def record(self, recipient: str, status: Status, code: int | None, detail: str,
               new_attempt: bool = False) -> None:
        """Store the outcome; ``new_attempt`` when it ended before :meth:`sending`."""
        self._write(recipient, status, code, detail, int(new_attempt), durable=False)

    def _write(self, recipient: str, status: Status, code: int | None, detail: str,
               attempts: int, durable: bool) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        # In WAL mode NORMAL commits without fsync; FULL syncs the log, and with it
        # every earlier commit.
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.execute(
            "INSERT INTO deliveries (newsletter, content_hash, recipient, status, attempts,"
            " code, detail, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (newsletter, content_hash, recipient) DO UPDATE SET"
            " status = excluded.status, attempts = attempts + excluded.attempts,"
            " code = excluded.code, detail = excluded.detail, updated = excluded.updated",
            (self.newsletter, self.content_hash, _key(recipient), status, attempts, code,
             detail, now),
        )


def _key(address: str) -> str:
    # Addresses are compared as the recipients list compares them.
    return address_key(address)
