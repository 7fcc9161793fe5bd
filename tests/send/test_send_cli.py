"""``pubkit send`` end to end: the sample newsletter, a CSV list, a real aiosmtpd server."""

from __future__ import annotations

import asyncio
import csv
import email
import json
import os
import signal
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.send.ledger import Ledger
from pubkit.site import Site
from tests.send.smtp_server import PasswordCheck, ScriptedHandler, smtp_server

runner = CliRunner()
PASSWORD = "c0rrect-h0rse-Battery"
SMTP_TEST_SETTINGS = """
[email]
from_address = "news@painclinic.test.pubkit.dev"
token_secret = "0123456789abcdef0123456789abcdef-test"
unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={token}"
unsubscribe_mailto = "unsubscribe@painclinic.pubkit.dev"
postal_address = "123 Main St, Austin, TX 78701"

[smtp]
host = "mail.invalid"
security = "none"
retries = 2
retry_delay = 0.01
timeout = 10.0
"""
SENDER = "news@painclinic.test.pubkit.dev"


@pytest.fixture
def site(sample_site: Site) -> Site:
    with (sample_site.root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(SMTP_TEST_SETTINGS)
    return sample_site


def write_list(site: Site, count: int, extra: list[list[str]] | None = None,
               start: int = 0) -> Path:
    path = site.root / "list.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Email", "Name", "first_name"])
        out.writerows([address(i), f"Person {i}", f"P{i}"] for i in range(start, start + count))
        out.writerows(extra or [])
    return path


def address(i: int) -> str:
    return f"p{i:04d}@example.org"


def send(site: Site, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["send", "newsletters/sample.md", "--to", str(site.root /
                                 "list.csv"), "--site", str(site.root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _in_site(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site.root)


def ledger_entries(site: Site) -> dict:
    report = json.loads(next((site.output_dir / "send").glob("*/report.json")).read_text())
    return Ledger.peek(site.root / ".pubkit" / "send-ledger.sqlite", report["newsletter"],
                       report["content_hash"])


def test_dry_run_writes_one_message_per_recipient_and_sends_nothing(
        site: Site, port: int, handler: ScriptedHandler) -> None:
    write_list(site, 6, [["", "Blank", ""], ["P0001@EXAMPLE.org", "Dup", ""]])
    code, out, err = send(site, "--smtp-port", str(port))
    assert code == 0, err
    folder = site.output_dir / "send" / "sample"
    files = sorted(folder.glob("*.eml"))
    assert [f.name for f in files] == [f"{i + 1:05d}-{address(i)}.eml" for i in range(6)]
    msg = email.message_from_bytes(files[2].read_bytes(), policy=policy.default)
    assert msg["To"] == f"Person 2 <{address(2)}>"
    assert msg["Subject"].startswith("P2, ")
    assert handler.received == []
    assert not (site.root / ".pubkit").exists()  # a dry run leaves no ledger
    report = json.loads((folder / "dry-run.json").read_text())
    assert (report["dry_run"], report["would_send"], report["invalid"]) == (True, 6, 2)
    assert [r["line"] for r in report["invalid_rows"]] == [8, 9]
    assert "list.csv:8: warning: blank email address; skipped" in err
    assert "duplicate address P0001@EXAMPLE.org (first on line 3)" in err
    assert "wrote 6 messages" in out and "sent nothing" in out


def test_yes_sends_then_a_rerun_sends_nobody_twice(site: Site, port: int,
                                                   handler: ScriptedHandler) -> None:
    write_list(site, 8)
    code, out, err = send(site, "--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
                          "--json")
    assert code == 0, err
    report = json.loads(out)  # --json: stdout is the report alone
    assert (report["sent"], report["failed"], report["skipped"], report["unknown"]) == (8, 0, 0, 0)
    assert report == json.loads((site.output_dir / "send/sample/report.json").read_text())
    msg = email.message_from_bytes(handler.message_to(address(3)), policy=policy.default)
    assert msg["To"] == f"Person 3 <{address(3)}>"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert handler.mail_from[0] == SENDER

    code, out, err = send(site, "--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert code == 0
    assert "0 sent, 0 failed, 8 skipped, 0 unknown" in out
    assert set(handler.counts().values()) == {1} and len(handler.counts()) == 8
    assert {e.status for e in ledger_entries(site).values()} == {"sent"}


def test_an_edited_newsletter_is_new_and_says_so(site: Site, port: int,
                                                 handler: ScriptedHandler) -> None:
    write_list(site, 3)
    args = ("--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert send(site, *args)[0] == 0
    issue = site.newsletters_dir / "sample.md"
    issue.write_text(issue.read_text(encoding="utf-8") + "\nA late correction.\n",
                     encoding="utf-8")
    code, out, err = send(site)
    assert code == 0 and "--yes would send 3" in out
    assert "3 recipients already received another version of 'sample'" in err
    assert send(site, *args)[0] == 0
    assert set(handler.counts().values()) == {2}


def test_retries_failures_and_exit_code(site: Site, port: int, handler: ScriptedHandler) -> None:
    write_list(site, 5)
    handler.data_replies[address(1)] = ["451 4.3.0 busy"]
    handler.rcpt_replies[address(3)] = "550 5.1.1 no such user"
    code, out, err = send(site, "--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert code == 1
    assert "4 sent, 1 failed, 0 skipped, 0 unknown" in out
    assert f"failed: {address(3)} (line 5): recipient refused: 550 5.1.1 no such user" in err
    entries = ledger_entries(site)
    assert (entries[address(1)].status, entries[address(1)].attempts) == ("sent", 2)
    assert (entries[address(3)].status, entries[address(3)].code) == ("failed", 550)


def test_unknown_only_with_resend_unknown(site: Site, port: int, handler: ScriptedHandler) -> None:
    write_list(site, 4)
    handler.drop_after_data.add(address(2))
    args = ("--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    code, out, err = send(site, *args)
    # Not every message was confirmed: exit 3, so a cron job knows to look.
    assert code == 3 and "3 sent, 0 failed, 0 skipped, 1 unknown" in out
    assert f"unknown: {address(2)} (line 4): connection lost after the message data" in err
    handler.drop_after_data.clear()
    code, out, _ = send(site, *args)
    assert code == 3 and "0 sent, 0 failed, 3 skipped, 1 unknown" in out
    assert handler.counts()[address(2)] == 1
    code, out, _ = send(site, *args, "--resend-unknown")
    assert code == 0 and "1 sent, 0 failed, 3 skipped, 0 unknown" in out
    assert handler.counts()[address(2)] == 2


@pytest.mark.parametrize(("csv_text", "message"), [
    ("name,mail\nAna,ana@example.org\n", "list.csv:1: no 'email' column (columns: name, mail)"),
    ("email\n,\n", "list.csv: no usable recipients"),
])
def test_unusable_list_exits_2(site: Site, csv_text: str, message: str) -> None:
    (site.root / "list.csv").write_text(csv_text, encoding="utf-8")
    code, _, err = send(site)
    assert code == 2 and message in err


def test_missing_newsletter_or_list_exits_2(site: Site) -> None:
    write_list(site, 1)
    result = runner.invoke(app, ["send", "nope", "--to", "list.csv", "--site", str(site.root)])
    assert result.exit_code == 2 and "nope: no such newsletter file" in result.stderr
    result = runner.invoke(app, ["send", "sample", "--to", "none.csv", "--site", str(site.root)])
    assert result.exit_code == 2 and "none.csv: cannot read" in result.stderr


def test_newsletter_by_name_or_site_relative_path(site: Site, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    listed = write_list(site, 1)
    monkeypatch.chdir(tmp_path)  # somewhere else than the site
    for given in ("sample", "newsletters/sample.md"):
        result = runner.invoke(app, ["send", given, "--to", str(listed), "--site",
                                     str(site.root)])
        assert result.exit_code == 0, result.stderr
        assert "wrote 1 message to" in result.stdout


def test_a_second_run_on_the_same_ledger_is_refused(site: Site, port: int) -> None:
    write_list(site, 1)
    from pubkit.renderers.base import RenderContext
    from pubkit.renderers.email.newsletter import compose_newsletter

    composed = compose_newsletter(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    with Ledger.open(site.root / ".pubkit/send-ledger.sqlite", composed.name,
                     composed.content_hash):
        code, _, err = send(site, "--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert code == 2 and "another `pubkit send` is using this ledger" in err


def test_unusable_ledger_sends_nothing(site: Site, port: int, handler: ScriptedHandler) -> None:
    write_list(site, 2)
    ledger = site.root / ".pubkit" / "send-ledger.sqlite"
    ledger.parent.mkdir()
    ledger.write_bytes(b"this is not a database" * 100)
    code, _, err = send(site, "--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert code == 2 and "cannot use the ledger: file is not a database; nothing was sent" in err
    assert handler.received == []
    code, out, err = send(site)  # the dry run still works, and says what it could not read
    assert code == 0 and "wrote 2 messages" in out
    assert "cannot read the ledger" in err


def run_cli(site: Site, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pubkit", "send", "newsletters/sample.md", "--to", "list.csv",
         "--site", str(site.root), *args],
        cwd=site.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_password_comes_from_the_environment_and_is_never_shown(site: Site) -> None:
    with (site.root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('user = "mailer"\n')
    handler, check = ScriptedHandler(), PasswordCheck("mailer", PASSWORD)
    with smtp_server(handler, authenticator=check, auth_required=True,
                     auth_require_tls=False) as ctl:
        args = ("--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(ctl.port))
        outputs = []
        for password, want in ((PASSWORD, 0), ("wrong-" + PASSWORD, 2), ("", 2)):
            write_list(site, 3, start=len(outputs) * 3)  # new people: each run has work
            proc = run_cli(site, *args, env={"PUBKIT_SMTP_PASSWORD": password})
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == want, err
            outputs.append(out + err)
    assert check.tries == [("mailer", PASSWORD), ("mailer", "wrong-" + PASSWORD)]
    assert len(handler.received) == 3
    assert "refused the login of mailer: 535" in outputs[1]
    assert "PUBKIT_SMTP_PASSWORD" in outputs[2]
    written = [p.read_bytes() for p in site.root.rglob("*") if p.is_file()]
    for text in [*outputs, *(b.decode("utf-8", "replace") for b in written)]:
        assert PASSWORD not in text


def kill_and_rerun(site: Site, total: int, kill_at: int, late: bool) -> tuple[dict, dict]:
    """Run ``pubkit send --yes``, SIGKILL it at the ``kill_at``-th message, run it again.

    ``late=False`` kills while the server holds the message and has not replied;
    ``late=True`` kills just after the handler returns, wherever the client is then.
    """
    write_list(site, total)
    handler = ScriptedHandler()
    proc: subprocess.Popen[str] | None = None

    def kill_on(rcpt: str, received: int) -> None:
        if received == kill_at and proc is not None:
            if late:
                asyncio.get_running_loop().call_soon(os.kill, proc.pid, signal.SIGKILL)
            else:
                os.kill(proc.pid, signal.SIGKILL)

    handler.on_message = kill_on
    with smtp_server(handler) as ctl:
        args = ("--yes", "--smtp-host", "127.0.0.1", "--smtp-port", str(ctl.port))
        proc = run_cli(site, *args)
        proc.communicate(timeout=300)
        assert proc.returncode == -signal.SIGKILL
        handler.on_message = None
        rerun = run_cli(site, *args, "--json")
        out, err = rerun.communicate(timeout=300)
    report = json.loads(out)
    assert rerun.returncode == (3 if report["unknown"] else 0), err
    return report, handler.counts()


def test_killed_mid_send_the_rerun_sends_each_remaining_recipient_once(site: Site) -> None:
    total, kill_at = 1000, 500
    report, counts = kill_and_rerun(site, total, kill_at, late=False)
    # The message in flight when the run died is "unknown", so it is not sent again.
    assert (report["sent"], report["skipped"], report["unknown"]) == (total - kill_at,
                                                                      kill_at - 1, 1)
    assert len(counts) == total and set(counts.values()) == {1}
    (in_flight,) = report["problems"]
    assert in_flight["email"] == address(kill_at - 1) and in_flight["status"] == "unknown"


def test_killed_at_any_moment_nobody_gets_two(site: Site) -> None:
    total = 300
    report, counts = kill_and_rerun(site, total, 150, late=True)
    assert set(counts.values()) == {1}  # nobody twice
    missing = total - len(counts)
    # Only a message caught between the ledger's mark and the server can be missing,
    # and the report names it as unknown.
    assert missing <= report["unknown"] <= 1
    assert report["sent"] + report["skipped"] + report["unknown"] == total
