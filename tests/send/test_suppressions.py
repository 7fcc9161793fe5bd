"""The suppression list: its store, `pubkit suppress …`, and sends that honour it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.send import campaign
from pubkit.send.ledger import Ledger
from pubkit.send.smtp import SmtpConfig, SmtpSender
from pubkit.send.suppressions import StoreError, SuppressionStore
from pubkit.site import Site, open_site
from tests.send.compliant import configure, write_csv
from tests.send.letters import SENDER, Letter, recipients
from tests.send.smtp_server import ScriptedHandler

runner = CliRunner()


@pytest.fixture
def site(sample_site: Site) -> Site:
    configure(sample_site.root)
    return open_site(sample_site.root)


def cli(site: Site, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--site", str(site.root)], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def listed(site: Site) -> dict[str, dict[str, str]]:
    code, out, _ = cli(site, "suppress", "list", "--json")
    assert code == 0
    return {row["address"]: row for row in json.loads(out)}


def test_store_keeps_the_first_record_and_compares_normalised(tmp_path: Path) -> None:
    with SuppressionStore.open(tmp_path / "s.sqlite") as store:
        assert store.add("Ana@BÜCHER.example", "unsubscribed", "endpoint")
        assert not store.add("ana@xn--bcher-kva.example", "manual", "again")
        assert store.is_suppressed("ANA@bücher.EXAMPLE")
        entry = store.get("ana@bücher.example")
        assert entry is not None and (entry.address, entry.reason, entry.source) == (
            "ana@xn--bcher-kva.example", "unsubscribed", "endpoint")
        with pytest.raises(ValueError, match="unknown reason"):
            store.add("x@example.org", "bored", "")  # type: ignore[arg-type]
        assert store.add("x@example.org", "complaint", "\x1b[31mred\nline" + "y" * 1000)
        source = store.get("x@example.org").source  # type: ignore[union-attr]
        assert "\x1b" not in source and "\n" not in source and len(source) <= 300


@pytest.mark.parametrize("kind", ["folder", "fifo", "garbage"])
def test_a_store_that_cannot_be_used_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "s.sqlite"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(b"not a database " * 100)
    with pytest.raises(StoreError, match=r"s\.sqlite"), SuppressionStore.open(path):
        pass
    with pytest.raises(StoreError, match=r"s\.sqlite"), SuppressionStore.read_only(path):
        pass


def test_add_list_remove(site: Site) -> None:
    assert cli(site, "suppress", "add", "Ana@Example.org")[0] == 0
    assert cli(site, "suppress", "add", "bo@example.org", "--reason", "complaint")[0] == 0
    code, out, _ = cli(site, "suppress", "add", "ana@example.org")
    assert code == 0 and "already suppressed" in out
    rows = listed(site)
    assert {a: r["reason"] for a, r in rows.items()} == {"ana@example.org": "manual",
                                                         "bo@example.org": "complaint"}
    assert rows["bo@example.org"]["source"] == "pubkit suppress add"
    code, out, err = cli(site, "suppress", "list")
    assert "ana@example.org\tmanual\t" in out and "2 suppressed" in err

    code, _, err = cli(site, "suppress", "remove", "ana@example.org", input="n\n")
    assert code == 1 and "nothing changed" in err and "ana@example.org" in listed(site)
    code, out, _ = cli(site, "suppress", "remove", "ana@example.org", input="y\n")
    assert code == 0 and "ana@example.org" not in listed(site)
    assert cli(site, "suppress", "remove", "bo@example.org", "--yes")[0] == 0
    assert listed(site) == {}
    code, _, err = cli(site, "suppress", "remove", "nobody@example.org", "--yes")
    assert code == 2 and "not on the suppression list" in err


@pytest.mark.parametrize(("args", "words"), [
    (["add", "not-an-address"], "invalid email address"),
    (["add", "a@example.org", "--reason", "bored"], "use one of unsubscribed"),
    (["add", "a\nb@example.org"], "line break"),
    (["import", "missing.csv"], "cannot read"),
])
def test_bad_arguments_exit_2(site: Site, args: list[str], words: str) -> None:
    code, _, err = cli(site, "suppress", *args)
    assert code == 2 and words in err


def test_import_an_email_service_export(site: Site) -> None:
    export = site.root / "export.csv"
    export.write_text(
        "Email Address,Reason,Date\n"
        "ana@example.org,unsubscribed,2024-01-01\n"
        "bo@example.org,Bounce,2024-01-02\n"
        "cy@example.org,spam,\n"
        "dee@example.org,,\n"
        "not an address,unsubscribed,\n"
        "ANA@EXAMPLE.ORG,unsubscribed,\n", encoding="utf-8")
    code, out, err = cli(site, "suppress", "import", str(export))
    assert code == 0, err
    assert "4 new, 0 already suppressed, 2 rows skipped" in out
    assert "export.csv:6: warning: invalid email address" in err
    assert {a: r["reason"] for a, r in listed(site).items()} == {
        "ana@example.org": "unsubscribed", "bo@example.org": "hard-bounce",
        "cy@example.org": "complaint", "dee@example.org": "manual"}
    assert listed(site)["bo@example.org"]["source"] == "import export.csv:3"
    code, out, _ = cli(site, "suppress", "import", str(export))
    assert "0 new, 4 already suppressed" in out


def test_send_skips_suppressed_addresses_normalised_like_duplicates(
        site: Site, port: int, handler: ScriptedHandler) -> None:
    cli(site, "suppress", "add", "Ana@BÜCHER.example", "--reason", "unsubscribed")
    cli(site, "suppress", "add", "bo@example.org")
    write_csv(site.root / "list.csv", [("ana@xn--bcher-kva.example", "Ana"),
                                       ("BO@example.ORG", "Bo"), ("cy@example.org", "Cy")])
    args = ["send", "sample", "--to", str(site.root / "list.csv"), "--smtp-port", str(port)]
    code, out, _ = cli(site, *args)
    assert code == 0 and "--yes would send 1, skip 0 already sent and 2 suppressed" in out
    folder = site.output_dir / "send" / "sample"
    assert [p.name for p in folder.glob("*.eml")] == ["00003-cy@example.org.eml"]
    code, out, _ = cli(site, *args, "--yes")
    assert code == 0 and "1 sent, 0 failed, 0 skipped, 0 unknown, 2 suppressed" in out
    assert list(handler.counts()) == ["cy@example.org"]
    report = json.loads((folder / "report.json").read_text())
    assert report["suppressed"] == 2


def test_dry_run_survives_an_unreadable_store_and_yes_stops(site: Site, port: int,
                                                            handler: ScriptedHandler) -> None:
    store = site.root / ".pubkit" / "suppressions.sqlite"
    store.parent.mkdir()
    store.write_bytes(b"garbage " * 512)
    write_csv(site.root / "list.csv", [("ana@example.org", "Ana")])
    args = ["send", "sample", "--to", str(site.root / "list.csv"), "--smtp-port", str(port)]
    code, out, err = cli(site, *args)
    assert code == 0 and "wrote 1 message" in out and "cannot read the suppression list" in err
    code, _, err = cli(site, *args, "--yes")
    assert code == 2 and "suppressions.sqlite" in err and "nothing was sent" in err
    assert handler.received == []


def test_rcpt_550_is_a_hard_bounce_and_soft_bounces_count_in_a_row(
        tmp_path: Path, port: int, handler: ScriptedHandler) -> None:
    people = recipients(4)
    hard, soft, flaky = people[0].email, people[1].email, people[2].email
    handler.rcpt_replies[hard] = "550 5.1.1 no such user"
    handler.rcpt_replies[soft] = "452 4.2.2 mailbox full"
    config = SmtpConfig("127.0.0.1", port, "none", timeout=5, retries=0, retry_delay=0)
    store_path = tmp_path / "s.sqlite"

    def run(version: str) -> campaign.Report:
        with Ledger.open(tmp_path / "l.sqlite", "spring", version) as ledger, \
                SuppressionStore.open(store_path) as store, SmtpSender(config) as sender:
            return campaign.send(Letter(content_hash=version), people, ledger, sender, SENDER,
                                 store=store, soft_bounce_limit=3)

    first = run("v1")
    assert first.count("failed") == 2
    with SuppressionStore.open(store_path) as store:
        assert store.get(hard).reason == "hard-bounce"  # type: ignore[union-attr]
        assert "550 5.1.1" in store.get(hard).source  # type: ignore[union-attr]
        assert not store.is_suppressed(soft)
    handler.rcpt_replies[flaky] = "451 4.3.0 try later"
    second = run("v2")
    assert second.count("suppressed") == 1  # the hard bounce is never tried again
    del handler.rcpt_replies[flaky]  # the flaky address gets through: its count starts over
    third = run("v3")
    assert third.count("failed") == 1
    with SuppressionStore.open(store_path) as store:
        assert store.get(soft).reason == "soft-bounce"  # type: ignore[union-attr]
        assert "3 soft bounces in a row" in store.get(soft).source  # type: ignore[union-attr]
        assert not store.is_suppressed(flaky)
    handler.rcpt_replies[flaky] = "451 4.3.0 try later"
    fourth = run("v4")
    assert fourth.count("suppressed") == 2 and fourth.count("sent") == 1
    with SuppressionStore.open(store_path) as store:
        assert not store.is_suppressed(flaky)  # 1 soft bounce since its last delivery


def test_a_store_write_failing_mid_send_stops_the_send(tmp_path: Path, port: int,
                                                       handler: ScriptedHandler) -> None:
    people = recipients(5)
    handler.rcpt_replies[people[1].email] = "550 5.1.1 no such user"
    config = SmtpConfig("127.0.0.1", port, "none", timeout=5, retries=0, retry_delay=0)
    with Ledger.open(tmp_path / "l.sqlite", "spring", "v1") as ledger, \
            SuppressionStore.open(tmp_path / "s.sqlite") as store, SmtpSender(config) as sender:
        other = sqlite3.connect(tmp_path / "s.sqlite", isolation_level=None, timeout=0)
        other.execute("PRAGMA busy_timeout = 0")
        store._db.execute("PRAGMA busy_timeout = 0")  # the test holds the write lock
        other.execute("BEGIN IMMEDIATE")
        report = campaign.send(Letter(), people, ledger, sender, SENDER, store=store)
        other.execute("ROLLBACK")
    assert report.stopped and "cannot check or record suppressions" in report.stopped
    assert [o.status for o in report.outcomes] == ["sent", "failed", "pending", "pending",
                                                   "pending"]
    assert not report.confirmed()
