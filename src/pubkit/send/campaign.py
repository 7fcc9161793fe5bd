"""One newsletter to one list: the dry run (``.eml`` files) and the real run (SMTP + ledger).

The real run asks the ledger before each recipient: ``sent`` is skipped,
``unknown`` is skipped unless the caller asks to resend it, anything else
(new, ``failed``) is sent.  The ledger is written before the data goes out
and after the reply, so stopping the run at any instant and starting it
again never sends anyone a second copy.

The suppression list is read when the run starts and asked again just before
each message, so an unsubscribe recorded by the endpoint during a send stops
the very next message to that address.  A 5xx reply to RCPT suppresses the
address (hard bounce); a 4xx after every retry counts as a soft bounce.  If
the ledger or the suppression list cannot be written the run stops there:
nothing is sent that could not be recorded or checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import re
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from pubkit.diagnostics import Diagnostic
from pubkit.output import remove_below, remove_stale_temps, write_below
from pubkit.send.ledger import Entry, Ledger, LedgerError
from pubkit.send.recipients import Recipient
from pubkit.send.smtp import Attempt, SmtpConfigError, SmtpSender, SmtpUnavailable
from pubkit.send.suppressions import StoreError, SuppressionStore

_AHEAD = 32
"""Messages composed ahead of the one being sent or written."""
_WRITERS = 4
MAX_DEFERRED_IN_A_ROW = 5

OutcomeStatus = Literal["sent", "failed", "skipped", "unknown", "pending", "would_send",
                        "suppressed"]
Finish = Callable[[bytes], bytes]
"""A last step on each message's bytes (DKIM signing)."""
Envelope = str | Callable[[Recipient], str]
"""The MAIL FROM address, or how to make one per recipient (VERP)."""


class Composed(Protocol):
    """What sending needs from a composed newsletter."""

    name: str
    content_hash: str

    def message_for(self, recipient: Recipient) -> EmailMessage: ...


@runtime_checkable
class Multilingual(Protocol):
    """A composed newsletter with versions in several languages (the report counts them)."""

    def language_for(self, recipient: Recipient) -> str: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one recipient in this run."""

    email: str
    line: int | None
    status: OutcomeStatus
    detail: str = ""
    code: int | None = None
    temporary: bool = False
    """A failure worth trying again later (a 4xx reply, a connection that kept breaking)."""
    stage: str = ""
    """Where a failure happened: ``recipient`` when RCPT TO was refused."""
    lang: str = ""
    """The language of the message built for the recipient (empty when none was built)."""


@dataclass
class Report:
    """The run's result: one outcome per recipient, plus the CSV rows that were skipped."""

    newsletter: str
    content_hash: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    invalid: list[Diagnostic] = field(default_factory=list)
    bad_languages: list[Diagnostic] = field(default_factory=list)
    """Rows whose language is not a tag: sent in the base language."""
    stopped: str | None = None
    """Why the run ended before the end of the list (the server went away)."""
    sent_elsewhere: int = 0
    """Recipients in the ledger who received another version of this newsletter."""

    def count(self, status: OutcomeStatus) -> int:
        return sum(o.status == status for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        names: tuple[OutcomeStatus, ...] = ("sent", "failed", "skipped", "unknown", "pending",
                                            "suppressed")
        counts: dict[str, int] = {name: self.count(name) for name in names}
        if self.dry_run:
            counts["would_send"] = self.count("would_send")
        counts["invalid"] = len(self.invalid)
        return counts

    def languages(self) -> dict[str, int]:
        """Messages per language: written by a dry run, sent by a real one."""
        counted: tuple[OutcomeStatus, ...] = (
            ("would_send", "skipped", "unknown") if self.dry_run else ("sent",))
        found: dict[str, int] = {}
        for o in self.outcomes:
            if o.lang and o.status in counted:
                found[o.lang] = found.get(o.lang, 0) + 1
        return dict(sorted(found.items()))

    def confirmed(self) -> bool:
        """Whether the server confirmed (or refused) every message this run tried to send."""
        return not (self.count("unknown") or self.count("pending") or self.stopped)

    def to_json(self) -> dict[str, Any]:
        listed = ("failed", "unknown", "pending")
        return {
            "newsletter": self.newsletter,
            "content_hash": self.content_hash,
            "dry_run": self.dry_run,
            "recipients": len(self.outcomes),
            **self.counts(),
            "stopped": self.stopped,
            "sent_other_versions": self.sent_elsewhere,
            "languages": self.languages(),
            "problems": [
                {"email": o.email, "line": o.line, "status": o.status, "code": o.code,
                 "detail": o.detail}
                for o in self.outcomes if o.status in listed
            ],
            "invalid_rows": [{"line": d.line, "message": d.message} for d in self.invalid],
            "bad_languages": [{"line": d.line, "message": d.message} for d in self.bad_languages],
        }


def message_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends)."""
    policy = message.policy
    if policy.linesep != "\r\n":
        policy = policy.clone(linesep="\r\n")
    return message.as_bytes(policy=policy)


def eml_name(index: int, recipient: Recipient) -> str:
    """File name of a recipient's dry-run message: list position, then a file-safe address."""
    safe = re.sub(r"[^a-z0-9@._+-]", "_", recipient.email.lower())[:100]
    return f"{index:05d}-{safe}.eml"


def dry_run(composed: Composed, recipients: list[Recipient], out_dir: Path,
            ledger: Ledger | None, resend_unknown: bool = False,
            suppressed: set[str] | frozenset[str] = frozenset(), finish: Finish | None = None,
            max_bytes: int | None = None) -> Report:
    """Write every recipient's message to ``out_dir``; say what a real run would do.

    ``suppressed`` holds address keys: those recipients get no file.
    """
    report = Report(composed.name, composed.content_hash, dry_run=True)
    known = ledger.entries() if ledger else {}
    report.sent_elsewhere = ledger.sent_elsewhere() if ledger else 0
    remove_stale_temps(out_dir)
    written: set[str] = set()
    wanted: list[tuple[int, Recipient]] = []
    for index, recipient in enumerate(recipients, 1):
        if recipient.key in suppressed:
            report.outcomes.append(_outcome(recipient, "suppressed", "on the suppression list"))
        else:
            wanted.append((index, recipient))
    positions = [index for index, _ in wanted]
    language = _languages(composed)
    # Writes wait on fsync; a few writer threads keep composing busy meanwhile.
    with ThreadPoolExecutor(max_workers=_WRITERS) as writers, \
            contextlib.closing(_built(composed, [r for _, r in wanted], finish,
                                      max_bytes)) as built:
        waiting: deque[Future[Path]] = deque()
        for index, (recipient, data) in zip(positions, built, strict=False):
            if isinstance(data, str):
                report.outcomes.append(_outcome(recipient, "failed", data))
                continue
            name = eml_name(index, recipient)
            waiting.append(writers.submit(write_below, out_dir, name, data))
            written.add(name)
            if len(waiting) > _AHEAD:
                waiting.popleft().result()
            status, detail = _plan(known.get(recipient.key), resend_unknown)
            report.outcomes.append(Outcome(recipient.email, recipient.line,
                                           status or "would_send", detail,
                                           lang=language(recipient)))
        for future in waiting:
            future.result()
    if out_dir.is_dir() and not out_dir.is_symlink():
        for old in out_dir.glob("*.eml"):
            if old.name not in written:
                remove_below(out_dir, old.name)  # a recipient no longer on the list
    return report


def send(composed: Composed, recipients: list[Recipient], ledger: Ledger, sender: SmtpSender,
         envelope_from: Envelope, resend_unknown: bool = False,
         progress: Callable[[Outcome, int, int], None] | None = None,
         store: SuppressionStore | None = None, soft_bounce_limit: int = 3,
         finish: Finish | None = None, max_bytes: int | None = None) -> Report:
    """Send to every recipient the ledger does not show as done; record every outcome.

    ``progress(outcome, done, to_do)`` hears of each recipient sent to.  With a
    ``store``, suppressed recipients are skipped (checked now and before each
    message) and bounces are recorded in it.
    """
    report = Report(composed.name, composed.content_hash, dry_run=False)
    known = ledger.entries()
    report.sent_elsewhere = ledger.sent_elsewhere()
    suppressed = store.keys() if store else set()
    soft = store.soft_bounced() if store else set()
    todo: list[Recipient] = []
    for recipient in recipients:
        if recipient.key in suppressed:
            report.outcomes.append(_outcome(recipient, "suppressed", "on the suppression list"))
            continue
        status, detail = _plan(known.get(recipient.key), resend_unknown)
        if status is None:
            todo.append(recipient)
        else:
            report.outcomes.append(_outcome(recipient, status, detail))
    if todo:
        sender.open()  # a wrong host, password or TLS setting stops the run here
    language = _languages(composed)
    deferred = 0
    with contextlib.closing(_built(composed, todo, finish, max_bytes)) as built:
        for position, (recipient, data) in enumerate(built):
            try:
                if store is not None and store.is_suppressed(recipient.email):
                    report.outcomes.append(_outcome(recipient, "suppressed",
                                                    "suppressed during this run"))
                    continue
                outcome = _deliver(recipient, data, ledger, sender,
                                   _envelope(envelope_from, recipient))
                if outcome.status == "sent":
                    outcome = dataclasses.replace(outcome, lang=language(recipient))
            except (SmtpUnavailable, SmtpConfigError) as exc:
                _stop(report, str(exc), todo[position:])
                break
            except (LedgerError, sqlite3.Error) as exc:
                _stop(report, f"the ledger cannot be written ({exc}); the message to "
                      f"{recipient.email} may or may not have gone out", todo[position:])
                break
            except StoreError as exc:
                _stop(report, f"{exc}: cannot check or record suppressions", todo[position:])
                break
            report.outcomes.append(outcome)
            if progress is not None:
                progress(outcome, position + 1, len(todo))
            if store is not None:
                try:
                    _note_bounce(store, outcome, soft, soft_bounce_limit, composed.name)
                except StoreError as exc:
                    _stop(report, f"{exc}: cannot check or record suppressions",
                          todo[position + 1:])
                    break
            # A server that keeps deferring is throttling or unwell: retrying each of
            # thousands of recipients would take hours, so stop and let a later run go on.
            deferred = deferred + 1 if outcome.temporary else 0
            if deferred >= MAX_DEFERRED_IN_A_ROW and position + 1 < len(todo):
                _stop(report, f"the server deferred {deferred} recipients in a row (last: "
                      f"{outcome.detail})", todo[position + 1:])
                break
    return report


def _languages(composed: Composed) -> Callable[[Recipient], str]:
    """How to tell the language of a recipient's message: their version's, else the newsletter's.

    Decided once per run: a Protocol check costs more than the lookup it guards.
    """
    if isinstance(composed, Multilingual):
        return composed.language_for
    lang = str(getattr(composed, "lang", "") or "")
    return lambda recipient: lang


def _envelope(envelope_from: Envelope, recipient: Recipient) -> str:
    return envelope_from if isinstance(envelope_from, str) else envelope_from(recipient)


def _note_bounce(store: SuppressionStore, outcome: Outcome, soft: set[str], limit: int,
                 newsletter: str) -> None:
    """Hard bounces suppress at once; soft ones count towards ``limit`` in a row."""
    key = Recipient(outcome.email).key
    if outcome.status == "sent":
        if key in soft:
            store.delivered(key)
            soft.discard(key)
    elif outcome.status == "failed" and outcome.code is not None:
        if 500 <= outcome.code < 600 and outcome.stage == "recipient":
            store.add(key, "hard-bounce", f"{newsletter}: {outcome.detail}")
        elif 400 <= outcome.code < 500 and outcome.stage in ("recipient", "message"):
            # A 4xx to MAIL or DATA says something about the sender or the server, not them.
            store.soft_bounce(key, f"{newsletter}: {outcome.detail}", limit)
            soft.add(key)


def _stop(report: Report, reason: str, rest: list[Recipient]) -> None:
    report.stopped = f"{reason}; {len(rest)} recipients not attempted: run again later"
    report.outcomes.extend(_outcome(r, "pending", "not attempted") for r in rest)


def _built(composed: Composed, recipients: list[Recipient], finish: Finish | None = None,
           max_bytes: int | None = None) -> Generator[tuple[Recipient, bytes | str]]:
    """Each recipient with its message bytes, or why the message could not be built.

    A thread composes a few messages ahead, so composing overlaps the waits
    for the server and the disk (both release the GIL).  A message over
    ``max_bytes`` is not built, whatever made it so large.
    """
    ready: queue.Queue[tuple[Recipient, bytes | str | BaseException]] = queue.Queue(_AHEAD)
    stop = threading.Event()

    def compose_all() -> None:
        for recipient in recipients:
            item: bytes | str | BaseException
            try:
                item = message_bytes(composed.message_for(recipient))
                if max_bytes is not None and len(item) > max_bytes:
                    item = (f"the message is {len(item):,} bytes, over the limit of "
                            f"{max_bytes:,} (email.max_message_bytes)")
                elif finish is not None:
                    item = finish(item)
            except (ValueError, TypeError, KeyError) as exc:
                item = f"cannot build the message: {exc}"
            except BaseException as exc:  # a bug: raised again in the caller's thread
                item = exc
            while not stop.is_set():
                try:
                    ready.put((recipient, item), timeout=0.1)
                    break
                except queue.Full:
                    continue
            if stop.is_set() or isinstance(item, BaseException):
                return

    worker = threading.Thread(target=compose_all, name="pubkit-compose", daemon=True)
    worker.start()
    try:
        for _ in recipients:
            recipient, item = ready.get()
            if isinstance(item, BaseException):
                raise item
            yield recipient, item
    finally:
        stop.set()
        worker.join()


def _deliver(recipient: Recipient, data: bytes | str, ledger: Ledger, sender: SmtpSender,
             envelope_from: str) -> Outcome:
    address = recipient.email
    if isinstance(data, str):
        ledger.record(address, "failed", None, data)
        return _outcome(recipient, "failed", data)

    def retrying(attempt: Attempt) -> None:
        ledger.record(address, "failed", attempt.code, f"{attempt.detail}; retrying",
                      new_attempt=not attempt.data_sent)

    attempt = sender.deliver(envelope_from, address, data,
                             before_data=lambda: ledger.sending(address), on_retry=retrying)
    status = "failed" if attempt.status == "retry" else attempt.status
    ledger.record(address, status, attempt.code, attempt.detail, new_attempt=not attempt.data_sent)
    return Outcome(recipient.email, recipient.line, status, attempt.detail, attempt.code,
                   attempt.temporary, attempt.stage)


def _plan(entry: Entry | None, resend_unknown: bool) -> tuple[OutcomeStatus | None, str]:
    """``(None, "")`` to send, else how the recipient is reported without sending."""
    if entry is None or entry.status == "failed":
        return None, ""
    if entry.status == "sent":
        return "skipped", "already sent"
    if resend_unknown:
        return None, ""
    return "unknown", f"{entry.detail} (not resent without --resend-unknown)"


def _outcome(recipient: Recipient, status: OutcomeStatus, detail: str = "",
             code: int | None = None) -> Outcome:
    return Outcome(recipient.email, recipient.line, status, detail, code)
