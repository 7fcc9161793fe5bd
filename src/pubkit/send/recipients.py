"""Recipients of a newsletter, read from a CSV file.

The file needs an ``email`` column (any case; ``E-mail`` and ``Email address``
too); ``name`` and every other column become merge fields, named in lower
case with ``_`` for spaces and hyphens (``First Name`` -> ``first_name``).
Rows with a blank, invalid or duplicate address, or with a line break in a
field, are reported by line number and skipped; a file that cannot be read
as a list at all raises :class:`RecipientsError`.

An optional ``lang`` (or ``language``) column gives each recipient's
language, a BCP 47 tag (``es``, ``es-MX``): they get the issue's version in
that language.  The value is checked as a tag (letters, digits and hyphens,
at most 35 characters); a row with anything else is reported by line number
and the recipient gets the base language, as with an empty value: a bad
language is no reason to leave someone without the issue.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pubkit.diagnostics import Diagnostic
from pubkit.i18n import MAX_LANG_CHARS, valid_lang
from pubkit.safeio import CSV_LIMIT, read_regular
from pubkit.send.addresses import AddressError, address_key, ascii_domain


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person on the list.  ``fields`` holds every CSV column (merge fields)."""

    email: str
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    lang: str = ""
    """The recipient's language tag as the list gives it (checked), or empty: the base language."""

    @property
    def key(self) -> str:
        """The address as duplicates, the ledger and the suppression list compare it."""
        return address_key(self.email)


@dataclass(slots=True)
class RecipientList:
    """The usable recipients, in file order, and what was wrong with the other rows."""

    recipients: list[Recipient]
    problems: list[Diagnostic]
    """Rows skipped, and why."""
    languages: list[Diagnostic] = field(default_factory=list)
    """Rows kept whose language is not a tag (those recipients get the base language)."""


class RecipientsError(Exception):
    """The file is not a usable recipients list (exit code 2)."""


# Everything str.splitlines() breaks on, plus the other C0 controls and DEL.
_LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9\-\u0080-\U0010ffff]{1,63}(?<!-)")
_DELIMITERS = (",", ";", "\t")
_SEPARATORS = re.compile(r"[\s\-]+")
_EMAIL_ALIASES = frozenset({"email", "e_mail", "email_address", "e_mail_address"})
_LANG_COLUMNS = ("lang", "language")


"""Largest recipients file read (about two million rows)."""


def read_recipients(path: Path) -> RecipientList:
    """Read ``path``; raise :class:`RecipientsError` when it has no usable header."""
    try:
        raw = read_regular(path, CSV_LIMIT)
    except OSError as exc:
        raise RecipientsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RecipientsError(f"{path}:{line}: not UTF-8 text (save the CSV as UTF-8)") from None
    return parse_recipients(text, str(path))


def parse_recipients(text: str, where: str = "<recipients>") -> RecipientList:
    """Parse CSV ``text``; ``where`` names the file in messages."""
    header_line = text.split("\n", 1)[0]
    rows = _rows(text, _delimiter(header_line), where)
    if not rows:
        raise RecipientsError(f"{where}: empty file: the first row must name the columns")
    header_at, header = rows[0]
    columns = [column_key(h) for h in header]
    if "email" not in columns:
        shown = ", ".join(c for c in columns if c) or "none"
        raise RecipientsError(f"{where}:{header_at}: no 'email' column (columns: {shown})")
    named = [c for c in columns if c]
    doubled = sorted({c for c in named if named.count(c) > 1})
    if doubled:
        raise RecipientsError(f"{where}:{header_at}: column {', '.join(doubled)} appears twice")

    recipients: list[Recipient] = []
    problems: list[Diagnostic] = []
    languages: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        raw = {col: cells[i] if i < len(cells) else "" for i, col in enumerate(columns) if col}
        bad = _field_problem(raw)  # before stripping, which would hide a trailing break
        values = {col: value.strip() for col, value in raw.items()}
        if bad is None:
            bad = address_problem(values["email"])
        if bad is None:
            key = address_key(values["email"])
            if key in seen:
                bad = f"duplicate address {values['email']} (first on line {seen[key]})"
            else:
                seen[key] = line
        if bad is not None:
            problems.append(Diagnostic(where, line, f"{bad}; skipped", "warning"))
            continue
        lang, lang_problem = _lang(values)
        if lang_problem is not None:
            languages.append(Diagnostic(where, line, lang_problem, "warning"))
        recipients.append(Recipient(values["email"], _name(values), values, line, lang))
    return RecipientList(recipients, problems, languages)


def column_key(header: str) -> str:
    """The merge-field name of a column: ``First Name`` -> ``first_name``, ``E-mail`` -> ``email``."""
    key = _SEPARATORS.sub("_", header.strip().lower())
    return "email" if key in _EMAIL_ALIASES else key


def address_problem(address: str) -> str | None:
    """What is wrong with ``address`` as a mailbox (``local@domain``), or None."""
    if not address:
        return "blank email address"
    if any(ch in _LINE_BREAKS for ch in address):
        return "line break in field 'email'"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"invalid email address {address!r}: no local@domain"
    if len(address) > 254 or len(local) > 64:
        return f"invalid email address {address!r}: too long"
    if not _LOCAL.fullmatch(local):
        return f"invalid email address {address!r}: bad characters before '@'"
    if not local.isascii():
        # Message headers cannot carry such a mailbox without SMTPUTF8 end to end.
        return f"unsupported email address {address!r}: non-ASCII before '@'"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) \
            or labels[-1].isdigit():
        return f"invalid email address {address!r}: bad domain {domain!r}"
    try:
        ascii_domain(domain)  # the form it is sent, compared and suppressed in
    except AddressError:
        return f"invalid email address {address!r}: bad domain {domain!r}"
    return None


MAX_NAME_CHARS = 200
"""Longest recipient name put in a message's ``To`` header (as ``email.from_name``)."""


def _field_problem(values: dict[str, str]) -> str | None:
    # Any field may reach a header through a merge field, so none may break a line.
    for col, value in values.items():
        if any(ch in _LINE_BREAKS for ch in value):
            return f"line break in field {col!r}"
        if _CONTROL.search(value):
            return f"control character in field {col!r}"
    return None


def _lang(values: dict[str, str]) -> tuple[str, str | None]:
    """The row's language tag, and what is wrong with the value when it is not one."""
    column = next((c for c in _LANG_COLUMNS if c in values), None)
    value = values.get(column, "") if column else ""
    if not value or valid_lang(value):
        return value, None
    shown = repr(value[:40]) + ("…" if len(value) > 40 else "")
    return "", (f"{column} {shown} is not a language tag (such as es or es-MX: letters, digits "
                f"and hyphens, at most {MAX_LANG_CHARS} characters); this recipient gets the "
                "base language")


def _name(values: dict[str, str]) -> str:
    """The name in the ``To`` header: empty (the address alone) when longer than a header should hold."""
    if values.get("name"):
        name = values["name"]
    else:
        name = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
    return name if len(name) <= MAX_NAME_CHARS else ""


def _delimiter(header_line: str) -> str:
    # Spreadsheets in many locales save ';'-separated "CSV": use whichever separator
    # makes an email column appear in the header.
    for delim in _DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delim), [])
        if "email" in (column_key(c) for c in cells):
            return delim
    return ","


def _rows(text: str, delimiter: str, where: str) -> list[tuple[int, list[str]]]:
    """Rows with the number of the line each starts on (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RecipientsError(f"{where}:{start}: unreadable CSV: {exc}") from None
    return rows
