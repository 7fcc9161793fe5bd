"""The compliance gate: what must be true before ``pubkit send --yes`` mails anyone.

US law (CAN-SPAM: a working opt-out and a valid postal address) and the
Gmail and Yahoo bulk-sender rules (one-click unsubscribe) decide whether a
clinic may send at all.  Each rule is an independent check returning its
problems; :func:`problems` runs every check, so the operator sees the whole
list at once.  ``pubkit send --yes`` refuses (exit 2) when the list is not
empty; the dry run prints it as warnings.

The review check reads ``status`` and ``next_review`` from an article's
metadata when they exist (the review record is optional), and a caller may
pass its own rule instead.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pubkit.model.article import Article
from pubkit.send.tokens import DEFAULT_SECRET, MIN_SECRET_BYTES

_RESERVED = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "invalid", "test", "localhost", "local")


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason not to send: where to fix it and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


ReviewRule = Callable[[Article, dt.date], str | None]


@dataclass(frozen=True, slots=True)
class Edition:
    """One version of the issue (the base or a language version) as its messages are made."""

    path: str
    """Its file (``newsletters/sample.es.md``), where a problem is reported."""
    lang: str
    missing: tuple[str, ...] = ()
    """What its messages lack that every message must carry (the unsubscribe link, ...)."""


@dataclass
class GateInput:
    """What the checks look at: the settings, the featured articles, today's date."""

    settings: Any
    articles: Sequence[Article]
    today: dt.date
    config_name: str = "pubkit.toml"
    config_text: str = ""
    review: ReviewRule | None = None
    secret: str | None = None
    """The token secret in force, when it does not come from the settings."""
    editions: Sequence[Edition] = ()
    """Every version of the issue; the featured articles of all of them are in ``articles``."""

    def where(self, section: str, key: str) -> str:
        """``pubkit.toml:LINE`` of ``[section] key``, or the file alone when it is not set."""
        line = _setting_line(self.config_text, section, key)
        return f"{self.config_name}:{line}" if line else self.config_name


def is_reserved_domain(domain: str) -> bool:
    """Domains that can never be a clinic's own (RFC 2606 and 6761)."""
    domain = domain.lower().rstrip(".")
    return (any(domain == d or domain.endswith("." + d) for d in _RESERVED)
            or domain.rpartition(".")[2] in _RESERVED_TLDS)


def check_token_secret(gate: GateInput) -> list[Problem]:
    secret = gate.secret if gate.secret is not None else gate.settings.email.token_secret
    where = gate.where("email", "token_secret")
    if secret == DEFAULT_SECRET:
        return [Problem(where, "email.token_secret is still the default 'change-me': anyone "
                        "could forge unsubscribe links (set 32 or more random bytes, such as "
                        "the output of `openssl rand -hex 32`)")]
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        return [Problem(where, f"email.token_secret is {len(secret.encode('utf-8'))} bytes; "
                        f"at least {MIN_SECRET_BYTES} are needed")]
    return []


def check_unsubscribe_url(gate: GateInput) -> list[Problem]:
    url = gate.settings.email.unsubscribe_url
    where = gate.where("email", "unsubscribe_url")
    parts = urllib.parse.urlsplit(url.replace("{token}", "t").replace("{email}", "e"))
    found = []
    if parts.scheme != "https":
        found.append(Problem(where, f"email.unsubscribe_url {url!r} is not https (one-click "
                             "unsubscribe needs an https address)"))
    if not parts.hostname or is_reserved_domain(parts.hostname):
        found.append(Problem(where, f"email.unsubscribe_url {url!r} is on "
                             f"{parts.hostname or 'no host'}: point it at your own "
                             "`pubkit unsubscribe serve` endpoint"))
    if "{token}" not in url:
        found.append(Problem(where, "email.unsubscribe_url has no {token}: the endpoint could "
                             "not tell who unsubscribed"))
    mailto = gate.settings.email.unsubscribe_mailto
    if is_reserved_domain(mailto.rpartition("@")[2]):
        found.append(Problem(gate.where("email", "unsubscribe_mailto"),
                             f"email.unsubscribe_mailto {mailto!r} is on a reserved example "
                             "domain: use a mailbox you read"))
    return found


def check_postal_address(gate: GateInput) -> list[Problem]:
    address = gate.settings.email.postal_address
    if address and address.strip():
        return []
    return [Problem(gate.where("email", "postal_address"),
                    "email.postal_address is not set: every commercial email must carry the "
                    "sender's valid postal address (CAN-SPAM)")]


def check_from_address(gate: GateInput) -> list[Problem]:
    address = gate.settings.email.from_address
    if is_reserved_domain(address.rpartition("@")[2]):
        return [Problem(gate.where("email", "from_address"),
                        f"email.from_address {address!r} is on a reserved example domain: "
                        "send from your clinic's own domain")]
    return []


def review_rule(settings: Any) -> ReviewRule:
    """The site's own review rule: a draft, or past ``next_review`` (its default included)."""
    from pubkit.review.record import review_state

    def rule(article: Article, today: dt.date) -> str | None:
        state = review_state(article, settings, today)
        if state.draft:
            return "is a draft (status: draft)"
        if state.overdue and state.next_review:
            return f"is overdue for review (next review was {state.next_review.isoformat()})"
        return None

    return rule


def check_featured_articles(gate: GateInput) -> list[Problem]:
    rule = gate.review or review_rule(gate.settings)
    found = []
    for article in gate.articles:
        why = rule(article, gate.today)
        if why:
            found.append(Problem(article.path, f"featured article '{article.slug}' {why}"))
    return found


def check_editions(gate: GateInput) -> list[Problem]:
    """Every version's messages carry what the law asks of each message, in their own words.

    A language version is rendered from its own language's catalogue and may
    be written with its own templates, so each one is checked, not the base alone.
    """
    found = []
    for edition in gate.editions:
        for part in edition.missing:
            found.append(Problem(edition.path, f"the {edition.lang} version's messages lack "
                                 f"{part}: every message needs it (CAN-SPAM, one-click "
                                 "unsubscribe); check the email templates and catalogue"))
    return found


CHECKS: tuple[Callable[[GateInput], list[Problem]], ...] = (
    check_token_secret, check_unsubscribe_url, check_postal_address, check_from_address,
    check_featured_articles, check_editions,
)


def problems(gate: GateInput) -> list[Problem]:
    """Every problem every check finds, in the order of :data:`CHECKS`."""
    return [p for check in CHECKS for p in check(gate)]


def _setting_line(text: str, section: str, key: str) -> int | None:
    current = ""
    pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
        elif current == section and pattern.match(line):
            return number
    return None
