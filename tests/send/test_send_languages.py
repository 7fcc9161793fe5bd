"""``pubkit send`` in each reader's language, end to end: the sample issue and its Spanish
version, a mixed-language list, the dry run's files and a real aiosmtpd server."""

from __future__ import annotations

import csv
import email
import html.parser
import json
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.send.tokens import read_unsubscribe_token
from pubkit.site import Site
from pubkit.site.indexing import build_index
from pubkit.theme import builtin_templates
from tests.send.compliant import SECRET, configure
from tests.send.smtp_server import ScriptedHandler

runner = CliRunner()
SLEEP = """\
---
title: Sleep and Pain
summary: Good sleep makes pain easier to bear.
status: approved
reviewed_on: 2026-11-01
date: 2026-10-01
---
Sleep helps.
"""
ROWS = [
    ("en@example.org", "Ann", "en"),
    ("es@example.org", "Blanca", "es"),
    ("mx@example.org", "Carlos", "es-MX"),
    ("fr@example.org", "Denise", "fr"),
    ("none@example.org", "Eve", ""),
    ("bad@example.org", "Frank", "es\u202e/../../etc"),
]
SPANISH = {"es@example.org": "Blanca", "mx@example.org": "Carlos"}


@pytest.fixture
def site(sample_site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    configure(sample_site.root)
    # A second featured article with no Spanish translation.
    (sample_site.content_dir / "sleep-and-pain.md").write_text(SLEEP, encoding="utf-8")
    issue = sample_site.newsletters_dir / "sample.md"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("articles: [ketamine-pain-management]",
                                  "articles: [ketamine-pain-management, sleep-and-pain]"),
                     encoding="utf-8")
    with (sample_site.root / "list.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "first_name", "lang"])
        out.writerows(ROWS)
    monkeypatch.chdir(sample_site.root)
    return sample_site


def send(site: Site, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["send", "newsletters/sample.md", "--to", "list.csv",
                                 "--site", str(site.root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def translation_url(site: Site) -> str:
    index = build_index(site).index
    original = index.by_slug("ketamine-pain-management")
    assert original is not None
    spanish = index.translation(original, "es")
    assert spanish is not None and spanish.slug == "ketamina-manejo-del-dolor"
    return index.page_url(spanish, site.settings.base_url)


class _Visible(html.parser.HTMLParser):
    """The text a reader sees in an HTML part, but for cells in another language than ``lang``."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.words: list[str] = []
        self._skip = 0
        self._cells: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "title")
        if tag == "td":
            other = dict(attrs).get("lang") not in (None, self.lang)
            self._cells.append(other)
            self._skip += other

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title")
        if tag == "td" and self._cells:
            self._skip -= self._cells.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words.append(data)


def english_only_strings() -> list[str]:
    """pubkit's own English words that the Spanish catalogue words differently."""
    def catalogue(lang: str) -> dict[str, str]:
        path = builtin_templates() / f"locale/{lang}/LC_MESSAGES/pubkit.po"
        out: dict[str, str] = {}
        with path.open("rb") as fh:
            for m in read_po(fh):
                if isinstance(m.id, str) and m.id:
                    out[m.id] = m.string
                elif isinstance(m.id, tuple):  # plural forms: every form of each
                    out.update({f"{m.id[0]}#{i}": form or m.id[min(i, 1)]
                                for i, form in enumerate(m.string)})
        return out

    english, spanish = catalogue("en"), catalogue("es")
    found = []
    for msgid, text in english.items():
        text = text or msgid.partition("#")[0]
        for piece in re.split(r"%\(\w+\)s|%s|%d", text):
            piece = piece.strip(" .,:·")
            if len(piece) >= 4 and spanish.get(msgid) and piece not in spanish[msgid]:
                found.append(piece)
    return sorted(set(found))


def bodies(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, page


def check_message(site: Site, address: str, msg: EmailMessage, spanish_url: str,
                  english: list[str]) -> None:
    text, page = bodies(msg)
    token = re.search(r"token=([A-Za-z0-9_-]+)>", msg["List-Unsubscribe"])
    assert token is not None
    if address in SPANISH:
        first = SPANISH[address]
        assert msg["Content-Language"] == "es"
        assert str(msg["Subject"]) == (f"{first}, lo que la ketamina puede hacer por el dolor "
                                       "crónico")
        assert re.search(r'class="preheader"[^>]*>En qué se diferencia la ketamina de los '
                         "opioides", page)
        assert f"Hola, {first}:" in text
        assert f'href="{spanish_url}"' in page and f"Leer el artículo: {spanish_url}" in text
        # The untranslated article is featured as it is (in English, marked so).
        assert "Sleep and Pain" in text
        assert "Darse de baja:" in text and ">Darse de baja</a>" in page
        assert "Ver en el navegador" in page
        assert "subject=baja%20" in msg["List-Unsubscribe"]
        assert read_unsubscribe_token(SECRET, token.group(1)).lang == "es"  # type: ignore[union-attr]
        # The untranslated teaser is in English on purpose, facts included (marked lang="en"
        # in the HTML); every other word of pubkit's is Spanish.
        visible = _Visible("es")
        visible.feed(page)
        sections = [s for s in text.split("\n\n\n") if "Sleep and Pain" not in s]
        assert len(sections) == len(text.split("\n\n\n")) - 1
        seen = re.sub(r"https?://\S+", "", "\n".join([*sections, *visible.words]))
        assert "Sleep and Pain" not in seen and "Darse de baja" in seen
        leftover = [w for w in english if re.search(rf"\b{re.escape(w)}\b", seen)]
        assert leftover == [], leftover
    else:
        assert msg["Content-Language"] == "en"
        assert str(msg["Subject"]).endswith(", what ketamine can do for chronic pain")
        assert "Read the article: https://example.com/ketamine-pain-management.html" in text
        assert spanish_url not in page
        assert "Unsubscribe:" in text and "subject=unsubscribe%20" in msg["List-Unsubscribe"]
        assert read_unsubscribe_token(SECRET, token.group(1)).lang == "en"  # type: ignore[union-attr]


def test_the_dry_run_writes_each_reader_the_issue_in_their_language(site: Site) -> None:
    code, out, err = send(site)
    assert code == 0, err
    folder = site.output_dir / "send" / "sample"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == len(ROWS)
    spanish_url = translation_url(site)
    english = english_only_strings()
    assert "Unsubscribe" in english and "View in your browser" in english
    for path, (address, _, _) in zip(files, ROWS, strict=True):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg["To"].addresses[0].addr_spec == address
        check_message(site, address, msg, spanish_url, english)  # type: ignore[arg-type]
    assert "by language: en 4, es 2;" in out
    report = json.loads((folder / "dry-run.json").read_text(encoding="utf-8"))
    assert report["languages"] == {"en": 4, "es": 2}
    assert report["invalid"] == 0 and [r["line"] for r in report["bad_languages"]] == [7]
    # The hostile value is named with its row, quoted, and its reader gets the base language.
    assert re.search(r"list\.csv:7: warning: lang 'es\\u202e/\.\./\.\./etc' is not a language "
                     r"tag .*gets the base language", err)
    # One warning for the article without a Spanish translation, however many Spanish readers.
    said = [line for line in err.splitlines() if "has no es translation" in line]
    assert said == ["newsletters/sample.es.md: warning: article 'sleep-and-pain' has no es "
                    "translation: the es version features it in en (content/sleep-and-pain.md)"]
    # Each version's public page is written where its messages point.
    assert (site.output_dir / "html/newsletters/es/sample.html").is_file()
    assert (site.output_dir / "html/newsletters/sample.html").is_file()


def test_a_real_send_delivers_each_reader_their_language(site: Site, port: int,
                                                         handler: ScriptedHandler) -> None:
    code, out, err = send(site, "--yes", "--smtp-port", str(port))
    assert code == 0, err
    spanish_url = translation_url(site)
    english = english_only_strings()
    for address, _, _ in ROWS:
        msg = email.message_from_bytes(handler.message_to(address), policy=policy.default)
        check_message(site, address, msg, spanish_url, english)  # type: ignore[arg-type]
    assert "6 sent, 0 failed" in out and "by language: en 4, es 2;" in out
    report = json.loads((site.output_dir / "send/sample/report.json").read_text(encoding="utf-8"))
    assert (report["sent"], report["languages"]) == (6, {"en": 4, "es": 2})
    assert sum("has no es translation" in line for line in err.splitlines()) == 1
    # To the ledger it is one newsletter: a rerun sends nobody anything, in any language.
    code, out, _ = send(site, "--yes", "--smtp-port", str(port))
    assert code == 0 and "0 sent, 0 failed, 6 skipped" in out
    assert set(handler.counts().values()) == {1}


def test_the_gate_checks_the_spanish_version(site: Site, port: int,
                                             handler: ScriptedHandler) -> None:
    page = (builtin_templates() / "email" / "message.html.j2").read_text(encoding="utf-8")
    start = page.index('<p class="unsubscribe">')
    end = page.index("</p>", start) + 4
    override = site.root / "templates" / "email" / "message.html.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(page[:start] + '{% if lang != "es" %}' + page[start:end] + "{% endif %}"
                        + page[end:], encoding="utf-8")
    code, _, err = send(site, "--yes", "--smtp-port", str(port))
    assert code == 2
    assert ("newsletters/sample.es.md: error: the es version's messages lack the unsubscribe "
            "link (in the HTML part)") in err
    assert "newsletters/sample.md: error" not in err  # the base issue has its link
    assert handler.received == []


def test_the_gate_checks_the_featured_translations(site: Site, port: int,
                                                   handler: ScriptedHandler) -> None:
    spanish = site.content_dir / "ketamina-manejo-del-dolor.md"
    spanish.write_text(spanish.read_text(encoding="utf-8").replace("status: approved",
                                                                   "status: draft"),
                       encoding="utf-8")
    code, _, err = send(site, "--yes", "--smtp-port", str(port))
    assert code == 2
    assert ("content/ketamina-manejo-del-dolor.md: error: featured article "
            "'ketamina-manejo-del-dolor' is a draft") in err
    assert handler.received == []


def test_sending_a_versions_file_sends_the_whole_issue(site: Site) -> None:
    result = runner.invoke(app, ["send", "newsletters/sample.es.md", "--to", "list.csv",
                                 "--site", str(site.root)])
    assert result.exit_code == 0, result.stderr
    assert "by language: en 4, es 2;" in result.stdout
    assert Path(site.output_dir / "send" / "sample").is_dir()


def test_suppressed_readers_are_left_out_in_every_language(site: Site) -> None:
    result = runner.invoke(app, ["suppress", "add", "MX@example.org", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    code, out, err = send(site)
    assert code == 0, err
    assert "1 suppressed" in out and "by language: en 4, es 1;" in out
    names = sorted(p.name for p in (site.output_dir / "send" / "sample").glob("*.eml"))
    assert len(names) == 5 and not any("mx@" in n for n in names)
