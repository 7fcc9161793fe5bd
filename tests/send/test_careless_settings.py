"""Settings and merge fields are careless, not trusted (as they reach mail).

Header-bound settings and merge results are refused on line breaks and
control characters, naming the key or field; every number has a finite
range; each merge field and each whole message is capped in size whatever
the expression; addresses are compared in one normalised form.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.diagnostics import ConfigError, SourceError
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.mime import UnsafeHeader
from pubkit.renderers.email.newsletter import compose_newsletter
from pubkit.send.addresses import address_key
from pubkit.send.ledger import Ledger
from pubkit.send.recipients import Recipient, parse_recipients
from pubkit.send.tokens import read_unsubscribe_token, unsubscribe_token
from pubkit.settings import load_settings
from pubkit.site import Site, open_site
from pubkit.source.merge_fields import MAX_FIELD_CHARS, MergeError, MergeFields
from tests.send.compliant import configure, write_csv

runner = CliRunner()

HEADER_KEYS = [("email", "from_name"), ("email", "from_address"), ("email", "reply_to"),
               ("email", "unsubscribe_url"), ("email", "unsubscribe_mailto"),
               ("email", "preview_to"), ("email", "postal_address"), ("smtp", "host"),
               ("smtp", "user"), ("smtp", "envelope_from"), ("dkim", "domain"),
               ("email.utm", "source"), ("email.utm", "campaign")]
BAD_TEXT = ["a\\nBcc: x@evil.example", "a\\r\\nb", "a\\rb", "a\\u2028b", "a\\u0085b", "a\\u0000b",
            "a\\u001b[31mb", "a\\u007fb", "a\\tb", "a\\u000bb"]


def settings_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pubkit.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("section", "key"), HEADER_KEYS)
@pytest.mark.parametrize("bad", BAD_TEXT)
def test_header_bound_settings_refuse_breaks_and_controls(tmp_path: Path, section: str, key: str,
                                                          bad: str) -> None:
    path = settings_file(tmp_path, f'[{section}]\n{key} = "{bad}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert f"setting '{section}.{key}'" in str(caught.value)
    assert "control characters" in str(caught.value)


@pytest.mark.parametrize(("line", "key"), [
    ("[smtp]\ntimeout = inf", "smtp.timeout"), ("[smtp]\ntimeout = nan", "smtp.timeout"),
    ("[smtp]\ntimeout = 0", "smtp.timeout"), ("[smtp]\ntimeout = 601", "smtp.timeout"),
    ("[smtp]\nrate_limit = inf", "smtp.rate_limit"), ("[smtp]\nrate_limit = -1", "smtp.rate_limit"),
    ("[smtp]\nrate_limit = 1e9", "smtp.rate_limit"), ("[smtp]\nretry_delay = inf",
                                                       "smtp.retry_delay"),
    ("[smtp]\nretry_delay = 1e6", "smtp.retry_delay"), ("[smtp]\nretries = 11", "smtp.retries"),
    ("[smtp]\nport = 0", "smtp.port"), ("[smtp]\nport = 70000", "smtp.port"),
    ("[suppression]\nsoft_bounce_limit = 0", "suppression.soft_bounce_limit"),
    ("[suppression]\nsoft_bounce_limit = 1000", "suppression.soft_bounce_limit"),
    ("[email]\nmax_message_bytes = 10", "email.max_message_bytes"),
    ("[email]\nmax_message_bytes = 1e12", "email.max_message_bytes"),
    ("[dkim]\nselector = \"a b\"", "dkim.selector"),
])
def test_mail_numbers_have_finite_ranges(tmp_path: Path, line: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"setting '{key}'"):
        load_settings(settings_file(tmp_path, line + "\n"))


def test_defaults_are_finite() -> None:
    settings = load_settings(Path("/nonexistent/pubkit.toml"))
    for value in (settings.smtp.timeout, settings.smtp.rate_limit, settings.smtp.retry_delay):
        assert math.isfinite(value)


@pytest.fixture
def site(sample_site: Site) -> Site:
    configure(sample_site.root)
    return open_site(sample_site.root)


def composed_with(site: Site, subject: str, intro: str = "Hi.") -> object:
    (site.newsletters_dir / "x.md").write_text(
        f"---\nsubject: \"{subject}\"\narticles: [ketamine-pain-management]\n---\n{intro}\n",
        encoding="utf-8")
    return compose_newsletter(site.newsletters_dir / "x.md", RenderContext.for_site(site))


@pytest.mark.parametrize("value", ["Ann\x1b[2J", "Ann\x00", "Ann\x7f", "Ann\u2028", "Ann\x85",
                                   "Ann\r\nBcc: x@evil.example", "Ann\x9b31m"])
def test_a_merge_result_bound_for_the_subject_is_refused_naming_the_field(site: Site,
                                                                          value: str) -> None:
    composed = composed_with(site, "{{ first_name | default('Friend') }}, news")
    with pytest.raises(UnsafeHeader) as caught:
        composed.message_for(Recipient("a@example.org", "", {"first_name": value}))  # type: ignore[attr-defined]
    text = str(caught.value)
    assert text.startswith("Subject: merge field {{ first_name | default('Friend') }}")
    assert "newsletters/x.md:2" in text
    # The body may carry the same value: it is escaped there, never a header.
    composed.message_for(Recipient("a@example.org", "", {"first_name": "Ann"}))  # type: ignore[attr-defined]


EXPENSIVE = [
    "'x' | center(20000000)", "'x' | indent(20000000)", "'%20000000s' | format('x')",
    "'x' | wordwrap(5)", "'x'.ljust(20000000)", "'x'.rjust(20000000)", "'x'.zfill(20000000)",
    "'x'.center(20000000)", "'\\t'.expandtabs(20000000)", "'{:>20000000}'.format('x')",
    "'%20000000s' % 'x'", "'x' * 20000000", "['x'] * 20000000", "9 ** 9999999",
    "(9 ** 100) ** 100", "('x' * 9999) | replace('x', 'xx')", "'x' ~ ('y' * 10001)",
    "('x' * 6000) + ('y' * 6000)", "first_name | safe", "lipsum(1000000)",
    "range(100000) | join('x')", "first_name.__class__.__mro__",
]


@pytest.mark.parametrize("source", EXPENSIVE)
def test_no_merge_expression_builds_a_huge_value(source: str) -> None:
    fields = MergeFields("n.md", "abcd1234")
    try:
        fields.add(source, 3)
    except SourceError as exc:  # refused when the newsletter is read
        assert exc.diagnostic.line == 3
        return
    for values in ({}, {"first_name": "Ann"}, {"first_name": "x" * 9000}):
        try:
            value = fields.values(values)[-1]
        except MergeError as exc:
            assert "n.md:3: merge field" in str(exc)
            continue
        assert len(value) <= MAX_FIELD_CHARS


def test_a_long_column_value_is_capped_whatever_the_expression(site: Site) -> None:
    composed = composed_with(site, "News", "Hi {{ first_name ~ first_name }}.")
    with pytest.raises(MergeError, match=r"over the limit of 10,000"):
        composed.message_for(Recipient("a@example.org", "", {"first_name": "y" * 6000}))  # type: ignore[attr-defined]


def test_send_reports_a_capped_field_and_exits_1(site: Site, port: int) -> None:
    (site.newsletters_dir / "sample.md").write_text(
        "---\nsubject: News\narticles: [ketamine-pain-management]\n---\n"
        "Hi {{ first_name ~ first_name ~ first_name }}.\n", encoding="utf-8")
    listed = site.root / "list.csv"
    listed.write_text("email,first_name\nok@example.org,Ann\nbig@example.org," + "z" * 4000
                      + "\n", encoding="utf-8")
    result = runner.invoke(app, ["send", "sample", "--to", str(listed), "--yes", "--smtp-port",
                                 str(port), "--site", str(site.root)])
    assert result.exit_code == 1
    assert "big@example.org (line 3)" in result.stderr
    assert "merge field {{ first_name ~ first_name ~ first_name }}" in result.stderr
    assert "1 sent, 1 failed" in result.stdout


def test_a_message_over_max_message_bytes_is_not_sent(site: Site, port: int) -> None:
    with (site.root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[suppression]\n")  # a later section, so the next key lands in [email]
    text = (site.root / "pubkit.toml").read_text()
    (site.root / "pubkit.toml").write_text(text.replace("[email]\n",
                                                        "[email]\nmax_message_bytes = 100000\n"))
    big = "\n\n".join("Paragraph " + "words " * 60 for _ in range(400))
    (site.newsletters_dir / "sample.md").write_text(
        f"---\nsubject: News\narticles: [ketamine-pain-management]\n---\n{big}\n",
        encoding="utf-8")
    write_csv(site.root / "list.csv", [("ann@example.org", "Ann")])
    result = runner.invoke(app, ["send", "sample", "--to", str(site.root / "list.csv"), "--yes",
                                 "--smtp-port", str(port), "--site", str(site.root)])
    assert result.exit_code == 1
    assert "over the limit of 100,000 (email.max_message_bytes)" in result.stderr


# -- one normalised form of an address --------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("Ana@Example.org", "ana@example.ORG"),
    ("ana@bücher.example", "ana@xn--bcher-kva.example"),
    ("ANA@BÜCHER.EXAMPLE", "ana@xn--bcher-kva.example"),
    ("ana@ｅｘａｍｐｌｅ.org", "ana@example.org"),
    (" ana@example.org ", "ana@example.org"),
    ("ana@faß.de", "ana@xn--fa-hia.de"),
])
def test_addresses_compare_in_one_form(a: str, b: str) -> None:
    assert address_key(a) == address_key(b)
    listed = parse_recipients(f"email\n{a}\n{b}\n")
    assert len(listed.recipients) == 1 and "duplicate address" in listed.problems[0].message


def test_ledger_and_tokens_use_the_same_form(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite", "n", "h") as ledger:
        ledger.record("Ana@BÜCHER.example", "sent", 250, "ok")
        assert ledger.get("ana@xn--bcher-kva.example") is not None
    secret = "s" * 32
    assert unsubscribe_token(secret, "Ana@BÜCHER.example") == unsubscribe_token(
        secret, "ana@xn--bcher-kva.example")
    named = read_unsubscribe_token(secret, unsubscribe_token(secret, "Ana@BÜCHER.example"))
    assert named is not None and named.address == "ana@xn--bcher-kva.example"


def test_unusable_domains_are_refused_in_the_list() -> None:
    listed = parse_recipients("email\nana@a_b.example\nbo@-bad.example\n")
    assert listed.recipients == [] and len(listed.problems) == 2


def test_recipients_file_is_read_safely(tmp_path: Path) -> None:
    import os

    from pubkit.send.recipients import RecipientsError, read_recipients

    fifo = tmp_path / "list.fifo"
    os.mkfifo(fifo)
    with pytest.raises(RecipientsError, match="not a regular file"):
        read_recipients(fifo)  # returns at once: the FIFO is never waited on
    with pytest.raises(RecipientsError, match="not a regular file"):
        read_recipients(tmp_path)
