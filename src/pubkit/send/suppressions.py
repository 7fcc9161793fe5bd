"""The suppression list: addresses pubkit never mails again, in the site's SQLite store.

One row per address (by :func:`~pubkit.send.addresses.address_key`) with the
reason, when it happened and where it came from.  The store sits beside the
delivery ledger and is opened in WAL mode, so ``pubkit send`` and the
unsubscribe endpoint read and write it at the same time: a send checks an
address just before its message goes out and sees an unsubscribe committed a
moment earlier.  Commits use ``synchronous=NORMAL``: an unsubscribe survives
the process being killed the moment after its 200 reply; only a power cut in
the following instant could lose it (SQLite flushes the log at checkpoints).

Soft bounces (a 4xx reply after every retry) are counted per address across
sends; a delivery clears the count, and ``soft_bounce_limit`` in a row
suppresses the address.  The store also maps per-recipient bounce addresses
(VERP tokens) back to the recipient.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from pubkit import safeio
from pubkit.send.addresses import address_key

Reason = Literal["unsubscribed", "hard-bounce", "soft-bounce", "complaint", "manual"]
REASONS: tuple[str, ...] = get_args(Reason)
MAX_SOURCE = 300
"""Longest "where it came from" kept (a server's reply, a file name)."""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS suppressions (
    address TEXT PRIMARY KEY,
    reason  TEXT NOT NULL CHECK (reason IN ({", ".join(f"'{r}'" for r in REASONS)})),
    created TEXT NOT NULL,
    source  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS soft_bounces (
    address TEXT PRIMARY KEY,
    count   INTEGER NOT NULL,
    updated TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes (
    token   TEXT PRIMARY KEY,
    address TEXT NOT NULL
) WITHOUT ROWID;
"""


class StoreError(Exception):
    """The store cannot be opened, read or written; the message names the file."""


@dataclass(frozen=True, slots=True)
class Suppression:
    address: str
    reason: str
    created: str
    source: str


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_file(path: Path) -> None:
    try:
        safeio.regular_or_absent(path)
    except safeio.Unreadable as exc:
        raise StoreError(f"{path}: {exc.strerror}") from None


class SuppressionStore:
    """One open connection to the suppression store."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[SuppressionStore]:
        """Open (creating) the store for reading and writing; proves it can write first."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _check_file(path)
            db = sqlite3.connect(path, isolation_level=None, timeout=10.0,
                                 check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the suppression list: {exc}") from None
        try:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
                # A real write, so that a read-only file or folder shows now, not mid-send.
                db.execute("DELETE FROM envelopes WHERE token = ''")
            except sqlite3.Error as exc:
                raise StoreError(f"{path}: cannot use the suppression list: {exc}") from None
            yield cls(db, path)
        finally:
            db.close()

    @classmethod
    @contextlib.contextmanager
    def read_only(cls, path: Path) -> Iterator[SuppressionStore | None]:
        """The store opened for reading without creating it; None when there is none yet."""
        if not path.exists():
            yield None
            return
        _check_file(path)
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0,
                                 check_same_thread=False)
            table = db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'suppressions'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot read the suppression list: {exc}") from None
        try:
            yield cls(db, path) if table else None
        finally:
            db.close()

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: suppression list: {exc}") from None

    def add(self, address: str, reason: Reason, source: str = "", when: str | None = None) -> bool:
        """Suppress ``address``; False when it already was (the first record is kept)."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
        cur = self._run(
            "INSERT INTO suppressions (address, reason, created, source) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (address) DO NOTHING",
            (address_key(address), reason, when or now(), _clip(source)))
        return cur.rowcount == 1

    def add_many(self, rows: Iterable[tuple[str, Reason, str]]) -> int:
        """Suppress many addresses in one transaction; how many were new."""
        added = 0
        stamp = now()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for address, reason, source in rows:
                cur = self._db.execute(
                    "INSERT INTO suppressions (address, reason, created, source)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (address) DO NOTHING",
                    (address_key(address), reason, stamp, _clip(source)))
                added += cur.rowcount
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: suppression list: {exc}") from None
        return added

    def remove(self, address: str) -> bool:
        cur = self._run("DELETE FROM suppressions WHERE address = ?", (address_key(address),))
        self._run("DELETE FROM soft_bounces WHERE address = ?", (address_key(address),))
        return cur.rowcount > 0

    def get(self, address: str) -> Suppression | None:
        row = self._run("SELECT address, reason, created, source FROM suppressions"
                        " WHERE address = ?", (address_key(address),)).fetchone()
        return Suppression(*row) if row else None

    def is_suppressed(self, address: str) -> bool:
        return self._run("SELECT 1 FROM suppressions WHERE address = ?",
                         (address_key(address),)).fetchone() is not None

    def keys(self) -> set[str]:
        return {row[0] for row in self._run("SELECT address FROM suppressions")}

    def all(self) -> list[Suppression]:
        rows = self._run("SELECT address, reason, created, source FROM suppressions"
                         " ORDER BY created, address")
        return [Suppression(*row) for row in rows]

    def count(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM suppressions").fetchone()[0])

    def soft_bounce(self, address: str, detail: str, limit: int) -> int:
        """Count one soft bounce; at ``limit`` in a row the address is suppressed. The count."""
        key = address_key(address)
        self._run("INSERT INTO soft_bounces (address, count, updated, detail) VALUES (?, 1, ?, ?)"
                  " ON CONFLICT (address) DO UPDATE SET count = count + 1,"
                  " updated = excluded.updated, detail = excluded.detail",
                  (key, now(), _clip(detail)))
        count = int(self._run("SELECT count FROM soft_bounces WHERE address = ?",
                              (key,)).fetchone()[0])
        if count >= limit:
            self.add(key, "soft-bounce", f"{count} soft bounces in a row; last: {detail}")
        return count

    def soft_bounced(self) -> set[str]:
        return {row[0] for row in self._run("SELECT address FROM soft_bounces")}

    def delivered(self, address: str) -> None:
        """A delivery breaks a run of soft bounces."""
        self._run("DELETE FROM soft_bounces WHERE address = ?", (address_key(address),))

    def remember_envelopes(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Store ``(verp token, address)`` pairs so bounces to a token name their recipient."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO envelopes (token, address) VALUES (?, ?)",
                                 ((t, address_key(a)) for t, a in pairs))
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: suppression list: {exc}") from None

    def envelope_owner(self, token: str) -> str | None:
        row = self._run("SELECT address FROM envelopes WHERE token = ?",
                        (token.lower(),)).fetchone()
        return str(row[0]) if row else None


def _clip(text: str) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= MAX_SOURCE else text[:MAX_SOURCE - 1] + "…"


def store_path(root: Path, setting: str) -> Path:
    return root / setting if not os.path.isabs(setting) else Path(setting)
