"""A whole list through the ledger and a real SMTP server: resume, unknowns, dry runs."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from pubkit.send import campaign
from pubkit.send.ledger import Ledger
from pubkit.send.smtp import SmtpConfig, SmtpSender
from tests.send.letters import SENDER, Letter, recipients
from tests.send.smtp_server import ScriptedHandler, smtp_server


def run(db: Path, port: int, letter: Letter, people: list, resend_unknown: bool = False,
        ) -> campaign.Report:
    config = SmtpConfig("127.0.0.1", port, "none", timeout=5, retries=1, retry_delay=0)
    with Ledger.open(db, letter.name, letter.content_hash) as ledger, SmtpSender(config) as s:
        return campaign.send(letter, people, ledger, s, SENDER, resend_unknown)


def test_each_recipient_gets_a_personal_message(tmp_path: Path, port: int,
                                                handler: ScriptedHandler) -> None:
    people = recipients(5)
    report = run(tmp_path / "l.sqlite", port, Letter(), people)
    assert report.counts() == {"sent": 5, "failed": 0, "skipped": 0, "unknown": 0,
                               "pending": 0, "suppressed": 0, "invalid": 0}
    for person in people:
        msg = email.message_from_bytes(handler.message_to(person.email), policy=policy.default)
        assert msg["To"] == f"{person.name} <{person.email}>"
        assert msg["Subject"] == f"News for {person.name}"


def test_rerun_after_a_partial_run_sends_only_the_rest(tmp_path: Path, port: int,
                                                       handler: ScriptedHandler) -> None:
    people = recipients(30)
    db = tmp_path / "l.sqlite"
    run(db, port, Letter(), people[:12])  # as if the first run stopped after 12
    second = run(db, port, Letter(), people)
    assert (second.count("skipped"), second.count("sent")) == (12, 18)
    third = run(db, port, Letter(), people)
    assert (third.count("skipped"), third.count("sent")) == (30, 0)
    assert set(handler.counts().values()) == {1} and len(handler.counts()) == 30


def test_new_content_is_a_new_newsletter_version(tmp_path: Path, port: int,
                                                 handler: ScriptedHandler) -> None:
    people = recipients(3)
    db = tmp_path / "l.sqlite"
    run(db, port, Letter(content_hash="v1"), people)
    assert run(db, port, Letter(content_hash="v2"), people).count("sent") == 3
    assert set(handler.counts().values()) == {2}


def test_unknown_is_not_resent_unless_asked(tmp_path: Path, port: int,
                                            handler: ScriptedHandler) -> None:
    people = recipients(4)
    lost = people[1].email
    handler.drop_after_data.add(lost)
    db = tmp_path / "l.sqlite"
    first = run(db, port, Letter(), people)
    assert (first.count("sent"), first.count("unknown")) == (3, 1)
    (outcome,) = [o for o in first.outcomes if o.status == "unknown"]
    assert outcome.email == lost and "connection lost after the message data" in outcome.detail

    handler.drop_after_data.clear()
    letter = Letter()
    second = run(db, port, letter, people)
    assert second.count("unknown") == 1 and second.count("skipped") == 3
    assert "--resend-unknown" in second.outcomes[1].detail
    assert letter.built == []  # nothing was even composed
    assert handler.counts()[lost] == 1

    third = run(db, port, Letter(), people, resend_unknown=True)
    assert third.count("sent") == 1 and handler.counts()[lost] == 2
    entry = Ledger.peek(db, "spring", "0123abcd")[lost]
    assert (entry.status, entry.attempts) == ("sent", 2)


def test_failures_are_recorded_and_tried_again_next_run(tmp_path: Path, port: int,
                                                        handler: ScriptedHandler) -> None:
    people = recipients(4)
    handler.rcpt_replies[people[0].email] = "550 5.1.1 no such user"
    handler.data_replies[people[2].email] = ["451 4.3.0 busy"] * 2
    db = tmp_path / "l.sqlite"
    first = run(db, port, Letter(), people)
    assert [o.status for o in first.outcomes] == ["failed", "sent", "failed", "sent"]
    entries = Ledger.peek(db, "spring", "0123abcd")
    assert (entries[people[0].email].code, entries[people[0].email].attempts) == (550, 1)
    assert (entries[people[2].email].code, entries[people[2].email].attempts) == (451, 2)
    assert "gave up after 2 tries" in entries[people[2].email].detail

    del handler.rcpt_replies[people[0].email]
    second = run(db, port, Letter(), people)
    assert [o.status for o in second.outcomes] == ["skipped", "skipped", "sent", "sent"]
    assert set(handler.counts().values()) == {1}


def test_server_gone_mid_run_leaves_the_rest_pending(tmp_path: Path,
                                                     handler: ScriptedHandler) -> None:
    people = recipients(6)
    db = tmp_path / "l.sqlite"
    with smtp_server(handler) as controller:
        config = SmtpConfig("127.0.0.1", controller.port, "none", timeout=5, retries=1,
                            retry_delay=0)
        stop_after = people[2].email

        def stop(rcpt: str, total: int) -> None:
            if rcpt == stop_after:
                handler.drop_after_data.add(rcpt)
                controller.loop.call_soon_threadsafe(controller.server.close)

        handler.on_message = stop
        with Ledger.open(db, "spring", "0123abcd") as ledger, SmtpSender(config) as sender:
            report = campaign.send(Letter(), people, ledger, sender, SENDER)
    assert [o.status for o in report.outcomes] == ["sent", "sent", "unknown"] + ["pending"] * 3
    assert report.stopped and "cannot reach 127.0.0.1" in report.stopped
    assert "3 recipients not attempted" in report.stopped
    assert set(Ledger.peek(db, "spring", "0123abcd")) == {p.email for p in people[:3]}


def test_a_server_that_keeps_deferring_stops_the_run(tmp_path: Path, port: int,
                                                     handler: ScriptedHandler) -> None:
    people = recipients(12)
    for person in people:
        handler.data_replies[person.email] = ["451 4.7.0 rate limited"] * 3
    db = tmp_path / "l.sqlite"
    report = run(db, port, Letter(), people)
    limit = campaign.MAX_DEFERRED_IN_A_ROW
    assert [o.status for o in report.outcomes] == ["failed"] * limit + ["pending"] * (12 - limit)
    assert report.stopped and f"deferred {limit} recipients in a row" in report.stopped
    assert len(Ledger.peek(db, "spring", "0123abcd")) == limit


def test_refused_sender_stops_the_run_before_anyone(tmp_path: Path, port: int,
                                                    handler: ScriptedHandler) -> None:
    handler.mail_reply = "550 5.7.1 relaying denied"
    db = tmp_path / "l.sqlite"
    report = run(db, port, Letter(), recipients(3))
    assert [o.status for o in report.outcomes] == ["pending"] * 3
    assert report.stopped and "refused the sender" in report.stopped
    assert Ledger.peek(db, "spring", "0123abcd") == {}


def test_dry_run_writes_one_message_per_recipient_and_sends_nothing(
        tmp_path: Path, port: int, handler: ScriptedHandler) -> None:
    people = recipients(7)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "00099-gone@example.org.eml").write_bytes(b"stale")
    db = tmp_path / "l.sqlite"
    run(db, port, Letter(), people[:2])
    with Ledger.read_only(db, "spring", "0123abcd") as seen:
        report = campaign.dry_run(Letter(), people, out, seen)
    files = sorted(p.name for p in out.glob("*.eml"))
    assert files == [f"{i:05d}-r{i - 1:04d}@example.org.eml" for i in range(1, 8)]
    assert (report.count("would_send"), report.count("skipped"), report.count("sent")) == (5, 2, 0)
    msg = email.message_from_bytes((out / files[3]).read_bytes(), policy=policy.default)
    assert msg["To"] == "Reader 3 <r0003@example.org>"
    assert len(handler.received) == 2  # only the earlier real run's


class Picky(Letter):
    """Cannot build the message of one recipient (as a merge field can fail)."""

    def message_for(self, recipient):  # type: ignore[no-untyped-def]
        if recipient.email == "r0001@example.org":
            raise ValueError("merge field 'first_name': unknown filter 'shout' (line 4)")
        return super().message_for(recipient)


def test_a_message_that_cannot_be_built_fails_alone(tmp_path: Path, port: int,
                                                    handler: ScriptedHandler) -> None:
    people = recipients(3)
    dry = campaign.dry_run(Picky(), people, tmp_path / "out", None)
    assert [o.status for o in dry.outcomes] == ["would_send", "failed", "would_send"]
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2
    report = run(tmp_path / "l.sqlite", port, Picky(), people)
    assert [o.status for o in report.outcomes] == ["sent", "failed", "sent"]
    assert "cannot build the message: merge field 'first_name'" in report.outcomes[1].detail
    assert "r0001@example.org" not in handler.counts()


def test_report_json_lists_problems_not_every_success(tmp_path: Path, port: int,
                                                      handler: ScriptedHandler) -> None:
    people = recipients(3)
    handler.data_replies[people[1].email] = ["554 5.7.1 spam"]
    data = run(tmp_path / "l.sqlite", port, Letter(), people).to_json()
    assert (data["sent"], data["failed"], data["recipients"]) == (2, 1, 3)
    assert data["problems"] == [{"email": people[1].email, "line": people[1].line,
                                 "status": "failed", "code": 554,
                                 "detail": "message refused: 554 5.7.1 spam"}]
