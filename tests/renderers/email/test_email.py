"""One article as an email: MIME structure, headers, inlined HTML, images, the CLI."""

from __future__ import annotations

import email
import email.policy
import email.utils
import io
import re
from collections.abc import Callable
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.model.text import plain_text
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.source.reader import read_article

ARTICLE = """\
---
title: Sleep après la douleur
summary: How pain and sleep affect each other.
date: 2024-05-01
---
Intro paragraph with a [relative link](other.md) and a [section link](#tips).

![A chart of sleep hours](chart.png)

## Tips

- Keep a schedule.
- Dim the lights.

| Hours | Pain |
|--:|:--|
| 5 | high |

Claim.[^1]

[^1]: A source.
"""


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site(
        {"content/sleep.md": ARTICLE, "content/chart.png": png(1072, 600),
         "content/other.md": "---\ntitle: Other\n---\nx\n"},
        toml='base_url = "https://clinic.example/health/"\n'
             '[email]\nfrom_name = "Pain Care Clinic"\nfrom_address = "news@clinic.example"\n'
             'reply_to = "desk@clinic.example"\n',
    )


def render(site: Site, **settings: object) -> tuple[EmailMessage, dict[str, bytes], RenderContext]:
    ctx = RenderContext.for_site(site)
    for key, value in settings.items():
        setattr(ctx.settings.email, key, value)
    [result] = render_path(site.content_dir / "sleep.md", ["email"], ctx)
    assert result.ok, result.error
    assert result.output is not None
    msg = email.message_from_bytes(result.output.data, policy=email.policy.default)
    companions = {f"sleep{suffix}": data for suffix, data in result.output.companions.items()}
    return msg, companions, ctx


def html_of(msg: EmailMessage) -> str:
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return html.replace("\r\n", "\n")


@pytest.mark.parametrize(("front", "expected"), [
    ("reviewed_on: 2026-11-16\n", "2026-11-16"),
    ("date: 2024-05-01\nreviewed_on: 2026-11-16\n", "2024-05-01"),
    ("", "2001-09-09"),
])
def test_date_comes_from_the_article_not_the_clone(
        make_site: Callable[..., Site], front: str, expected: str) -> None:
    """A fresh clone's files are as new as the clone: a dated article's message must not follow them."""
    import os

    site = make_site({"content/sleep.md": f"---\ntitle: Sleep\n{front}---\nBody.\n"})
    os.utime(site.content_dir / "sleep.md", (1_000_000_000, 1_000_000_000))
    msg, _, _ = render(site)
    assert email.utils.parsedate_to_datetime(str(msg["Date"])).date().isoformat() == expected


def test_structure_and_headers(site: Site) -> None:
    msg, extras, _ = render(site)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert not msg.defects and all(not p.defects for p in msg.walk())
    assert str(msg["From"]) == "Pain Care Clinic <news@clinic.example>"
    assert str(msg["Reply-To"]) == "desk@clinic.example"
    assert str(msg["To"]) == "Reader <reader@example.com>"
    assert str(msg["Subject"]) == "Sleep après la douleur"
    assert email.utils.parsedate_to_datetime(str(msg["Date"])).date().isoformat() == "2024-05-01"
    assert re.fullmatch(r"<[0-9a-f]{20}\.[0-9a-f]{24}@clinic\.example>", str(msg["Message-ID"]))
    unsubscribe = str(msg["List-Unsubscribe"])
    assert re.search(r"<https://example\.com/unsubscribe\?token=[A-Za-z0-9_-]{40,}>", unsubscribe)
    assert "<mailto:unsubscribe@example.com?subject=unsubscribe%20" in unsubscribe
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert sorted(extras) == ["sleep.html", "sleep.txt"]


def test_wire_format_is_7bit_crlf_with_an_encoded_subject(site: Site) -> None:
    ctx = RenderContext.for_site(site)
    [result] = render_path(site.content_dir / "sleep.md", ["email"], ctx)
    data = result.output.data  # type: ignore[union-attr]
    assert data.isascii()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"Subject: Sleep =?utf-8?q?apr=C3=A8s?= la douleur\r\n" in data
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_html_is_inlined_table_layout_without_active_content(site: Site) -> None:
    msg, extras, _ = render(site)
    html = html_of(msg)
    assert extras["sleep.html"].decode() == html
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    assert styles[0].strip().startswith("@media") and styles[0].count("{") == styles[0].count("}")
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", styles[0]).strip() == ""
    for banned in ("<script", "<form", "<link", "<iframe", "javascript:"):
        assert banned not in html.lower()
    assert '<html lang="en" dir="ltr">' in html
    assert 'role="presentation"' in html and "width: 600px" in html
    widths = [int(w) for w in re.findall(r'(?<![-\w])(?:max-)?width[=:]\s*"?(\d+)(?:px)?', html)]
    assert max(widths) == 600
    assert 'class="preheader"' in html and "display: none" in html
    assert "How pain and sleep affect each other." in html
    assert html.count(' style="') > 20  # the stylesheet reached the elements


def test_images_links_and_footnotes_are_absolute_and_sized(site: Site) -> None:
    msg, _, _ = render(site)
    html = html_of(msg)
    img = re.search(r"<img [^>]*>", html).group(0)  # type: ignore[union-attr]
    assert 'alt="A chart of sleep hours"' in img
    assert 'width="536"' in img and 'height="300"' in img
    assert 'src="https://clinic.example/health/chart.png"' in img  # where the site publishes it
    assert 'href="https://clinic.example/health/other.html"' in html
    assert 'href="https://clinic.example/health/sleep.html#sec-tips"' in html
    assert '<sup class="footnote-ref"' in html and 'href="#fn' not in html
    assert 'href="https://clinic.example/health/sleep.html"' in html  # the web version


def test_embedded_images_use_multipart_related_and_content_id(site: Site) -> None:
    msg, extras, _ = render(site, embed_images=True)
    alternative = list(msg.iter_parts())
    assert [p.get_content_type() for p in alternative] == ["text/plain", "multipart/related"]
    related = list(alternative[1].iter_parts())
    assert [p.get_content_type() for p in related] == ["text/html", "image/png"]
    cid = str(related[1]["Content-ID"]).strip("<>")
    assert f'src="cid:{cid}"' in related[0].get_content()
    assert related[1].get_content() == png(1072, 600)
    # The preview file on disk cannot resolve cid:, so it points at the public copy.
    assert "cid:" not in extras["sleep.html"].decode()
    assert "https://clinic.example/health/chart.png" in extras["sleep.html"].decode()


def test_text_part_is_written_from_the_model(site: Site) -> None:
    msg, extras, _ = render(site)
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert text == extras["sleep.txt"].decode()
    assert "Sleep après la douleur\n======================" in text
    assert "Tips\n----" in text and "- Keep a schedule.\n- Dim the lights." in text
    assert "relative link [1]" in text and "[1] https://clinic.example/health/other.html" in text
    assert "[Image: A chart of sleep hours]" in text
    assert "Claim.[^1]" in text and "[^1] A source." in text
    assert re.search(r"Unsubscribe: https://example\.com/unsubscribe\?token=[A-Za-z0-9_-]{40,}", text)
    assert "<" not in text


def test_svg_images_are_left_out_with_a_warning(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\n![Logo](logo.svg)\n",
                      "content/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    ctx = RenderContext.for_site(site)
    [result] = render_path(site.content_dir / "a.md", ["email"], ctx)
    assert result.ok
    assert any("only PNG, JPEG, GIF or WebP" in str(w) for w in result.warnings)
    assert b"<img" not in result.output.companions[".html"]  # type: ignore[union-attr]


def test_logo_is_sized_absolute_and_named(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\nx\n", "assets/logo.png": png(800, 200)},
                     toml='[brand]\nlogo = "assets/logo.png"\n')
    [result] = render_path(site.content_dir / "a.md", ["email"], RenderContext.for_site(site))
    html = result.output.companions[".html"].decode()  # type: ignore[union-attr]
    logo = re.search(r'<img class="logo"[^>]*>', html).group(0)  # type: ignore[union-attr]
    assert 'alt="Test Clinic"' in logo and 'width="200"' in logo and 'height="50"' in logo
    assert 'src="https://example.com/assets/logo.png"' in logo
    assert result.output.published == {"assets/logo.png": png(800, 200)}  # type: ignore[union-attr]


def test_a_title_with_a_line_break_fails_naming_the_subject(
    make_site: Callable[..., Site],
) -> None:
    site = make_site({"content/a.md": '---\ntitle: "One\\r\\nBcc: x@example.org"\n---\nx\n'})
    [result] = render_path(site.content_dir / "a.md", ["email"], RenderContext.for_site(site))
    assert result.error is not None
    assert str(result.error).startswith("content/a.md: email: Subject: line breaks")


def test_right_to_left_articles(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": "---\ntitle: ألم\nlang: ar\n---\nنص.\n"})
    [result] = render_path(site.content_dir / "a.md", ["email"], RenderContext.for_site(site))
    assert '<html lang="ar" dir="rtl">' in result.output.companions[".html"].decode()  # type: ignore[union-attr]


def test_cli_render_email_writes_eml_html_and_txt(sample_site: Site) -> None:
    result = CliRunner().invoke(app, ["render", "--email", "--site", str(sample_site.root)])
    assert result.exit_code == 0, result.output
    folder = sample_site.output_dir / "email"
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == [f"ketamine-pain-management{s}" for s in (".eml", ".html", ".txt")]
    # The Spanish sample is a translation: in the language folder, in Spanish.
    es = sorted(p.name for p in (folder / "es").iterdir())
    assert es == [f"ketamina-manejo-del-dolor{s}" for s in (".eml", ".html", ".txt")]
    msg = email.message_from_bytes((folder / names[0]).read_bytes(), policy=email.policy.default)
    assert str(msg["Subject"]) == "The Role of Ketamine in Pain Management"


def test_inline_styles_come_from_the_site_override(site: Site) -> None:
    override = site.root / "templates" / "email" / "style.css.j2"
    override.parent.mkdir(parents=True)
    override.write_text(Path(__file__).parents[3].joinpath("templates/email/style.css.j2")
                        .read_text().replace("#eef1f3", "#123456"))
    msg, _, _ = render(site)
    assert "background-color: #123456" in html_of(msg)


class _Colours(HTMLParser):
    """Each visible text's colour and the background it sits on, from inline styles."""

    VOID = frozenset({"meta", "img", "br", "hr", "col", "link", "input", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str]] = []
        self.pairs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        style = dict(attrs).get("style") or ""
        props = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", style))
        self.stack.append({k: v.strip() for k, v in props.items()})

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not data.strip() or not self.stack:
            return
        if any(s.get("display") == "none" for s in self.stack):
            return
        colour = next((s["color"] for s in reversed(self.stack) if "color" in s), None)
        ground = next((s["background-color"] for s in reversed(self.stack)
                       if "background-color" in s), None)
        self.pairs.append((data.strip()[:30], colour or "?", ground or "?"))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_has_an_explicit_colour_and_background_with_contrast(site: Site) -> None:
    # Clients that recolour for dark mode change text and background together only
    # when both are explicit; WCAG AA contrast (4.5:1) keeps either version readable.
    msg, _, _ = render(site)
    parser = _Colours()
    parser.feed(html_of(msg).split("<body", 1)[1])
    assert len(parser.pairs) > 20
    for text, colour, ground in parser.pairs:
        assert colour.startswith("#") and ground.startswith("#"), (text, colour, ground)
        light, dark = sorted((_luminance(colour), _luminance(ground)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, colour, ground)


def test_plain_text_part_holds_every_paragraph_of_the_sample(sample_site: Site) -> None:
    ctx = RenderContext.for_site(sample_site)
    [result] = render_path(sample_site.content_dir / "ketamine-pain-management.md", ["email"], ctx)
    msg = email.message_from_bytes(result.output.data, policy=email.policy.default)  # type: ignore[union-attr]
    text = " ".join(msg.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    article = read_article(sample_site.content_dir / "ketamine-pain-management.md", sample_site.root)
    paragraphs = [b for b in article.body if b.tagname == "paragraph"]
    assert len(paragraphs) == 9
    for p in paragraphs:
        assert " ".join(plain_text(p.children).split()) in text
