"""Mail that comes back: DSN bounces (mbox and Maildir), VERP, and mailto unsubscribe requests."""

from __future__ import annotations

import email.utils
import json
import mailbox
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.newsletter import compose_newsletter
from pubkit.send.recipients import Recipient
from pubkit.send.suppressions import SuppressionStore
from pubkit.send.tokens import unsubscribe_token, verp_token
from pubkit.site import Site, open_site
from tests.send.compliant import SECRET, SENDER, configure, write_csv
from tests.send.smtp_server import ScriptedHandler

runner = CliRunner()
VERP = "bounces+{token}@painclinic.test.pubkit.dev"


@pytest.fixture
def site(sample_site: Site) -> Site:
    configure(sample_site.root, extra=f'envelope_from = "{VERP}"\n')
    return open_site(sample_site.root)


def cli(site: Site, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--site", str(site.root)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def suppressed(site: Site) -> dict[str, str]:
    with SuppressionStore.read_only(site.root / ".pubkit" / "suppressions.sqlite") as store:
        return {s.address: s.reason for s in store.all()} if store else {}


def dsn(recipient: str, action: str, status: str, diagnostic: str, to: str = SENDER,
        reporting: str = "mx.example.org") -> MIMEMultipart:
    """A delivery status notification as RFC 3464 lays it out (as Postfix writes them)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{reporting}>"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = email.utils.formatdate()
    report["Message-ID"] = email.utils.make_msgid(domain=reporting)
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(f"This is the mail system at host {reporting}.\n\nI'm sorry to have "
                           f"to inform you that your message could not be delivered.\n\n"
                           f"<{recipient}>: {diagnostic}\n"))
    status_part = MIMEBase("message", "delivery-status")
    per_message = EmailMessage()
    per_message["Reporting-MTA"] = f"dns; {reporting}"
    per_message["Arrival-Date"] = email.utils.formatdate()
    per_recipient = EmailMessage()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Remote-MTA"] = f"dns; {reporting}"
    per_recipient["Diagnostic-Code"] = f"smtp; {diagnostic}"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    original = EmailMessage()
    original["From"] = SENDER
    original["To"] = recipient
    original["Subject"] = "Clinic news"
    report.attach(MIMEMessage(original, "rfc822-headers"))
    return report


def bounce_set(verp_for: dict[str, str]) -> list[MIMEMultipart]:
    return [
        dsn("gone@example.org", "failed", "5.1.1", "550 5.1.1 <gone@example.org>: user unknown"),
        dsn("Full@Example.ORG", "delayed", "4.2.2", "452 4.2.2 mailbox full"),
        dsn("Closed@XN--BCHER-KVA.Example", "failed", "5.2.1", "550 5.2.1 account disabled"),
        # Forwarded: the report names the forwarding target; the VERP address names our reader.
        dsn("reader.elsewhere@forward.example", "failed", "5.1.1", "550 5.1.1 no such user",
            to=VERP.replace("{token}", verp_for["ann@example.org"])),
    ]


def write_mbox(path: Path, messages: list) -> Path:  # type: ignore[type-arg]
    box = mailbox.mbox(path)
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


def write_maildir(path: Path, messages: list) -> Path:  # type: ignore[type-arg]
    box = mailbox.Maildir(path)
    for msg in messages:
        box.add(msg)
    box.close()
    return path


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_permanent_failures_in_a_mailbox_of_dsns_are_suppressed(site: Site, tmp_path: Path,
                                                                kind: str) -> None:
    with SuppressionStore.open(site.root / ".pubkit" / "suppressions.sqlite") as store:
        store.remember_envelopes([(verp_token(SECRET, "ann@example.org"), "ann@example.org")])
    messages = bounce_set({"ann@example.org": verp_token(SECRET, "ann@example.org")})
    path = (write_mbox(tmp_path / "bounces.mbox", messages) if kind == "mbox"
            else write_maildir(tmp_path / "Maildir", messages))
    code, out, err = cli(site, "bounces", "import", str(path))
    assert code == 0, err
    assert "4 messages, 3 permanent failures suppressed, 1 temporary" in out
    assert suppressed(site) == {
        "gone@example.org": "hard-bounce",
        "closed@xn--bcher-kva.example": "hard-bounce",
        "ann@example.org": "hard-bounce",  # found through the VERP address
    }
    assert cli(site, "bounces", "import", str(path))[0] == 0  # importing twice is harmless


def arf(recipient: str, with_rcpt_to: bool) -> MIMEMultipart:
    """A spam complaint from a feedback loop, as RFC 5965 lays it out."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "fbl@isp.example"
    report["To"] = "abuse@painclinic.test.pubkit.dev"
    report["Subject"] = "Abuse report"
    report.attach(MIMEText("This is an email abuse report.\n"))
    feedback = MIMEBase("message", "feedback-report")
    fields = EmailMessage()
    fields["Feedback-Type"] = "abuse"
    fields["User-Agent"] = "ISP-FBL/1.0"
    fields["Version"] = "1"
    if with_rcpt_to:
        fields["Original-Rcpt-To"] = f"<{recipient}>"
    feedback.set_payload([fields])
    report.attach(feedback)
    original = EmailMessage()
    original["From"] = SENDER
    original["To"] = f"Reader <{recipient}>"
    original["Subject"] = "Clinic news"
    original.set_content("The newsletter.\n")
    report.attach(MIMEMessage(original))
    return report


def test_spam_complaints_are_suppressed_as_complaints(site: Site, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "fbl.mbox", [arf("Ann@Example.org", True),
                                              arf("bo@example.org", False),
                                              dsn("cy@example.org", "failed", "5.1.1", "550 no")])
    code, out, err = cli(site, "bounces", "import", str(path))
    assert code == 0, err
    assert "3 messages, 1 permanent failures suppressed, 2 spam complaints" in out
    assert suppressed(site) == {"ann@example.org": "complaint", "bo@example.org": "complaint",
                                "cy@example.org": "hard-bounce"}


def test_a_mailbox_that_is_not_one_is_exit_2(site: Site, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    for path in (tmp_path / "missing", tmp_path / "folder"):
        code, _, err = cli(site, "bounces", "import", str(path))
        assert code == 2 and str(path) in err


def test_send_with_verp_gives_each_recipient_a_bounce_address(site: Site, port: int,
                                                             handler: ScriptedHandler) -> None:
    write_csv(site.root / "list.csv", [("ann@example.org", "Ann"), ("bo@example.org", "Bo")])
    code, _, err = cli(site, "send", "sample", "--to", str(site.root / "list.csv"), "--yes",
                       "--smtp-port", str(port))
    assert code == 0, err
    assert sorted(handler.mail_from) == sorted(
        VERP.replace("{token}", verp_token(SECRET, a)) for a in ("ann@example.org",
                                                                  "bo@example.org"))
    with SuppressionStore.open(site.root / ".pubkit" / "suppressions.sqlite") as store:
        assert store.envelope_owner(verp_token(SECRET, "bo@example.org")) == "bo@example.org"


def test_a_550_at_rcpt_during_a_send_suppresses(site: Site, port: int,
                                                handler: ScriptedHandler) -> None:
    handler.rcpt_replies["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    write_csv(site.root / "list.csv", [("ann@example.org", "Ann"), ("gone@example.org", "G")])
    args = ("send", "sample", "--to", str(site.root / "list.csv"), "--smtp-port", str(port))
    code, out, _ = cli(site, *args, "--yes")
    assert code == 1 and "1 sent, 1 failed" in out
    assert suppressed(site) == {"gone@example.org": "hard-bounce"}
    (site.newsletters_dir / "sample.md").write_text(
        (site.newsletters_dir / "sample.md").read_text() + "\nNext issue.\n")
    code, out, _ = cli(site, *args, "--yes", "--json")
    assert code == 0 and json.loads(out.split("\n", 1)[1] if out.startswith("1 sent") else
                                    out[out.index("{"):])["suppressed"] == 1


def reply(sender: str, subject: str, in_reply_to: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "unsubscribe@painclinic.pubkit.dev"
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate()
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content("Please take me off your list.\n")
    return msg


def test_import_mailbox_suppresses_only_answers_to_pubkit_newsletters(site: Site,
                                                                      tmp_path: Path) -> None:
    composed = compose_newsletter(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    bo_id = composed.message_id(Recipient("bo@example.org"))
    token = unsubscribe_token(SECRET, "ann@example.org", "en")
    messages = [
        # What a mail client writes from the mailto: link of List-Unsubscribe.
        reply("Ann <ann@example.org>", f"unsubscribe {token}"),
        # A reply to the newsletter itself, from the address it went to.
        reply("Bo <BO@example.org>", "Re: what ketamine can do", bo_id),
        # The same Message-ID quoted by someone else does not unsubscribe Bo, or them.
        reply("mallory@evil.example", "unsubscribe bo", bo_id),
        # A tampered token, and plain mail that merely says "unsubscribe".
        reply("cy@example.org", f"unsubscribe {token[:-3]}abc"),
        reply("dee@example.org", "unsubscribe"),
        reply("eve@example.org", "Re: hello", "<1234@elsewhere.example>"),
    ]
    path = write_mbox(tmp_path / "unsubscribe.mbox", messages)
    code, out, err = cli(site, "suppress", "import-mailbox", str(path))
    assert code == 0, err
    assert "6 messages, 2 unsubscribe requests recorded, 4 not answering" in out
    assert suppressed(site) == {"ann@example.org": "unsubscribed", "bo@example.org": "unsubscribed"}


def test_import_mailbox_reads_the_unsubscribe_subject_in_the_messages_language(
        site: Site, tmp_path: Path) -> None:
    import re
    import urllib.parse

    from pubkit.renderers.email.newsletter import compose_issue

    issue = compose_issue(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    flor = Recipient("flor@example.org", "Flor", {}, 2, "es")
    header = str(issue.message_for(flor)["List-Unsubscribe"])
    subject = urllib.parse.unquote(re.search(r"subject=([^>]+)>", header).group(1))  # type: ignore[union-attr]
    assert subject.startswith("baja ")  # what her mail program writes, in Spanish
    path = write_mbox(tmp_path / "unsubscribe.mbox", [
        reply("Flor <flor@example.org>", subject),
        reply("gil@example.org", "baja " + subject.split()[1][:-3] + "abc"),  # tampered
    ])
    code, out, err = cli(site, "suppress", "import-mailbox", str(path))
    assert code == 0, err
    assert "2 messages, 1 unsubscribe requests recorded" in out
    assert suppressed(site) == {"flor@example.org": "unsubscribed"}
