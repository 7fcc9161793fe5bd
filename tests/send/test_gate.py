"""The compliance gate: each problem refused alone, all listed together, the dry run still works."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.model.article import Article
from pubkit.send.gate import GateInput, is_reserved_domain, problems
from pubkit.settings import Settings
from pubkit.site import Site, open_site
from pubkit.source.reader import parse_article
from tests.send.compliant import EMAIL, SMTP, configure, write_csv
from tests.send.smtp_server import ScriptedHandler

runner = CliRunner()

# Each case breaks one line of the compliant [email] section.
ALONE = [
    ('token_secret = "0123456789abcdef0123456789abcdef-test"', 'token_secret = "change-me"',
     "email.token_secret is still the default 'change-me'"),
    ('token_secret = "0123456789abcdef0123456789abcdef-test"', 'token_secret = "short-secret"',
     "email.token_secret is 12 bytes; at least 32 are needed"),
    ('unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={token}"',
     'unsubscribe_url = "https://example.com/unsubscribe?token={token}"',
     "is on example.com: point it at your own"),
    ('unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={token}"',
     'unsubscribe_url = "https://news.example.org/u?token={token}"', "is on news.example.org"),
    ('unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={token}"',
     'unsubscribe_url = "http://painclinic.pubkit.dev/unsubscribe?token={token}"',
     "is not https"),
    ('unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={token}"',
     'unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?e={email}"', "has no {token}"),
    ('unsubscribe_mailto = "unsubscribe@painclinic.pubkit.dev"',
     'unsubscribe_mailto = "unsubscribe@example.com"', "email.unsubscribe_mailto"),
    ('postal_address = "123 Main St, Austin, TX 78701"', 'postal_address = "  "',
     "email.postal_address is not set"),
    ('postal_address = "123 Main St, Austin, TX 78701"', "",
     "email.postal_address is not set"),
    ('from_address = "news@painclinic.test.pubkit.dev"', 'from_address = "news@example.com"',
     "email.from_address 'news@example.com' is on a reserved example domain"),
    ('from_address = "news@painclinic.test.pubkit.dev"', 'from_address = "news@clinic.test"',
     "email.from_address 'news@clinic.test'"),
]


@pytest.fixture
def site(sample_site: Site) -> Site:
    write_csv(sample_site.root / "list.csv", [("ana@example.org", "Ana"), ("bo@example.org", "B")])
    return sample_site


def send(site: Site, port: int, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["send", "sample", "--to", str(site.root / "list.csv"),
                                 "--smtp-port", str(port), "--site", str(site.root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("good", "bad", "words"), ALONE)
def test_each_problem_alone_is_refused(site: Site, port: int, handler: ScriptedHandler,
                                       good: str, bad: str, words: str) -> None:
    assert good in EMAIL
    configure(site.root, email=EMAIL.replace(good, bad))
    code, _, err = send(site, port, "--yes")
    assert code == 2, err
    assert words in err
    assert "refusing to send: 1 compliance problem (listed above); nothing was sent" in err
    assert handler.received == []
    code, out, err = send(site, port)  # the dry run works and warns with the same words
    assert code == 0 and "wrote 2 messages" in out
    assert words in err and ": warning: " in err


def test_every_problem_is_listed_at_once_with_its_line(site: Site, port: int,
                                                      handler: ScriptedHandler) -> None:
    configure(site.root, email="", smtp=SMTP)  # the defaults: nothing was configured
    with (site.root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('[email]\ntoken_secret = "change-me"\n')
    line = (site.root / "pubkit.toml").read_text().splitlines().index('token_secret = "change-me"')
    code, _, err = send(site, port, "--yes")
    assert code == 2
    assert "refusing to send: 5 compliance problems" in err
    for words in ("token_secret is still the default", "unsubscribe_url", "unsubscribe_mailto",
                  "postal_address is not set", "from_address"):
        assert words in err
    assert f"pubkit.toml:{line + 1}: error: email.token_secret" in err
    assert handler.received == []
    code, out, err = send(site, port)
    assert code == 0 and "wrote 2 messages" in out
    assert err.count(": warning: email.") == 5 and "will refuse until" in err


def test_a_compliant_site_sends(site: Site, port: int, handler: ScriptedHandler) -> None:
    configure(site.root)
    code, _, err = send(site, port, "--yes")
    assert code == 0, err
    assert "compliance" not in err and len(handler.counts()) == 2


def article(path: str, **meta: object) -> Article:
    """An article of ``path`` whose front matter holds ``meta`` (dates as YYYY-MM-DD)."""
    front = "".join(f"{key}: {value}\n" for key, value in meta.items())
    source = f"---\ntitle: {Path(path).stem}\n{front}---\nBody.\n".encode()
    return parse_article(source, path, "content", Path(path).stem)


def gate(*articles: Article, **kw: object) -> GateInput:
    settings = Settings.model_validate({"email": {
        "from_address": "news@clinic.pubkit.dev", "token_secret": "x" * 32,
        "unsubscribe_url": "https://clinic.pubkit.dev/u?t={token}",
        "unsubscribe_mailto": "u@clinic.pubkit.dev", "postal_address": "1 Main St"}})
    return GateInput(settings, list(articles), dt.date(2025, 6, 1), **kw)  # type: ignore[arg-type]


def test_featured_drafts_and_overdue_reviews_are_problems() -> None:
    found = problems(gate(
        article("content/draft.md", status="draft"),
        article("content/old.md", status="approved", reviewed_on="2024-01-02",
                next_review="2025-05-31"),
        article("content/due-today.md", reviewed_on="2024-06-01", next_review="2025-06-01"),
        article("content/fresh.md", status="approved", reviewed_on="2025-01-01"),
        article("content/by-interval.md", reviewed_on="2024-05-01"),  # + 12 months, the default
        article("content/no-record.md"),
    ))
    assert [str(p) for p in found] == [
        "content/draft.md: featured article 'draft' is a draft (status: draft)",
        "content/old.md: featured article 'old' is overdue for review (next review was "
        "2025-05-31)",
        "content/by-interval.md: featured article 'by-interval' is overdue for review (next "
        "review was 2025-05-01)",
    ]


def test_the_review_rule_can_be_given() -> None:
    def strict(a: Article, today: dt.date) -> str | None:
        return "has no review record" if a.meta.reviewed_on is None else None

    found = problems(gate(article("content/a.md"), review=strict))
    assert [p.message for p in found] == ["featured article 'a' has no review record"]


@pytest.mark.parametrize(("domain", "reserved"), [
    ("example.com", True), ("news.example.com", True), ("EXAMPLE.ORG", True),
    ("example.net.", True), ("clinic.example", True), ("mail.invalid", True),
    ("clinic.test", True), ("localhost", True), ("example.com.au", False),
    ("myexample.com", False), ("clinic.org", False),
])
def test_reserved_domains(domain: str, reserved: bool) -> None:
    assert is_reserved_domain(domain) is reserved


def test_gate_runs_in_unsubscribe_serve_too(site: Site) -> None:
    result = runner.invoke(app, ["unsubscribe", "serve", "--site", str(site.root)])
    assert result.exit_code == 2 and "change-me" in result.stderr
    assert open_site(site.root).settings.email.token_secret == "change-me"


def test_each_language_version_is_checked_and_named() -> None:
    from pubkit.send.gate import Edition, check_editions

    settings = Settings.model_validate({})
    editions = [Edition("newsletters/june.md", "en"),
                Edition("newsletters/june.es.md", "es",
                        ("the unsubscribe link (in the text part)",
                         "the postal address (in the HTML part)"))]
    found = check_editions(GateInput(settings, [], dt.date(2026, 12, 1), editions=editions))
    assert [str(p) for p in found] == [
        "newsletters/june.es.md: the es version's messages lack the unsubscribe link (in the "
        "text part): every message needs it (CAN-SPAM, one-click unsubscribe); check the email "
        "templates and catalogue",
        "newsletters/june.es.md: the es version's messages lack the postal address (in the HTML "
        "part): every message needs it (CAN-SPAM, one-click unsubscribe); check the email "
        "templates and catalogue",
    ]
    assert check_editions(GateInput(settings, [], dt.date(2026, 12, 1), editions=editions[:1])) == []
