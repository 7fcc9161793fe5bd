"""Real mail-client data and the Nu HTML checker on newsletter and article emails.

caniemail.com's data for Gmail on the web, Outlook for Windows and Apple
Mail on the HTML part of each message, the Nu HTML checker on the HTML
files, and the figures mail clients act on (MIME structure, headers, width)
for the sample newsletter, the sample article's email, an article using
every construct, and a newsletter of the latest two articles.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from tests.tools.browser import nu_check
from tests.tools.caniemail import caniemail
from tests.tools.markup import active_content, broken_images
from tests.tools.message import Message, read_message

pytestmark = pytest.mark.slow

EVERYTHING = """\
---
title: Everything in one email
summary: Every construct an article may hold.
image: lead.png
image_alt: A red square
---
A paragraph with *emphasis*, **strong**, ~~struck~~, `code` and a [link](https://example.org).

![A chart](chart.png "Chart")

## Lists

1. First
2. Second
   - nested

> A quotation
> over two lines.

> [!WARNING]
> Call the [clinic](https://example.org/call) if the pain gets worse:
>
> - a fever
> - swelling

```python
print("hello")
```

| Left | Right |
|:--|--:|
| a | 1 |

---

A note.[^n]

[^n]: The footnote text.
"""


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (180, 20, 20)).save(buf, "PNG")
    return buf.getvalue()


@dataclass(frozen=True)
class Outputs:
    root: Path
    """The output folder."""
    files: list[str]
    """Every HTML page and message written, relative to ``root``."""
    messages: dict[str, Message]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    root = tmp_path_factory.mktemp("acceptance") / "site"
    repo = Path(__file__).resolve().parents[3]
    shutil.copytree(repo / "content", root / "content")
    shutil.copytree(repo / "newsletters", root / "newsletters")
    shutil.copy(repo / "pubkit.toml", root / "pubkit.toml")
    (root / "content" / "everything.md").write_text(EVERYTHING, encoding="utf-8")
    (root / "content" / "chart.png").write_bytes(_png(800, 400))
    (root / "content" / "lead.png").write_bytes(_png(1200, 600))
    (root / "newsletters" / "all.md").write_text(
        "---\nsubject: \"{{ first_name | default('Hello') }}: two articles\"\n"
        "preheader: Two articles this month\nlatest: 2\n---\n"
        "Hi {{ first_name | default('there') }}, a [link](https://example.org) and a list:\n\n"
        "- one\n- two\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["render", "--email"], ["newsletter", str(root / "newsletters/sample.md")],
                 ["newsletter", str(root / "newsletters/all.md")]):
        result = runner.invoke(app, [*args, "--site", str(root)])
        assert result.exit_code == 0, result.output
    out = root / "output"
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.suffix in (".html", ".eml"))
    messages = {f: read_message((out / f).read_bytes()) for f in files if f.endswith(".eml")}
    return Outputs(out, files, messages)


@pytest.fixture(scope="module")
def support(outputs: Outputs) -> dict[str, dict]:
    return caniemail({name: m.html_source for name, m in outputs.messages.items()})


def test_every_output_was_checked(outputs: Outputs) -> None:
    assert outputs.files == sorted([
        "email/everything.eml", "email/everything.html",
        "email/ketamine-pain-management.eml", "email/ketamine-pain-management.html",
        "email/es/ketamina-manejo-del-dolor.eml", "email/es/ketamina-manejo-del-dolor.html",
        "newsletters/all/newsletter.eml", "newsletters/all/newsletter.html",
        "newsletters/sample/newsletter.eml", "newsletters/sample/newsletter.html",
        # The sample issue's Spanish version (newsletters/sample.es.md), under its own name.
        "newsletters/es/sample/newsletter.eml", "newsletters/es/sample/newsletter.html",
        # The web versions of the issues ("View in your browser").
        "html/newsletters/all.html", "html/newsletters/sample.html",
        "html/newsletters/es/sample.html",
    ])


def test_nu_html_checker_finds_no_errors(outputs: Outputs) -> None:
    pages = [outputs.root / f for f in outputs.files if f.endswith(".html")]
    errors = nu_check(pages)
    assert errors == [], [(e.get("url", "")[-40:], e["message"]) for e in errors]
    for path in pages:
        page = lxml.html.document_fromstring(path.read_bytes().decode("utf-8"))
        assert sum(active_content(page).values()) == 0, (path, active_content(page))
        assert broken_images(page, path) == [], path


def test_caniemail_finds_nothing_the_clients_lack_in_the_body(outputs: Outputs, support) -> None:
    assert sorted(support) == sorted(outputs.messages)
    for name, found in support.items():
        assert found["gmail.desktop-webmail"]["unsupported"] == [], name
        assert found["apple-mail.macos"]["unsupported"] == [], name
        # The one exception is the phone media query in the head, which Outlook for
        # Windows ignores by design (it gets the fixed 600 px layout).
        assert found["outlook.windows"]["unsupported"] == ["@media"], name


def test_message_figures(outputs: Outputs) -> None:
    messages = outputs.messages
    for name, msg in messages.items():
        assert msg.alternative and msg.defects == 0, name
        assert msg.headers_missing == [], name
        assert msg.unsubscribe_https and msg.one_click_unsubscribe, name
        assert msg.date_parses and not msg.gmail_clipped, name
        html = msg.html
        assert html.style_blocks == 1 and html.widest_px == 600, name
        assert html.images_without_alt == 0 and html.script_or_frames == 0, name
    assert messages["email/everything.eml"].html.images == 2  # lead image and chart
    assert messages["email/everything.eml"].html.images_remote == 2
    assert messages["newsletters/all/newsletter.eml"].html.images == 1  # the lead image
