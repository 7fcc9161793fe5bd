"""pubkit's own words in the article's language, in all four formats, read back as readers get them.

The HTML page (visible text and what screen readers read: aria-label, alt,
title), the PDF (pypdf's text and the tagged structure's alternative texts),
the Word document (every part, headers and footers included) and the email
(both parts of the ``.eml``) are extracted from real renders; no English
string of pubkit's catalogue may remain in a Spanish article's outputs.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
from collections.abc import Callable

import pikepdf
import pytest
from babel.messages.pofile import read_po
from lxml import html

from pubkit import i18n
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.theme import builtin_templates
from tests.texts import docx_text, pdf_text

FORMATS = ["html", "pdf", "docx", "email"]

ARTICLE = """\
---
title: {title}
author: Ana Ruiz
reviewed_by: Dra. Peck
date: 2025-01-15
updated: 2026-03-01
canonical_url: https://clinica.example/{slug}
lang: {lang}
---
{intro} [Más](https://example.org/mas).[^1]

## Uno

- [x] {word}
- [ ] {word}

## Dos

{word}.

## Tres

{word}.

## Cuatro

{word}.

[^1]: {word}.
"""


def fragments(lang: str) -> set[str]:
    """The words of every message of ``lang``'s catalogue, cut at their placeholders."""
    path = builtin_templates() / i18n.catalogue_name(lang)
    out: set[str] = set()
    for message in read_po(io.BytesIO(path.read_bytes())):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            for piece in re.split(r"%\(\w+\)s", text):
                piece = piece.strip(" :.,·")
                if len(re.sub(r"\W", "", piece)) >= 3:
                    out.add(piece)
    return out


def page_words(data: bytes) -> str:
    tree = html.fromstring(data)
    for hidden in tree.xpath("//script | //style | //head"):
        hidden.drop_tree()
    said = [" ".join(tree.text_content().split())]
    said += [v for attr in ("aria-label", "alt", "title") for v in tree.xpath(f"//@{attr}")]
    return " | ".join(said)


def pdf_words(data: bytes) -> str:
    alts = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if "/Alt" in node:
                    alts.append(str(node.Alt))
                if "/K" in node:
                    stack.append(node.K)
    return pdf_text(data) + " | " + " | ".join(alts)


def eml_words(data: bytes) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # Addresses are settings, not labels: the unsubscribe URL's path may well say "unsubscribe".
    text = re.sub(r"\b(?:https?://|mailto:)\S+", " ", text)
    return " ".join(text.split()) + " | " + page_words(page.encode())


def outputs(site: Site, name: str) -> tuple[dict[str, str], list[str]]:
    ctx = RenderContext.for_site(site)
    texts, warnings = {}, []
    for result in render_path(site.content_dir / name, FORMATS, ctx):
        assert result.output is not None, result.error
        warnings += [w.message for w in result.warnings]
        data = result.output.data
        texts[result.format] = {"html": page_words, "pdf": pdf_words, "docx": docx_text,
                                "email": eml_words}[result.format](data)
    return texts, warnings


def present(piece: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text) is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from pubkit.site import open_site

    root = tmp_path_factory.mktemp("languages")
    (root / "content").mkdir()
    (root / "pubkit.toml").write_text('site_name = "Clínica"\nlanguage = "en"\n', encoding="utf-8")
    (root / "content" / "es.md").write_text(ARTICLE.format(
        title="El dolor", slug="dolor", lang="es", intro="El dolor cambia la vida.",
        word="Texto"), encoding="utf-8")
    (root / "content" / "de.md").write_text(ARTICLE.format(
        title="Der Schmerz", slug="schmerz", lang="de", intro="Schmerz verändert das Leben.",
        word="Text"), encoding="utf-8")
    return open_site(root)


def test_a_spanish_article_has_no_english_label_left_in_any_format(site: Site) -> None:
    texts, warnings = outputs(site, "es.md")
    assert warnings == []
    english = fragments("en") - fragments("es")
    assert len(english) >= 25
    for fmt, text in texts.items():
        left = sorted(p for p in english if present(p, text))
        assert left == [], (fmt, left)
    expected = {
        "html": ["Ir al artículo", "Por Ana Ruiz", "Revisión médica: Dra. Peck",
                 "Publicado el 15 de enero de 2025", "Actualizado el 1 de marzo de 2026",
                 "Lectura de 1 minuto", "Contenido", "Notas", "Nota 1", "hecho", "por hacer",
                 "Este artículo es para aprender"],
        "pdf": ["Por Ana Ruiz", "Revisión médica: Dra. Peck",
                "Lectura de 1 minuto", "Página 1 de 1", "Léalo en internet:",
                "Código QR que abre https://clinica.example/dolor", "Este artículo es para aprender"],
        "docx": ["Por Ana Ruiz", "Revisión médica: Dra. Peck", "Publicado el 15 de enero de 2025",
                 "Lectura de 1 minuto", "Contenido", "Página", "Este artículo es para aprender"],
        "email": ["Revisión médica: Dra. Peck", "Notas", "Leer en internet", "Enlaces",
                  "Recibe este correo de Clínica", "Darse de baja", "Este artículo es para aprender"],
    }
    for fmt, pieces in expected.items():
        missing = [p for p in pieces if p not in texts[fmt]]
        assert missing == [], (fmt, missing, texts[fmt][:3000])


def test_a_language_without_catalogue_gets_english_and_one_warning(site: Site) -> None:
    texts, warnings = outputs(site, "de.md")
    assert warnings == ["no message catalogue for language 'de' (templates/locale/de/LC_MESSAGES/"
                        "pubkit.po): pubkit's own words are in English"]
    expected = {
        "html": ["Skip to the article", "Medically reviewed by Dra. Peck",
                 "Published January 15, 2025", "1 min read", "Contents", "Notes"],
        "pdf": ["Medically reviewed by Dra. Peck", "Page 1 of 1"],
        "docx": ["Medically reviewed by Dra. Peck", "Contents", "Page"],
        "email": ["Unsubscribe", "You receive this email from Clínica"],
    }
    for fmt, pieces in expected.items():
        missing = [p for p in pieces if p not in texts[fmt]]
        assert missing == [], (fmt, missing)
    spanish = fragments("es") - fragments("en")
    for fmt, text in texts.items():
        assert [p for p in spanish if present(p, text)] == [], fmt


def test_the_check_command_names_the_language_once(site: Site,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from typer.testing import CliRunner

    from pubkit.cli import app

    result = CliRunner().invoke(app, ["check", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    assert result.output.count("no message catalogue for language 'de'") == 1


def test_page_labels_follow_the_site_override(make_site: Callable[..., Site]) -> None:
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    site = make_site({
        "content/a.md": "---\ntitle: A\nlang: es\n---\nHola.\n",
        "templates/locale/es/LC_MESSAGES/pubkit.po":
            header + 'msgid "Page %(page)s of %(pages)s"\nmsgstr "Hoja %(page)s / %(pages)s"\n',
    })
    texts, _ = outputs(site, "a.md")
    assert "Hoja 1 / 1" in texts["pdf"]
    assert "Hoja" in texts["docx"]
