"""``pubkit suppress …`` and ``pubkit bounces import``: the list of addresses never mailed again."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pubkit.cli.app import EXIT_USAGE, SiteOption, app, fail_usage, load_site, report, shown

if TYPE_CHECKING:
    from pubkit.send.suppressions import Reason, SuppressionStore
    from pubkit.site import Site

suppress_app = typer.Typer(
    help="The suppression list: addresses pubkit never mails again (unsubscribes, bounces, "
         "complaints, manual entries).", no_args_is_help=True)
bounces_app = typer.Typer(help="Bounces that come back as delivery status notifications.",
                          no_args_is_help=True)
app.add_typer(suppress_app, name="suppress")
app.add_typer(bounces_app, name="bounces")

REASON_HELP = "unsubscribed, hard-bounce, soft-bounce, complaint or manual."
_REASON_WORDS = {
    "unsubscribe": "unsubscribed", "unsubscribed": "unsubscribed", "opt-out": "unsubscribed",
    "optout": "unsubscribed", "bounce": "hard-bounce", "bounced": "hard-bounce",
    "hard-bounce": "hard-bounce", "hard bounce": "hard-bounce", "hardbounce": "hard-bounce",
    "cleaned": "hard-bounce", "soft-bounce": "soft-bounce", "soft bounce": "soft-bounce",
    "complaint": "complaint", "spam": "complaint", "abuse": "complaint",
    "spam complaint": "complaint", "manual": "manual",
}


def _store(site: Site) -> Path:
    from pubkit.send.suppressions import store_path

    return store_path(site.root, site.settings.suppression.store)


@contextlib.contextmanager
def _open(site: Site) -> Iterator[SuppressionStore]:
    """The opened store, or a clear message and exit 2."""
    from pubkit.send.suppressions import StoreError, SuppressionStore

    manager = SuppressionStore.open(_store(site))
    try:
        store = manager.__enter__()
    except StoreError as exc:
        fail_usage(str(exc))
    try:
        yield store
    finally:
        manager.__exit__(None, None, None)


def _reason(value: str) -> Reason:
    from pubkit.send.suppressions import REASONS

    if value not in REASONS:
        fail_usage(f"--reason {value!r}: use one of {', '.join(REASONS)}")
    return value  # type: ignore[return-value]


def _valid(address: str) -> str:
    from pubkit.send.recipients import address_problem

    problem = address_problem(address.strip())
    if problem:
        fail_usage(problem)
    return address.strip()


def _run(store: SuppressionStore, action):  # type: ignore[no-untyped-def]
    from pubkit.send.suppressions import StoreError

    try:
        return action()
    except StoreError as exc:
        fail_usage(str(exc))


@suppress_app.command("add")
def add(
    address: Annotated[str, typer.Argument(help="Email address to suppress.")],
    reason: Annotated[str, typer.Option("--reason", help=REASON_HELP)] = "manual",
    site: SiteOption = None,
) -> None:
    """Add an address to the suppression list."""
    the_site = load_site(site)
    why = _reason(reason)
    address = _valid(address)
    with _open(the_site) as store:
        new = _run(store, lambda: store.add(address, why, "pubkit suppress add"))
    typer.echo(f"suppressed {address} ({why})" if new else f"{address} was already suppressed")


@suppress_app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV export: an email column and an optional "
                                         "reason column.", dir_okay=False)],
    reason: Annotated[str, typer.Option("--reason", help="Reason for rows without one: "
                                        + REASON_HELP)] = "manual",
    site: SiteOption = None,
) -> None:
    """Import a suppression export (an email service's unsubscribes, bounces, complaints)."""
    from pubkit.send.recipients import RecipientsError, read_recipients

    the_site = load_site(site)
    default = _reason(reason)
    try:
        listed = read_recipients(file)
    except RecipientsError as exc:
        fail_usage(str(exc))
    report([d for d in listed.problems if "duplicate" not in d.message])
    rows: list[tuple[str, Reason, str]] = []
    for person in listed.recipients:
        given = person.fields.get("reason", "").strip().lower()
        why: Reason = _REASON_WORDS.get(given, default) if given else default  # type: ignore[assignment]
        rows.append((person.email, why, f"import {file.name}:{person.line}"))
    with _open(the_site) as store:
        added = _run(store, lambda: store.add_many(rows))
    typer.echo(f"imported {shown(file)}: {added} new, {len(rows) - added} already suppressed"
               + (f", {len(listed.problems)} rows skipped" if listed.problems else ""))


@suppress_app.command("import-mailbox")
def import_mailbox(
    path: Annotated[Path, typer.Argument(help="The mailto: unsubscribe mailbox: an mbox file "
                                         "or a Maildir folder.")],
    site: SiteOption = None,
) -> None:
    """Suppress each sender whose mail to the unsubscribe address answers a pubkit newsletter."""
    from pubkit.send.mailboxes import MailboxError, unsubscribe_requests

    the_site = load_site(site)
    try:
        found = unsubscribe_requests(path, the_site.settings.email.token_secret)
    except (MailboxError, OSError) as exc:
        fail_usage(str(exc))
    with _open(the_site) as store:
        _record(store, found.addresses, "unsubscribed")
    typer.echo(f"{shown(path)}: {found.messages} messages, {len(found.addresses)} unsubscribe "
               f"requests recorded, {found.skipped} not answering a pubkit newsletter (left alone)")


@suppress_app.command("list")
def list_(
    json_out: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    site: SiteOption = None,
) -> None:
    """Show every suppressed address with its reason, date and source."""
    from pubkit.send.suppressions import StoreError, SuppressionStore

    the_site = load_site(site)
    try:
        with SuppressionStore.read_only(_store(the_site)) as store:
            rows = store.all() if store else []
    except StoreError as exc:
        fail_usage(str(exc))
    if json_out:
        typer.echo(json.dumps([{"address": r.address, "reason": r.reason, "created": r.created,
                                "source": r.source} for r in rows], indent=2,
                              ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r.address}\t{r.reason}\t{r.created}\t{r.source}")
    typer.echo(f"{len(rows)} suppressed", err=True)


@suppress_app.command("remove")
def remove(
    address: Annotated[str, typer.Argument(help="Address to take off the suppression list.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    site: SiteOption = None,
) -> None:
    """Take an address off the suppression list (it will receive newsletters again)."""
    the_site = load_site(site)
    with _open(the_site) as store:
        entry = _run(store, lambda: store.get(address))
        if entry is None:
            typer.echo(f"pubkit: {address} is not on the suppression list", err=True)
            raise typer.Exit(EXIT_USAGE)
        if not yes and not typer.confirm(
                f"{address} was suppressed on {entry.created} ({entry.reason}, "
                f"{entry.source}). Mail it again?", default=False):
            typer.echo("nothing changed", err=True)
            raise typer.Exit(1)
        _run(store, lambda: store.remove(address))
    typer.echo(f"removed {address} from the suppression list")


@bounces_app.command("import")
def import_bounces(
    path: Annotated[Path, typer.Argument(help="Bounce mailbox: an mbox file or a Maildir "
                                         "folder of delivery status notifications.")],
    site: SiteOption = None,
) -> None:
    """Suppress the permanent failures in a mailbox of bounces (RFC 3464 DSNs and others)."""
    from pubkit.send.mailboxes import MailboxError, bounces

    the_site = load_site(site)
    with _open(the_site) as store:
        try:
            found = bounces(path, the_site.settings.smtp.envelope_from, store.envelope_owner)
        except (MailboxError, OSError) as exc:
            fail_usage(str(exc))
        _record(store, found.addresses, "hard-bounce")
        _record(store, found.complaints, "complaint")
    complaints = f", {len(found.complaints)} spam complaints" if found.complaints else ""
    typer.echo(f"{shown(path)}: {found.messages} messages, {len(found.addresses)} permanent "
               f"failures suppressed{complaints}, {found.temporary} temporary, "
               f"{found.skipped} without a permanent failure")


def _record(store: SuppressionStore, addresses: dict[str, str], reason: Reason) -> None:
    rows = [(address, reason, source) for address, source in addresses.items()]
    _run(store, lambda: store.add_many(rows))
