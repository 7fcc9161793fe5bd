"""``pubkit send``: a newsletter to a recipients list, as ``.eml`` files or over SMTP."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import (
    EXIT_FAILED,
    OutputOption,
    SiteOption,
    app,
    fail_usage,
    load_site,
    output_folder,
    report,
    shown,
)

if TYPE_CHECKING:
    from pubkit.send.campaign import Outcome, Report
    from pubkit.site import Site


@app.command()
def send(
    newsletter: Annotated[Path, typer.Argument(help="Newsletter file, or its name in newsletters/.")],
    to: Annotated[Path, typer.Option("--to", help="Recipients CSV: an email column, name, "
                                     "merge fields.", dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Really send over SMTP (default: a dry run "
                                      "writing one .eml per recipient).")] = False,
    smtp_host: Annotated[str | None, typer.Option("--smtp-host", help="Override smtp.host.")] = None,
    smtp_port: Annotated[int | None, typer.Option("--smtp-port", min=1, max=65535,
                                                  help="Override smtp.port.")] = None,
    resend_unknown: Annotated[bool, typer.Option(
        "--resend-unknown", help="Send again to recipients whose delivery is unknown "
        "(the connection broke before the server answered).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    output: OutputOption = None,
    site: SiteOption = None,
) -> None:
    """Send a newsletter: a dry run by default, --yes to deliver; resumable without duplicates."""
    import sqlite3

    from pubkit.cli.newsletter import compose_or_exit
    from pubkit.output import write_atomic
    from pubkit.renderers.base import RenderContext
    from pubkit.send import campaign
    from pubkit.send.ledger import Ledger, LedgerBusy
    from pubkit.send.recipients import RecipientsError, read_recipients
    from pubkit.send.smtp import SmtpConfig, SmtpConfigError, SmtpSender, SmtpUnavailable
    from pubkit.site import SEND_FOLDER

    the_site = load_site(site)
    path = _newsletter_path(newsletter, the_site)
    try:
        listed = read_recipients(to)
    except RecipientsError as exc:
        fail_usage(str(exc))
    report(listed.problems)
    if not listed.recipients:
        fail_usage(f"{to}: no usable recipients")
    smtp = the_site.settings.smtp
    config = None
    if yes:
        try:
            config = SmtpConfig.from_settings(smtp, the_site.root, host=smtp_host, port=smtp_port)
        except SmtpConfigError as exc:
            fail_usage(str(exc))
    composed = compose_or_exit(path, RenderContext.for_site(the_site))
    out_dir = output_folder(output, the_site) / SEND_FOLDER / composed.name
    ledger_path = the_site.root / smtp.ledger

    if config is None:
        with Ledger.read_only(ledger_path, composed.name, composed.content_hash) as seen:
            _warn_other_versions(seen.sent_elsewhere() if seen else 0, composed.name)
            result = campaign.dry_run(composed, listed.recipients, out_dir, seen, resend_unknown)
    else:
        envelope_from = smtp.envelope_from or the_site.settings.email.from_address
        try:
            with Ledger.open(ledger_path, composed.name, composed.content_hash) as ledger, \
                    SmtpSender(config) as sender:
                _warn_other_versions(ledger.sent_elsewhere(), composed.name)
                result = campaign.send(composed, listed.recipients, ledger, sender, envelope_from,
                                       resend_unknown, progress=_progress)
        except KeyboardInterrupt:
            typer.echo("\npubkit: interrupted; the ledger holds every delivery so far: run the "
                       "same command again to continue", err=True)
            raise typer.Exit(130) from None
        except (LedgerBusy, SmtpConfigError) as exc:
            fail_usage(str(exc))
        except SmtpUnavailable as exc:
            typer.echo(f"pubkit: {exc}; nothing was sent", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except sqlite3.Error as exc:
            # Without the ledger nothing may go out: the run stops before the next message.
            typer.echo(f"pubkit: {ledger_path}: ledger error: {exc}; stopped", err=True)
            raise typer.Exit(EXIT_FAILED) from None
    result.invalid = listed.problems
    data = result.to_json()
    report_path = out_dir / ("report.json" if yes else "dry-run.json")
    write_atomic(report_path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
    _summary(result, out_dir, report_path, err=json_out)
    if json_out:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    if result.count("failed") or result.stopped:
        raise typer.Exit(EXIT_FAILED)


def _newsletter_path(newsletter: Path, site: Site) -> Path:
    """The file as given, else relative to the site, else ``newsletters/<name>.md``."""
    candidates = [newsletter, site.root / newsletter]
    if newsletter.parent == Path("."):
        candidates.append(site.newsletters_dir / newsletter.with_suffix(".md").name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    fail_usage(f"{newsletter}: no such newsletter file")


def _warn_other_versions(count: int, name: str) -> None:
    if count:
        typer.echo(f"pubkit: warning: {count} recipients already received another version of "
                   f"{name!r}: its content or email settings changed since, so to the ledger "
                   "this is a new newsletter", err=True)


def _progress(outcome: Outcome, done: int, to_do: int) -> None:
    """Print failures as they happen, and a running count when a person is watching."""
    watching = sys.stderr.isatty()
    if outcome.status in ("failed", "unknown"):
        where = f" (line {outcome.line})" if outcome.line else ""
        start = "\r" if watching else ""
        print(f"{start}{outcome.status}: {outcome.email}{where}: {outcome.detail}",
              file=sys.stderr)
    if watching and (done % 25 == 0 or done == to_do):
        print(f"\rsending: {done} of {to_do}", end="", file=sys.stderr, flush=True)


def _summary(result: Report, out_dir: Path, report_path: Path, err: bool) -> None:
    counts = result.counts()
    invalid = f"; {counts['invalid']} invalid rows skipped" if counts["invalid"] else ""
    if result.dry_run:
        for o in result.outcomes:
            if o.status == "failed":
                typer.echo(f"failed: {o.email} (line {o.line}): {o.detail}", err=True)
        written = len(result.outcomes) - counts["failed"]
        typer.echo(f"dry run: wrote {written} message{'' if written == 1 else 's'} to "
                   f"{shown(out_dir)}, sent nothing; "
                   f"--yes would send {counts['would_send']}, skip {counts['skipped']} already "
                   f"sent, leave {counts['unknown']} unknown{invalid}; report: "
                   f"{shown(report_path)}", err=err)
        return
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the running count's line
    if result.stopped:
        typer.echo(f"pubkit: stopped: {result.stopped}", err=True)
    tally = ", ".join(f"{counts[k]} {k}" for k in ("sent", "failed", "skipped", "unknown"))
    pending = f", {counts['pending']} pending" if counts["pending"] else ""
    typer.echo(f"{tally}{pending}{invalid}; report: {shown(report_path)}", err=err)

