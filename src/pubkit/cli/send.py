"""``pubkit send``: a newsletter to a recipients list, as ``.eml`` files or over SMTP."""

from __future__ import annotations

import contextlib
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
    from pubkit.renderers.email.newsletter import ComposedIssue
    from pubkit.send.campaign import Outcome, Report
    from pubkit.send.ledger import Ledger
    from pubkit.send.recipients import Recipient
    from pubkit.site import Site


EXIT_INCOMPLETE = 3
"""Not every message was confirmed by the server (unknown or pending): run again."""


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
    """Send a newsletter: a dry run by default, --yes to deliver; resumable without duplicates.

    Exit codes: 0 all sent, 1 some recipients failed, 2 usage, configuration or compliance
    problem (nothing sent), 3 the server did not confirm every message (run again).
    """
    from pubkit.cli.newsletter import compose_or_exit
    from pubkit.diagnostics import describe_os_error
    from pubkit.output import folder_below, write_atomic, write_files
    from pubkit.renderers.base import RenderContext
    from pubkit.send import campaign
    from pubkit.send.dkim_sign import DkimError, DkimSigner
    from pubkit.send.ledger import Ledger, LedgerBusy, LedgerError
    from pubkit.send.recipients import RecipientsError, read_recipients
    from pubkit.send.smtp import SmtpConfig, SmtpConfigError, SmtpSender, SmtpUnavailable
    from pubkit.send.suppressions import StoreError, SuppressionStore, store_path
    from pubkit.site import SEND_FOLDER

    the_site = load_site(site)
    settings = the_site.settings
    path = _newsletter_path(newsletter, the_site)
    try:
        listed = read_recipients(to)
    except RecipientsError as exc:
        fail_usage(str(exc))
    report(sorted([*listed.problems, *listed.languages], key=lambda d: d.line or 0))
    if not listed.recipients:
        fail_usage(f"{to}: no usable recipients")
    smtp = settings.smtp
    config = None
    if yes:
        try:
            config = SmtpConfig.from_settings(smtp, the_site.root, host=smtp_host, port=smtp_port)
        except SmtpConfigError as exc:
            fail_usage(str(exc))
    envelope = _envelope(smtp.envelope_from or settings.email.from_address,
                         settings.email.token_secret)
    composed = compose_or_exit(path, RenderContext.for_site(the_site))
    _gate(the_site, composed, refuse=yes)
    try:
        signer = DkimSigner.from_settings(settings.dkim, settings.email.from_address,
                                          the_site.root)
    except DkimError as exc:
        fail_usage(str(exc))
    try:
        out_dir = folder_below(output_folder(output, the_site), f"{SEND_FOLDER}/{composed.name}")
    except OSError as exc:  # unwritable, or a symlink pubkit did not make: nothing is written
        typer.echo(f"pubkit: {describe_os_error(exc)}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    ledger_path = the_site.root / smtp.ledger
    suppressions = store_path(the_site.root, settings.suppression.store)
    limit = settings.email.max_message_bytes

    if config is None:
        with contextlib.ExitStack() as stack:
            seen = _read_ledger(stack, ledger_path, composed.name, composed.content_hash)
            suppressed = _read_suppressions(suppressions)
            _warn_other_versions(seen.sent_elsewhere() if seen else 0, composed.name)
            result = campaign.dry_run(composed, listed.recipients, out_dir, seen, resend_unknown,
                                      suppressed=suppressed, max_bytes=limit)
    else:
        try:
            with Ledger.open(ledger_path, composed.name, composed.content_hash) as ledger, \
                    SuppressionStore.open(suppressions) as store, SmtpSender(config) as sender:
                if not isinstance(envelope, str):
                    store.remember_envelopes(envelope.pairs(listed.recipients))
                _warn_other_versions(ledger.sent_elsewhere(), composed.name)
                result = campaign.send(
                    composed, listed.recipients, ledger, sender,
                    envelope if isinstance(envelope, str) else envelope.address,
                    resend_unknown, progress=_progress, store=store,
                    soft_bounce_limit=settings.suppression.soft_bounce_limit,
                    finish=signer.sign if signer else None, max_bytes=limit)
        except KeyboardInterrupt:
            typer.echo("\npubkit: interrupted; the ledger holds every delivery so far: run the "
                       "same command again to continue", err=True)
            raise typer.Exit(130) from None
        except (LedgerBusy, LedgerError, StoreError, SmtpConfigError) as exc:
            # Raised before the first message, or by the server's first answers.
            fail_usage(f"{exc}; nothing was sent")
        except SmtpUnavailable as exc:
            typer.echo(f"pubkit: {exc}; nothing was sent", err=True)
            raise typer.Exit(EXIT_INCOMPLETE) from None
    # Each version's public page, where its messages' "View in your browser" points.
    write_files(output_folder(output, the_site), composed.web_pages())
    result.invalid = listed.problems
    result.bad_languages = listed.languages
    data = result.to_json()
    report_path = out_dir / ("report.json" if yes else "dry-run.json")
    write_atomic(report_path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
    _summary(result, out_dir, report_path, err=json_out)
    if json_out:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    if not result.dry_run and not result.confirmed():
        raise typer.Exit(EXIT_INCOMPLETE)
    if result.count("failed"):
        raise typer.Exit(EXIT_FAILED)


class _Verp:
    """Per-recipient bounce addresses: ``{token}`` in the local part of smtp.envelope_from."""

    def __init__(self, template: str, secret: str) -> None:
        self.template = template
        self.secret = secret

    def address(self, recipient: Recipient) -> str:
        from pubkit.send.tokens import verp_token

        return self.template.replace("{token}", verp_token(self.secret, recipient.email))

    def pairs(self, recipients: list[Recipient]) -> list[tuple[str, str]]:
        from pubkit.send.tokens import verp_token

        return [(verp_token(self.secret, r.email), r.email) for r in recipients]


def _envelope(template: str, secret: str) -> str | _Verp:
    if "{token}" not in template:
        return template
    local, _, domain = template.rpartition("@")
    if "{token}" not in local or "{token}" in domain or local.count("{token}") != 1:
        fail_usage(f"smtp.envelope_from {template!r}: {{token}} may appear once, before the @")
    return _Verp(template, secret)


def _gate(site: Site, composed: ComposedIssue, refuse: bool) -> None:
    """List every compliance problem; with --yes, refuse to send (exit 2) when there is one."""
    import datetime as dt

    from pubkit.send.gate import Edition, GateInput, problems
    from pubkit.settings import CONFIG_NAME

    config = site.root / CONFIG_NAME
    try:
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    editions = [Edition(e.path, e.lang, tuple(e.missing_parts())) for e in composed.editions]
    found = problems(GateInput(site.settings, composed.articles, dt.date.today(),
                               shown(config), text, editions=editions))
    for problem in found:
        level = "error" if refuse else "warning"
        typer.echo(f"{problem.where}: {level}: {problem.message}", err=True)
    if found and refuse:
        fail_usage(f"refusing to send: {len(found)} compliance "
                   f"problem{'' if len(found) == 1 else 's'} (listed above); nothing was sent")
    if found:
        typer.echo(f"pubkit: warning: `pubkit send --yes` will refuse until the {len(found)} "
                   "problem(s) above are fixed", err=True)


def _read_ledger(stack: contextlib.ExitStack, path: Path, name: str,
                 content_hash: str) -> Ledger | None:
    """The ledger for a dry run; an unreadable one is a warning, never the end of the dry run."""
    import sqlite3

    from pubkit.send.ledger import Ledger, LedgerError

    try:
        ledger = stack.enter_context(Ledger.read_only(path, name, content_hash))
        if ledger is not None:  # a file damaged inside shows only when it is read
            ledger.entries()
            ledger.sent_elsewhere()
        return ledger
    except (LedgerError, sqlite3.Error) as exc:
        typer.echo(f"pubkit: warning: {exc}; the dry run cannot tell who already received "
                   "this newsletter, and `--yes` would stop", err=True)
        return None


def _read_suppressions(path: Path) -> set[str]:
    from pubkit.send.suppressions import StoreError, SuppressionStore

    try:
        with SuppressionStore.read_only(path) as store:
            return store.keys() if store else set()
    except StoreError as exc:
        typer.echo(f"pubkit: warning: {exc}; the dry run leaves nobody out, and `--yes` "
                   "would stop", err=True)
        return set()


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
    by_lang = ", ".join(f"{lang} {n}" for lang, n in result.languages().items())
    languages = f"; by language: {by_lang}" if by_lang else ""
    if result.dry_run:
        for o in result.outcomes:
            if o.status == "failed":
                typer.echo(f"failed: {o.email} (line {o.line}): {o.detail}", err=True)
        written = len(result.outcomes) - counts["failed"]
        written = written - counts["suppressed"]
        typer.echo(f"dry run: wrote {written} message{'' if written == 1 else 's'} to "
                   f"{shown(out_dir)}, sent nothing; "
                   f"--yes would send {counts['would_send']}, skip {counts['skipped']} already "
                   f"sent and {counts['suppressed']} suppressed, leave {counts['unknown']} "
                   f"unknown{invalid}{languages}; report: {shown(report_path)}", err=err)
        return
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the running count's line
    if result.stopped:
        typer.echo(f"pubkit: stopped: {result.stopped}", err=True)
    tally = ", ".join(f"{counts[k]} {k}" for k in ("sent", "failed", "skipped", "unknown",
                                                    "suppressed"))
    pending = f", {counts['pending']} pending" if counts["pending"] else ""
    typer.echo(f"{tally}{pending}{invalid}{languages}; report: {shown(report_path)}", err=err)

