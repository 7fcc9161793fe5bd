"""Sending benchmark: pubkit's sender (ledger, one connection) against bare smtplib.

    .venv/bin/python bench/bench_send.py [--send 1000] [--dry-run 10000] [--repeat 3] [--only-dry-run]

The SMTP server is aiosmtpd on 127.0.0.1 in its own process (so client and
server do not share a GIL).  Rows:

- bare ``smtplib.sendmail`` of one prebuilt message, 1 connection: the ceiling;
- pubkit ``SmtpSender`` alone, prebuilt messages (transport cost);
- ``campaign.send``: personalise each message, ledger marks before the data and
  after the reply (SQLite, synchronous=FULL), one connection: what ``pubkit send
  --yes`` does per recipient;
- ``campaign.dry_run``: personalise and write one ``.eml`` per recipient;
- the same for a list of which half reads Spanish: the issue with its language
  version (``newsletters/sample.es.md``), each recipient's message from theirs;
- the same dry run as a whole ``pubkit send`` with 1,000 of the 10,000 on the
  suppression list, against none (the target: within 10%);
- ``campaign.send`` with the suppression list asked before every message;
- ``pubkit unsubscribe serve`` (uvicorn, its own process) answering RFC 8058
  one-click POSTs from one keep-alive httpx client, every one recorded (the
  target: at least 500 a second).

Messages come from ``compose_newsletter`` on ``newsletters/sample.md`` when
that is available, else from a stand-in multipart message of similar size.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import smtplib
import statistics
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SENDER = "news@example.com"


def serve(port_out: Any, stop: Any) -> None:
    """Run a counting aiosmtpd server until ``stop`` is set."""
    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Count.received += 1
            return "250 2.0.0 OK"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    port_out.put(port)
    stop.wait()
    controller.stop()


class StandIn:
    """A newsletter-sized multipart message, personalised per recipient."""

    name = "bench"
    content_hash = "standin"

    def __init__(self) -> None:
        self.html = "<html><body>" + "<p>Teaser paragraph of the issue.</p>" * 400 + "</body></html>"
        self.text = "Teaser paragraph of the issue.\n" * 400

    def message_for(self, recipient: Any) -> EmailMessage:
        msg = EmailMessage(policy=policy.SMTP)
        msg["From"] = f"Clinic <{SENDER}>"
        msg["To"] = recipient.email
        msg["Subject"] = f"News for {recipient.name}"
        msg.set_content(f"Hello {recipient.name}\n" + self.text)
        msg.add_alternative(self.html.replace("<body>", f"<body>Hello {recipient.name}"),
                            subtype="html")
        return msg


def composed_newsletter(site_dir: Path) -> tuple[Any, str]:
    """The sample newsletter composed by pubkit, or the stand-in when composition is missing."""
    try:
        from pubkit.renderers.email.newsletter import compose_newsletter
    except ImportError:
        return StandIn(), "stand-in multipart message (composition not available)"
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site

    for part in ("pubkit.toml", "content", "newsletters", "assets"):
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, site_dir / part)
        elif src.is_file():
            shutil.copy(src, site_dir / part)
    site = open_site(site_dir)
    composed = compose_newsletter(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    return composed, "newsletters/sample.md composed by pubkit"


def composed_issue(site_dir: Path) -> Any | None:
    """The sample issue with its language versions (None where pubkit has no versions)."""
    try:
        from pubkit.renderers.email.newsletter import compose_issue
    except ImportError:
        return None
    from pubkit.renderers.base import RenderContext
    from pubkit.site import open_site

    site = open_site(site_dir)
    issue = compose_issue(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    return issue if issue.versions else None


def people(count: int, langs: tuple[str, ...] = ("",)) -> list[Any]:
    from pubkit.send.recipients import Recipient

    def one(i: int) -> Any:
        fields = {"email": f"reader{i:05d}@example.org", "name": f"Reader {i}",
                  "first_name": f"Reader{i}"}
        lang = langs[i % len(langs)]
        if lang:  # (a Recipient without a language field predates language versions)
            return Recipient(fields["email"], fields["name"], fields, i + 2, lang)
        return Recipient(fields["email"], fields["name"], fields, i + 2)

    return [one(i) for i in range(count)]


def bare_smtplib(port: int, data: bytes, rcpts: list[str]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for rcpt in rcpts:
            conn.sendmail(SENDER, [rcpt], data)
    return time.perf_counter() - start


def pubkit_transport(port: int, data: bytes, rcpts: list[str]) -> float:
    from pubkit.send.smtp import SmtpConfig, SmtpSender

    start = time.perf_counter()
    with SmtpSender(SmtpConfig("127.0.0.1", port, "none")) as sender:
        for rcpt in rcpts:
            assert sender.deliver(SENDER, rcpt, data, lambda: None, print).status == "sent"
        assert sender.connections == 1
    return time.perf_counter() - start


def pubkit_campaign(port: int, composed: Any, recipients: list[Any], db: Path) -> float:
    from pubkit.send import campaign
    from pubkit.send.ledger import Ledger
    from pubkit.send.smtp import SmtpConfig, SmtpSender

    start = time.perf_counter()
    with Ledger.open(db, composed.name, composed.content_hash) as ledger, \
            SmtpSender(SmtpConfig("127.0.0.1", port, "none")) as sender:
        report = campaign.send(composed, recipients, ledger, sender, SENDER)
        assert sender.connections == 1
    elapsed = time.perf_counter() - start
    assert report.count("sent") == len(recipients), report.counts()
    return elapsed


def pubkit_dry_run(composed: Any, recipients: list[Any], out: Path) -> float:
    from pubkit.send import campaign

    start = time.perf_counter()
    report = campaign.dry_run(composed, recipients, out, None)
    elapsed = time.perf_counter() - start
    assert report.count("would_send") == len(recipients)
    return elapsed


def cli_send(site_dir: Path, port: int, recipients: list[Any], yes: bool = True) -> float:
    """``pubkit send`` as a user runs it: start-up, compose, CSV, then SMTP or ``.eml`` files."""
    import csv
    import subprocess

    with (site_dir / "list.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name", "first_name"])
        out.writerows([r.email, r.name, r.fields["first_name"]] for r in recipients)
    for ledger in (site_dir / ".pubkit").glob("send-ledger.sqlite*"):
        ledger.unlink()  # a fresh ledger; the suppression list stays
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pubkit", "send", "newsletters/sample.md", "--to",
                    "list.csv", "--smtp-port", str(port), *(["--yes"] if yes else [])],
                   cwd=site_dir, check=True, capture_output=True)
    return time.perf_counter() - start


def suppress(site_dir: Path, addresses: list[str]) -> None:
    from pubkit.send.suppressions import SuppressionStore

    store = site_dir / ".pubkit" / "suppressions.sqlite"
    for leftover in store.parent.glob("suppressions.sqlite*"):
        leftover.unlink()
    if addresses:
        with SuppressionStore.open(store) as opened:
            opened.add_many((a, "unsubscribed", "bench") for a in addresses)


def pubkit_campaign_store(port: int, composed: Any, recipients: list[Any], db: Path,
                          store_path: Path) -> float:
    from pubkit.send import campaign
    from pubkit.send.ledger import Ledger
    from pubkit.send.smtp import SmtpConfig, SmtpSender
    from pubkit.send.suppressions import SuppressionStore

    start = time.perf_counter()
    with Ledger.open(db, composed.name, composed.content_hash) as ledger, \
            SuppressionStore.open(store_path) as store, \
            SmtpSender(SmtpConfig("127.0.0.1", port, "none")) as sender:
        report = campaign.send(composed, recipients, ledger, sender, SENDER, store=store)
    elapsed = time.perf_counter() - start
    assert report.count("sent") == len(recipients), report.counts()
    return elapsed


SECRET = "bench-secret-0123456789abcdef0123456789"


def endpoint(site_dir: Path, count: int) -> tuple[float, int]:
    """One-click POSTs a second to `pubkit unsubscribe serve` (one client, keep-alive)."""
    import subprocess

    import httpx

    from pubkit.send.suppressions import SuppressionStore
    from pubkit.send.tokens import unsubscribe_token

    suppress(site_dir, [])
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "pubkit", "unsubscribe", "serve", "--port",
                               str(port), "--site", str(site_dir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        tokens = [unsubscribe_token(SECRET, f"leaver{i:06d}@example.org") for i in range(count)]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    client.get("/unsubscribe")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            start = time.perf_counter()
            for token in tokens:
                reply = client.post(f"/unsubscribe?token={token}",
                                    data={"List-Unsubscribe": "One-Click"})
                assert reply.status_code == 200
            elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(30)
    with SuppressionStore.read_only(site_dir / ".pubkit" / "suppressions.sqlite") as store:
        recorded = store.count() if store else 0
    return count / elapsed, recorded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--send", type=int, default=1000)
    parser.add_argument("--dry-run", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--suppressed", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--only-suppression", action="store_true",
                        help="Only the suppression rows and the endpoint.")
    parser.add_argument("--only-dry-run", action="store_true",
                        help="Only the campaign.dry_run rows (one language, then two).")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))

    ports: Any = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=serve, args=(ports, stop), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            (tmp / "site").mkdir()
            composed, source = composed_newsletter(tmp / "site")
            cli = not isinstance(composed, StandIn)
            if cli:
                with (tmp / "site" / "pubkit.toml").open("a", encoding="utf-8") as fh:
                    fh.write('\n[smtp]\nhost = "127.0.0.1"\nsecurity = "none"\n'
                             f'\n[email]\ntoken_secret = "{SECRET}"\n'
                             'from_address = "news@clinic.pubkit.dev"\n'
                             'unsubscribe_url = "https://clinic.pubkit.dev/u?token={token}"\n'
                             'unsubscribe_mailto = "u@clinic.pubkit.dev"\n'
                             'postal_address = "1 Main St, Austin, TX"\n')
            recipients = people(max(args.send, args.dry_run))
            from pubkit.send.campaign import message_bytes

            data = message_bytes(composed.message_for(recipients[0]))
            rcpts = [r.email for r in recipients[: args.send]]
            runs = range(args.repeat)
            dry_runs: dict[str, list[float]] = {"none": [], "on": [], "elsewhere": []}
            issue = composed_issue(tmp / "site") if cli and not args.only_suppression else None
            mixed = people(args.dry_run, ("en", "es")) if issue is not None else []
            dry_rows: list[tuple[str, int, list[float]]] = [] if args.only_suppression else [
                ("pubkit campaign.dry_run: personalise + write .eml", args.dry_run,
                 [pubkit_dry_run(composed, recipients[: args.dry_run], tmp / f"eml{i}")
                  for i in runs]),
                *([("the same, half the list in Spanish (sample.md and sample.es.md)",
                    args.dry_run, [pubkit_dry_run(issue, mixed, tmp / f"mixed{i}")
                                   for i in runs])] if issue is not None else []),
            ]
            rows: list[tuple[str, int, list[float]]] = [] if args.only_suppression else \
                dry_rows if args.only_dry_run else [
                ("bare smtplib.sendmail, prebuilt message", args.send,
                 [bare_smtplib(port, data, rcpts) for _ in runs]),
                ("pubkit SmtpSender, prebuilt message", args.send,
                 [pubkit_transport(port, data, rcpts) for _ in runs]),
                ("pubkit campaign.send: personalise + ledger + SMTP", args.send,
                 [pubkit_campaign(port, composed, recipients[: args.send], tmp / f"l{i}.sqlite")
                  for i in runs]),
                *([("`pubkit send --yes` (new process: start-up, compose, CSV, ledger, SMTP)",
                    args.send, [cli_send(tmp / "site", port, recipients[: args.send])
                                for _ in runs])] if cli else []),
                *dry_rows,
            ]
            if cli and not args.only_dry_run:
                dry = recipients[: args.dry_run]
                on_list = [r.email for r in dry[:: len(dry) // args.suppressed]][: args.suppressed]
                elsewhere = [f"nobody{i}@example.org" for i in range(args.suppressed)]
                for _ in runs:  # interleaved, so load changes hit all three alike
                    for name, addresses in (("none", []), ("on", on_list),
                                            ("elsewhere", elsewhere)):
                        suppress(tmp / "site", addresses)
                        dry_runs[name].append(cli_send(tmp / "site", port, dry, yes=False))
                rows += [
                    ("`pubkit send` dry run (new process: start-up, compose, CSV, .eml files)",
                     args.dry_run, dry_runs["none"]),
                    (f"the same, {args.suppressed:,} of them suppressed (so "
                     f"{args.dry_run - args.suppressed:,} files)", args.dry_run, dry_runs["on"]),
                    (f"the same, {args.suppressed:,} others suppressed (every file written, "
                     "every address checked)", args.dry_run, dry_runs["elsewhere"]),
                ]
                rows.append(("pubkit campaign.send asking the suppression list before each "
                             f"message ({args.suppressed:,} entries)", args.send,
                             [pubkit_campaign_store(port, composed, recipients[: args.send],
                                                    tmp / f"s{i}.sqlite",
                                                    tmp / "site/.pubkit/suppressions.sqlite")
                              for i in runs]))
                posts = [endpoint(tmp / "site", args.posts) for _ in runs]
    finally:
        stop.set()
        server.join(timeout=10)

    print(f"Messages: {source}, {len(data) / 1024:.1f} KiB each; aiosmtpd on 127.0.0.1 in "
          "its own process; one SMTP connection per row.\n")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Median of {args.repeat} runs (best in brackets); {os.cpu_count()} cores, load "
          f"average {load} at the end (other work on the machine slows every row).\n")
    print("| what | messages | seconds | messages/s |")
    print("|---|---:|---:|---:|")
    for what, count, times in rows:
        mid, best = statistics.median(times), min(times)
        print(f"| {what} | {count:,} | {mid:.2f} ({best:.2f}) | {count / mid:,.0f} "
              f"({count / best:,.0f}) |")
    if cli and not args.only_dry_run:
        plain = dry_runs["none"]
        for name, label in (("on", f"{args.suppressed:,} of them suppressed"),
                            ("elsewhere", f"{args.suppressed:,} others suppressed")):
            ratio = statistics.median(dry_runs[name]) / statistics.median(plain)
            pairs = ", ".join(f"{b / a:.3f}" for a, b in zip(plain, dry_runs[name], strict=True))
            print(f"\nDry run, {label} / none: {ratio:.3f} of the median (target at most 1.10; "
                  f"run by run: {pairs})")
        rates = [rate for rate, _ in posts]
        recorded = [n for _, n in posts]
        print(f"\nUnsubscribe endpoint: {statistics.median(rates):,.0f} one-click POSTs/s "
              f"median of {len(rates)} runs of {args.posts:,} (best {max(rates):,.0f}); "
              f"recorded {recorded} of {args.posts:,} each (target at least 500/s, all recorded)")


if __name__ == "__main__":
    main()
