"""The issue's web version ("View in your browser") and UTM parameters on the site's own links."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from email.message import EmailMessage

from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.newsletter import compose_newsletter
from pubkit.renderers.email.utm import utm_tagger
from pubkit.send.recipients import Recipient
from pubkit.settings import Settings
from pubkit.site import Site, outputs

ISSUE = """\
---
subject: "{{ first_name | default('Friend') }}, news"
preheader: "For {{ first_name | default('you') }}"
articles: [sleep]
---
Hi {{ first_name | default("there") }} ({{ email }}). See [our page](https://clinic.example/health/team.html),
[a page with a query](https://clinic.example/health/x.html?a=1&utm_source=mine#top),
[another site](https://other.example/health/a.html) and [mail us](mailto:desk@clinic.example).
"""
UTM = """
base_url = "https://clinic.example/health/"
[email]
from_address = "news@clinic.example"
token_secret = "0123456789abcdef0123456789abcdef"
unsubscribe_url = "https://clinic.example/health/unsubscribe?token={token}"
[email.utm]
source = "newsletter"
medium = "email"
campaign = "{newsletter}"
"""


def build(make_site: Callable[..., Site], toml: str = UTM) -> Site:
    return make_site({"content/sleep.md": "---\ntitle: Sleep\n---\nRest.\n",
                      "newsletters/june.md": ISSUE}, toml=toml)


def parsed(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_links_to_the_site_get_utm_and_others_do_not(make_site: Callable[..., Site]) -> None:
    site = build(make_site)
    composed = compose_newsletter(site.root / "newsletters/june.md", RenderContext.for_site(site))
    msg = parsed(composed.message_for(Recipient("ann@example.org", "Ann", {"first_name": "Ann"}))
                 .as_bytes())
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    tags = "utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=june"
    assert f'href="https://clinic.example/health/team.html?{tags}"' in html
    assert f'href="https://clinic.example/health/sleep.html?{tags}"' in html  # the teaser
    # The author's own utm_source stays; only the missing parameters are added.
    assert ('href="https://clinic.example/health/x.html?a=1&amp;utm_source=mine&amp;'
            'utm_medium=email&amp;utm_campaign=june#top"') in html
    assert 'href="https://other.example/health/a.html"' in html
    assert 'href="mailto:desk@clinic.example"' in html
    # The unsubscribe link stays exactly as signed.
    unsubscribe = re.search(r'href="(https://clinic\.example/health/unsubscribe[^"]*)"', html)
    assert unsubscribe and "utm_" not in unsubscribe.group(1)
    assert "utm_" not in str(msg["List-Unsubscribe"])
    assert "https://clinic.example/health/sleep.html?utm_source=newsletter&utm_medium=email" \
        in text


def test_no_utm_settings_no_parameters(make_site: Callable[..., Site]) -> None:
    site = build(make_site, UTM.split("[email.utm]")[0])
    composed = compose_newsletter(site.root / "newsletters/june.md", RenderContext.for_site(site))
    assert "utm_medium" not in composed.preview_files()["newsletter.html"].decode()


def test_tagger_respects_the_base_path() -> None:
    settings = Settings.model_validate({"base_url": "https://clinic.example/health/",
                                        "email": {"utm": {"source": "nl"}}})
    tag = utm_tagger(settings, "june")
    assert tag("https://clinic.example/health/a.html") == \
        "https://clinic.example/health/a.html?utm_source=nl"
    assert tag("https://CLINIC.example/health/") == "https://CLINIC.example/health/?utm_source=nl"
    for untouched in ("https://clinic.example/other/a.html", "http://clinic.example/health/a",
                      "https://clinic.example.evil/health/a", "https://clinic.example/healthy/x",
                      "mailto:a@clinic.example", "https://clinic.example/health/a?utm_source=x"):
        assert tag(untouched) == untouched


def test_the_web_version_has_no_personal_data_and_the_email_links_to_it(
        make_site: Callable[..., Site]) -> None:
    site = build(make_site)
    assert outputs.issue_page_path("june") == "newsletters/june.html"
    url = outputs.public_url(site.settings.base_url, outputs.issue_page_path("june"))
    assert url == "https://clinic.example/health/newsletters/june.html"
    composed = compose_newsletter(site.root / "newsletters/june.md", RenderContext.for_site(site))
    ann = Recipient("ann.lima@example.org", "Ann Lima", {"first_name": "Ann"})
    msg = parsed(composed.message_for(ann).as_bytes())
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f'href="{url}?utm_source=newsletter' in html and ">View in your browser</a>" in html
    assert text.startswith(f"View in your browser: {url}?utm_source=newsletter")

    page = composed.web_page().decode()
    assert "Hi there ()." in page and "Friend, news" in page  # the defaults, nobody's values
    for personal in ("Ann", "ann.lima", "unsubscribe", "token", "View in your browser",
                     'class="preheader"'):
        assert personal not in page
    result = CliRunner().invoke(app, ["newsletter", str(site.root / "newsletters/june.md"),
                                      "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    written = site.output_dir / "html" / "newsletters" / "june.html"
    assert written.read_bytes() == composed.web_page()
    assert "output/html/newsletters/june.html" in result.output


def test_an_article_email_links_to_the_article_page(make_site: Callable[..., Site]) -> None:
    site = build(make_site)
    result = CliRunner().invoke(app, ["render", "--email", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    msg = parsed((site.output_dir / "email" / "sleep.eml").read_bytes())
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'href="https://clinic.example/health/sleep.html?utm_source=newsletter' in html
    assert "newsletters/sleep.html" not in html
