"""Newsletter composition: personalisation, unsubscribe tokens, hashing, previews, the CLI."""

from __future__ import annotations

import email
import email.policy
import io
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.diagnostics import SourceError
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.mime import UnsafeHeader
from pubkit.renderers.email.newsletter import ComposedNewsletter, compose_newsletter
from pubkit.send.recipients import Recipient
from pubkit.send.tokens import Unsubscriber, message_tag, read_unsubscribe_token, unsubscribe_token
from pubkit.site import Site

ISSUE = """\
---
subject: "{{ first_name | default('Friend') }}, news for {{ city | default('you') }}"
preheader: "This month: {{ topic | default('sleep') }}"
articles: [sleep, pain]
date: 2024-06-01
---
Hello {{ first_name | default("there") }}, from **{{ city | default("the clinic") }}**.
"""
SLEEP = "---\ntitle: Sleep\nsummary: Rest matters. {{ 7 * 7 }}\n---\nA {{ first_name }} body.\n"
PAIN = "---\ntitle: Pain\ndate: 2024-02-02\n---\nPain body {% raw %}.\n"


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site(
        {"content/sleep.md": SLEEP, "content/pain.md": PAIN, "newsletters/june.md": ISSUE},
        toml='[email]\nfrom_name = "Clinic News"\nfrom_address = "news@clinic.example"\n'
             'token_secret = "s3cret"\n'
             'unsubscribe_url = "https://clinic.example/u?t={token}&e={email}"\n',
    )


@pytest.fixture
def composed(site: Site) -> ComposedNewsletter:
    return compose_newsletter(site.root / "newsletters" / "june.md", RenderContext.for_site(site))


def parsed(msg: EmailMessage) -> EmailMessage:
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def bodies(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    return text, html


def test_contract(composed: ComposedNewsletter) -> None:
    assert composed.name == "june"
    assert re.fullmatch(r"[0-9a-f]{64}", composed.content_hash)
    files = composed.preview_files()
    assert sorted(files) == ["newsletter.eml", "newsletter.html", "newsletter.txt"]
    preview = email.message_from_bytes(files["newsletter.eml"], policy=email.policy.default)
    assert str(preview["Subject"]) == "Friend, news for you"
    assert str(preview["To"]) == "Reader <reader@example.com>"
    assert str(preview["From"]) == "Clinic News <news@clinic.example>"
    assert str(preview["Reply-To"]) == "news@clinic.example"  # defaults to the sender


def test_merge_fields_fill_subject_preheader_and_intro(composed: ComposedNewsletter) -> None:
    ann = Recipient("ann@example.org", "Ann Lee", {"first_name": "Ann", "city": "Austin"}, 2)
    msg = parsed(composed.message_for(ann))
    assert str(msg["To"]) == "Ann Lee <ann@example.org>"
    assert str(msg["Subject"]) == "Ann, news for Austin"
    text, html = bodies(msg)
    assert "Hello Ann, from Austin." in text
    assert "Hello Ann, from <strong>Austin</strong>." in html
    assert "This month: sleep" in html
    assert "<title>Ann, news for Austin</title>" in html
    assert ">June 1, 2024</p>" in html
    assert text.startswith("View in your browser: https://example.com/newsletters/june.html\n\n"
                           "Test Clinic\nJune 1, 2024\n")


def test_empty_columns_take_the_default(composed: ComposedNewsletter) -> None:
    bo = Recipient("bo@example.org", "", {"first_name": "", "city": ""}, 3)
    msg = parsed(composed.message_for(bo))
    assert str(msg["Subject"]) == "Friend, news for you"
    assert str(msg["To"]) == "bo@example.org"
    assert "Hello there, from the clinic." in bodies(msg)[0]


def test_article_content_is_never_a_template(composed: ComposedNewsletter) -> None:
    ann = Recipient("ann@example.org", "Ann", {"first_name": "Ann"})
    text, html = bodies(parsed(composed.message_for(ann)))
    assert "Rest matters. {{ 7 * 7 }}" in text and "49" not in text
    assert "Rest matters. {{ 7 * 7 }}" in html


def test_merged_values_are_escaped_in_html_only(composed: ComposedNewsletter) -> None:
    eve = Recipient("eve@example.org", "Eve", {"first_name": "<b>Eve</b> & co"})
    msg = parsed(composed.message_for(eve))
    text, html = bodies(msg)
    assert "Hello <b>Eve</b> & co," in text
    assert "Hello &lt;b&gt;Eve&lt;/b&gt; &amp; co," in html and "<b>Eve" not in html
    assert str(msg["Subject"]) == "<b>Eve</b> & co, news for you"


def test_unsubscribe_token_is_per_recipient(composed: ComposedNewsletter) -> None:
    tokens = {}
    for address in ("ann@example.org", "bo@example.org"):
        msg = parsed(composed.message_for(Recipient(address, "", {})))
        expected = unsubscribe_token("s3cret", address, "en")
        assert read_unsubscribe_token("s3cret", expected) == Unsubscriber(address, "en")
        assert address not in expected and "ann" not in expected  # the address is hidden
        url = f"https://clinic.example/u?t={expected}&e={address}"
        assert f"<{url}>" in str(msg["List-Unsubscribe"])
        text, html = bodies(msg)
        assert f"Unsubscribe: {url}" in text
        assert f'href="{url.replace("&", "&amp;")}"' in html
        tokens[address] = expected
        tag = message_tag("s3cret", composed.content_hash[:20], address)
        assert str(msg["Message-ID"]) == f"<{composed.content_hash[:20]}.{tag}@clinic.example>"
    assert len(set(tokens.values())) == 2


@pytest.mark.parametrize(
    ("recipient", "field"),
    [
        (Recipient("ann@example.org", "Ann\r\nBcc: x@example.org", {}), "To name"),
        (Recipient("ann@example.org\nBcc: x@example.org", "Ann", {}), "To address"),
        (Recipient("ann@example.org", "Ann", {"first_name": "A\u2028B"}), "Subject"),
        (Recipient("not an address", "Ann", {}), "To"),
    ],
)
def test_header_injection_is_refused_naming_the_field(
    composed: ComposedNewsletter, recipient: Recipient, field: str
) -> None:
    with pytest.raises(UnsafeHeader, match=f"^{field}"):
        composed.message_for(recipient)


def test_content_hash_is_stable_and_tracks_the_content(site: Site) -> None:
    path = site.root / "newsletters" / "june.md"
    first = compose_newsletter(path, RenderContext.for_site(site)).content_hash
    assert compose_newsletter(path, RenderContext.for_site(site)).content_hash == first
    path.write_text(ISSUE.replace("Hello", "Hi"), encoding="utf-8")
    assert compose_newsletter(path, RenderContext.for_site(site)).content_hash != first


def test_teasers_in_another_language_carry_lang_and_dir(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/en.md": "---\ntitle: Pain\n---\nx\n",
                      "content/ar.md": "---\ntitle: ألم\nlang: ar\n---\nنص\n",
                      "newsletters/n.md": "---\nsubject: S\narticles: [en, ar]\n---\n"})
    composed = compose_newsletter(site.root / "newsletters" / "n.md", RenderContext.for_site(site))
    html = composed.preview_files()["newsletter.html"].decode()
    assert '<html lang="en" dir="ltr">' in html
    assert html.count('dir="rtl" lang="ar"') == 1  # css-inline sorts attributes


def test_intro_images_next_to_the_issue_and_embedded(make_site: Callable[..., Site]) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (0, 90, 120)).save(buf, "PNG")
    site = make_site({"content/sleep.md": SLEEP, "newsletters/team.png": buf.getvalue(),
                      "newsletters/n.md": "---\nsubject: S\narticles: [sleep]\n---\n"
                                          "![Our team](team.png)\n"},
                     toml="[email]\nembed_images = true\n")
    composed = compose_newsletter(site.root / "newsletters" / "n.md", RenderContext.for_site(site))
    assert not composed.warnings
    msg = parsed(composed.message_for(Recipient("a@example.org", "", {})))
    related = msg.get_body(("related",))
    assert related is not None
    html_part, image = related.iter_parts()  # type: ignore[union-attr]
    assert image.get_content() == buf.getvalue()
    cid = str(image["Content-ID"]).strip("<>")
    img = re.search(r"<img [^>]*>", html_part.get_content()).group(0)  # type: ignore[union-attr]
    for attribute in (f'src="cid:{cid}"', 'alt="Our team"', 'width="300"', 'height="100"'):
        assert attribute in img


def test_boundary_text_in_content_cannot_split_the_message(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/sleep.md": SLEEP, "newsletters/one.md":
                      "---\nsubject: S\narticles: [sleep]\nlayout: full\n---\n"})
    path = site.root / "newsletters" / "one.md"
    boundary = compose_newsletter(path, RenderContext.for_site(site)).builder.alternative
    # The boundary comes from the issue file alone, so the article may now quote it.
    (site.content_dir / "sleep.md").write_text(
        f"---\ntitle: Sleep\n---\n    --{boundary}\n    --{boundary}--\n", encoding="utf-8")
    composed = compose_newsletter(path, RenderContext.for_site(site))
    assert composed.builder.alternative == boundary
    msg = parsed(composed.message_for(Recipient("m@example.org", "", {})))
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    text, html = bodies(msg)
    assert f"    --{boundary}\n    --{boundary}--" in text and f"--{boundary}--" in html


def test_full_layout_sends_one_article_in_full(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/sleep.md": SLEEP.replace("A {{ first_name }} body.",
                                                        "First.\n\nSecond para."),
                      "newsletters/one.md": "---\nsubject: S\narticles: [sleep]\nlayout: full\n---\n"})
    composed = compose_newsletter(site.root / "newsletters" / "one.md", RenderContext.for_site(site))
    text, html = bodies(parsed(composed.message_for(Recipient("a@example.org", "", {}))))
    assert "First." in text and "Second para." in text
    assert "<p>First.</p>" in html.replace(' style="margin: 0 0 16px 0;"', "")


def test_merge_field_in_a_link_address_is_refused(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/sleep.md": SLEEP, "newsletters/x.md":
                      "---\nsubject: S\narticles: [sleep]\n---\n\n[Profile](https://x.example/{{ id }})\n"})
    with pytest.raises(SourceError, match=r"^newsletters/x\.md:6: merge field \{\{ id \}\}"):
        compose_newsletter(site.root / "newsletters" / "x.md", RenderContext.for_site(site))


def test_gmail_clipping_warning(make_site: Callable[..., Site]) -> None:
    long = "\n\n".join(f"Paragraph {i} " + "words " * 40 for i in range(500))
    site = make_site({"content/big.md": f"---\ntitle: Big\n---\n{long}\n",
                      "newsletters/big.md": "---\nsubject: S\narticles: [big]\nlayout: full\n---\n"})
    composed = compose_newsletter(site.root / "newsletters" / "big.md", RenderContext.for_site(site))
    assert any("Gmail clips" in str(w) for w in composed.warnings)
    html = composed.preview_files()["newsletter.html"]
    assert len(html) > 102 * 1024


def test_cli_newsletter_writes_the_three_files(sample_site: Site) -> None:
    result = CliRunner().invoke(app, ["newsletter", str(sample_site.root / "newsletters" / "sample.md"),
                                      "--site", str(sample_site.root)])
    assert result.exit_code == 0, result.output
    folder = sample_site.output_dir / "newsletters" / "sample"
    assert sorted(p.name for p in folder.iterdir()) == [
        "newsletter.eml", "newsletter.html", "newsletter.txt"]
    text = (folder / "newsletter.txt").read_text()
    assert "The Role of Ketamine in Pain Management\n---" in text
    assert "Read the article: https://example.com/ketamine-pain-management.html" in text
    assert "Hi there," in text


def test_cli_newsletter_reports_path_and_line(sample_site: Site) -> None:
    bad = sample_site.root / "newsletters" / "bad.md"
    bad.write_text("---\nsubject: S\narticles:\n  - no-such-article\n---\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["newsletter", str(bad), "--site", str(sample_site.root)])
    assert result.exit_code == 1
    assert "newsletters/bad.md:4: article 'no-such-article' not found" in result.output
    assert not (sample_site.output_dir / "newsletters" / "bad").exists()


def test_init_scaffolds_a_newsletter_that_composes(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["init", str(tmp_path / "new")]).exit_code == 0
    result = CliRunner().invoke(app, ["newsletter", str(tmp_path / "new/newsletters/sample.md"),
                                      "--site", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new/output/newsletters/sample/newsletter.eml").is_file()


# ---------------------------------------------------------------- language versions
SUEÑO = ("---\ntitle: El sueño\nlang: es\nslug: sueno\ntranslation_of: sleep\nsummary: Descansar "
         "importa.\n---\nUn texto.\n")
ISSUE_ES = """\
---
subject: "{{ first_name | default('Hola') }}, noticias de la clínica"
preheader: Este mes, el sueño
---
Hola{{ (", " ~ first_name) if first_name else "" }}: le contamos **novedades**.
"""


@pytest.fixture
def versioned(make_site: Callable[..., Site]) -> Site:
    return make_site(
        {"content/sleep.md": SLEEP, "content/pain.md": PAIN, "content/sueno.md": SUEÑO,
         "newsletters/june.md": ISSUE, "newsletters/june.es.md": ISSUE_ES},
        toml='base_url = "https://clinic.example/"\n[email]\nfrom_address = "news@clinic.example"\n'
             'token_secret = "s3cret"\nunsubscribe_url = "https://clinic.example/u?t={token}"\n'
             'unsubscribe_mailto = "off@clinic.example"\npostal_address = "1 Main St"\n',
    )


def compose_versions(site: Site):  # type: ignore[no-untyped-def]
    from pubkit.renderers.email.newsletter import compose_issue

    return compose_issue(site.root / "newsletters" / "june.md", RenderContext.for_site(site))


def test_each_recipient_gets_the_version_in_their_language(versioned: Site) -> None:
    issue = compose_versions(versioned)
    assert sorted(issue.versions) == ["es"]
    chosen = {lang: issue.edition_for(Recipient("a@example.org", lang=lang)).lang
              for lang in ("en", "es", "es-MX", "ES-mx", "fr", "", "eS")}
    assert chosen == {"en": "en", "es": "es", "es-MX": "es", "ES-mx": "es", "fr": "en", "": "en",
                      "eS": "es"}
    ana = Recipient("ana@example.org", "Ana", {"first_name": "Ana"}, 2, "es-MX")
    msg = parsed(issue.message_for(ana))
    assert str(msg["Subject"]) == "Ana, noticias de la clínica"
    assert msg["Content-Language"] == "es"
    text, html = bodies(msg)
    assert "Hola, Ana: le contamos novedades." in text
    assert re.search(r'class="preheader"[^>]*>Este mes, el sueño', html)
    # Sleep has a Spanish translation; Pain has none and is featured as it is.
    assert "https://clinic.example/es/sueno.html" in html
    assert "https://clinic.example/sleep.html" not in html
    assert "https://clinic.example/pain.html" in html
    assert "Darse de baja" in text and "Ver en el navegador" in html
    assert "subject=baja%20" in msg["List-Unsubscribe"]
    token = re.search(r"t=([A-Za-z0-9_-]+)>", msg["List-Unsubscribe"]).group(1)  # type: ignore[union-attr]
    assert read_unsubscribe_token("s3cret", token) == Unsubscriber("ana@example.org", "es")
    # The base issue is untouched by its version.
    english = parsed(issue.message_for(Recipient("bo@example.org", lang="fr")))
    assert english["Content-Language"] == "en" and "subject=unsubscribe%20" in \
        english["List-Unsubscribe"]
    assert "https://clinic.example/sleep.html" in bodies(english)[1]


def test_an_article_without_translation_is_one_warning_per_version(versioned: Site) -> None:
    issue = compose_versions(versioned)
    for lang in ("es", "es-MX", "es"):
        issue.message_for(Recipient(f"{lang}@example.org", lang=lang))
    said = [str(w) for w in issue.warnings if "translation" in w.message]
    assert said == ["newsletters/june.es.md: warning: article 'pain' has no es translation: the "
                    "es version features it in en (content/pain.md)"]


def test_versions_are_one_newsletter_to_the_ledger(versioned: Site) -> None:
    issue = compose_versions(versioned)
    assert issue.name == "june" and issue.content_hash != issue.base.content_hash
    (versioned.root / "newsletters" / "june.es.md").unlink()
    alone = compose_versions(versioned)
    assert alone.content_hash == alone.base.content_hash  # as before versions existed


def test_a_version_chooses_its_own_articles_and_names_a_bad_lang(versioned: Site) -> None:
    path = versioned.root / "newsletters" / "june.es.md"
    path.write_text("---\nsubject: S\nlang: fr\narticles: [sleep]\n---\nHola.\n", encoding="utf-8")
    issue = compose_versions(versioned)
    spanish = issue.versions["es"]
    assert [a.slug for a in spanish.articles] == ["sueno"]
    assert [str(w) for w in spanish.warnings] == [
        "newsletters/june.es.md:3: warning: lang 'fr' differs from the file name's 'es': the "
        "version is in 'es'"]


def test_version_without_its_base_and_bad_file_names(versioned: Site) -> None:
    ctx = RenderContext.for_site(versioned)
    orphan = versioned.root / "newsletters" / "july.es.md"
    orphan.write_text(ISSUE_ES, encoding="utf-8")
    with pytest.raises(SourceError, match=r"needs its base issue newsletters/july\.md"):
        compose_newsletter(orphan, ctx)
    bad = versioned.root / "newsletters" / "june.e_s.md"
    bad.write_text(ISSUE_ES, encoding="utf-8")
    with pytest.raises(SourceError, match=r"'e_s' in the file name is not a language tag"):
        compose_newsletter(bad, ctx)


def test_a_version_missing_the_unsubscribe_link_is_named(versioned: Site) -> None:
    from pubkit.theme import builtin_templates

    page = (builtin_templates() / "email" / "message.html.j2").read_text(encoding="utf-8")
    start = page.index('<p class="unsubscribe">')
    end = page.index("</p>", start) + 4
    override = versioned.root / "templates" / "email" / "message.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text(page[:start] + '{% if lang != "es" %}' + page[start:end] + "{% endif %}"
                        + page[end:], encoding="utf-8")
    issue = compose_versions(versioned)
    assert issue.base.missing_parts() == []
    assert issue.versions["es"].missing_parts() == ["the unsubscribe link (in the HTML part)"]


def test_cli_newsletter_writes_each_version_under_its_own_name(sample_site: Site) -> None:
    result = CliRunner().invoke(app, ["newsletter", str(sample_site.root / "newsletters" / "sample.md"),
                                      "--site", str(sample_site.root)])
    assert result.exit_code == 0, result.output
    out = sample_site.output_dir
    spanish = out / "newsletters" / "es" / "sample"
    assert sorted(p.name for p in spanish.iterdir()) == [
        "newsletter.eml", "newsletter.html", "newsletter.txt"]
    assert (out / "newsletters" / "sample" / "newsletter.eml").is_file()
    page = (out / "html" / "newsletters" / "es" / "sample.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in page
    text = (spanish / "newsletter.txt").read_text(encoding="utf-8")
    assert "Ver en el navegador: https://example.com/newsletters/es/sample.html" in text
    assert "Leer el artículo: https://example.com/es/ketamina-manejo-del-dolor.html" in text
    assert "Hola:" in text  # no first name in the preview
    # A version's own file writes that version alone.
    (spanish / "newsletter.eml").unlink()
    (out / "newsletters" / "sample" / "newsletter.eml").unlink()
    result = CliRunner().invoke(app, ["newsletter", str(sample_site.root / "newsletters" /
                                                        "sample.es.md"), "--site", str(sample_site.root)])
    assert result.exit_code == 0, result.output
    assert (spanish / "newsletter.eml").is_file()
    assert not (out / "newsletters" / "sample" / "newsletter.eml").exists()


def test_a_version_missing_the_postal_address_is_named(versioned: Site) -> None:
    from pubkit.theme import builtin_templates

    page = (builtin_templates() / "email" / "message.html.j2").read_text(encoding="utf-8")
    postal = '{% if email.postal_address %}'
    assert postal in page
    override = versioned.root / "templates" / "email" / "message.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text(page.replace(postal, '{% if email.postal_address and lang != "es" %}'),
                        encoding="utf-8")
    issue = compose_versions(versioned)
    assert issue.base.missing_parts() == []
    assert issue.versions["es"].missing_parts() == ["the postal address (in the HTML part)"]
