"""Callouts (GitHub's ``> [!WARNING]`` alerts) as a titled box in the page, the PDF, Word and the email."""

from __future__ import annotations

import io
import zipfile

import docx
import lxml.html
import pikepdf
import pytest
from lxml import etree

from pubkit.site import Site, open_site
from tests.conftest import render_files
from tests.texts import email_parts, pdf_text

KINDS = ("note", "tip", "important", "warning", "caution")
TITLES = {
    "en": ["Note", "Tip", "Important", "Warning", "Caution"],
    "es": ["Nota", "Consejo", "Importante", "Advertencia", "Precaución"],
}
FORMATS = ["html", "pdf", "docx", "email"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def article(lang: str) -> str:
    return f"""\
---
title: Callouts {lang}
lang: {lang}
---
Intro words.

> [!NOTE]
> Note body.

> [!TIP]
> Tip body.

> [!IMPORTANT]
> Important body.

> [!WARNING]
> Call your doctor if the pain gets worse. See [the clinic](https://clinic.example.org/).
>
> - fever over 38 degrees
> - swelling

> [!caution]
> Caution body.

> A plain quote.

> [!UNKNOWN]
> Unknown stays a quote.
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("callouts") / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Callout Clinic"\n')
    for lang in TITLES:
        (root / "content" / f"c-{lang}.md").write_text(article(lang), encoding="utf-8")
    site: Site = open_site(root)
    files, warnings = render_files(site, sorted((root / "content").glob("*.md")), FORMATS)
    assert warnings == []
    return files


def _file(out: dict[str, bytes], fmt: str, lang: str) -> bytes:
    suffix = {"html": ".html", "pdf": ".pdf", "docx": ".docx", "email": ".eml"}[fmt]
    return next(v for k, v in out.items() if k.startswith(f"{fmt}/") and k.endswith(f"c-{lang}{suffix}"))


# ------------------------------------------------------------------------ page
@pytest.mark.parametrize("lang", TITLES)
def test_page_callouts_are_labelled_asides(out: dict[str, bytes], lang: str) -> None:
    page = lxml.html.fromstring(_file(out, "html", lang))
    asides = page.xpath("//article//aside")
    assert [a.get("class") for a in asides] == [f"callout callout-{k}" for k in KINDS]
    titles = []
    for aside in asides:
        assert aside.get("role") == "note"
        (label,) = page.xpath(f"//*[@id='{aside.get('aria-labelledby')}']")
        assert label.getparent() is aside and aside.index(label) == 0
        titles.append(label.text_content())
    assert titles == TITLES[lang]
    warning = asides[3]
    assert [li.text_content() for li in warning.xpath(".//ul/li")] == ["fever over 38 degrees", "swelling"]
    assert warning.xpath(".//p/a/@href") == ["https://clinic.example.org/"]
    quotes = [" ".join(q.text_content().split()) for q in page.xpath("//article//blockquote")]
    assert quotes == ["A plain quote.", "[!UNKNOWN] Unknown stays a quote."]


def test_page_stylesheet_boxes_every_kind(out: dict[str, bytes]) -> None:
    page = lxml.html.fromstring(_file(out, "html", "en"))
    css = "".join(page.xpath("//style/text()"))
    assert ".callout {" in css and "border:" in css.split(".callout {", 1)[1].split("}", 1)[0]
    for kind in KINDS:
        assert f".callout-{kind} {{" in css
    assert "forced-colors: active" in css


# ------------------------------------------------------------------------- PDF
def _tags(data: bytes) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    """The tag tree as (role, children), Span and NonStruct dissolved into their children."""
    def build(node: object) -> list[tuple[str, list]]:  # type: ignore[type-arg]
        if isinstance(node, pikepdf.Array):
            return [t for kid in node for t in build(kid)]
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            return []
        role = str(node.S)[1:]
        kids = build(node.get("/K"))
        return kids if role in ("Span", "NonStruct") else [(role, kids)]

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return build(pdf.Root.StructTreeRoot.K)


def _find(tree: list[tuple[str, list]], role: str) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    found = []
    for node in tree:
        if node[0] == role:
            found.append(node)
        found += _find(node[1], role)
    return found


@pytest.mark.parametrize("lang", TITLES)
def test_pdf_callouts_are_tagged_boxes_with_title_and_body(out: dict[str, bytes], lang: str) -> None:
    data = _file(out, "pdf", lang)
    (art,) = _find(_tags(data), "Art")
    body = [node for node in art[1] if node[0] == "Div"][-1]
    roles = [role for role, _ in body[1]]
    assert roles == ["P", "Div", "Div", "Div", "Div", "Div", "BlockQuote", "BlockQuote"]
    for _, kids in body[1][1:6]:
        assert [r for r, _ in kids][:2] == ["P", "P"]  # the title, then the body
    warning = body[1][4][1]
    assert [r for r, _ in warning] == ["P", "P", "L"]
    assert "Link" in [r for r, _ in _find(warning, "Link")]
    text = pdf_text(data)
    for title, body_words in zip(TITLES[lang], ["Note body", "Tip body", "Important body",
                                                "Call your doctor", "Caution body"], strict=True):
        assert f"{title} {body_words}" in text


# ------------------------------------------------------------------------ Word
@pytest.mark.parametrize("lang", TITLES)
def test_docx_callouts_use_the_reference_documents_styles(out: dict[str, bytes], lang: str) -> None:
    document = docx.Document(io.BytesIO(_file(out, "docx", lang)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    titles = [text for style, text in paragraphs if style == "Callout Title"]
    assert titles == TITLES[lang]
    start = paragraphs.index(("Callout Title", TITLES[lang][3]))
    assert paragraphs[start + 1] == ("Callout", "Call your doctor if the pain gets worse. See the clinic.")
    items = document.paragraphs[start + 2:start + 4]
    assert [(p.style.name, p.text) for p in items] == [("Callout", "fever over 38 degrees"),
                                                       ("Callout", "swelling")]
    assert all(p._p.pPr.numPr is not None for p in items)  # still a list, inside the box
    assert ("Callout", "Caution body.") in paragraphs
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert quotes == ["A plain quote.", "[!UNKNOWN] Unknown stays a quote."]


def test_docx_callout_styles_are_bordered_in_styles_xml(out: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(_file(out, "docx", "en"))) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
    by_id = {s.get(W + "styleId"): s for s in styles.iter(W + "style")}
    box = by_id["Callout"]
    assert box.find(f"{W}name").get(W + "val") == "Callout"
    sides = [el.tag.removeprefix(W) for el in box.find(f"{W}pPr/{W}pBdr")]
    assert sides == ["top", "left", "bottom", "right"]
    title = by_id["CalloutTitle"]
    assert title.find(f"{W}name").get(W + "val") == "Callout Title"
    assert title.find(f"{W}basedOn").get(W + "val") == "Callout"  # the same border: one box
    assert title.find(f"{W}rPr/{W}b") is not None


# ----------------------------------------------------------------------- email
@pytest.mark.parametrize("lang", TITLES)
def test_email_html_callouts_are_bordered_cells(out: dict[str, bytes], lang: str) -> None:
    html, _ = email_parts(_file(out, "email", lang))
    page = lxml.html.fromstring(html)
    cells = page.xpath("//td[contains(concat(' ', @class, ' '), ' callout-cell ')]")
    assert [c.get("class").split()[-1] for c in cells] == [f"callout-{k}" for k in KINDS]
    for cell in cells:
        style = cell.get("style")
        assert "border:" in style and "solid" in style and "background-color:" in style
        assert cell.getparent().getparent().getparent().get("role") == "presentation"
    assert [c.xpath("./p[1]")[0].text_content() for c in cells] == TITLES[lang]
    assert [li.text_content() for li in cells[3].xpath(".//li")] == ["fever over 38 degrees", "swelling"]
    assert cells[3].xpath(".//a/@href")[0].startswith("https://clinic.example.org/")
    assert len(page.xpath("//blockquote")) == 2


@pytest.mark.parametrize("lang", TITLES)
def test_email_text_leads_each_callout_with_its_title_in_capitals(out: dict[str, bytes], lang: str) -> None:
    text = email_parts(_file(out, "email", lang))[1].replace("\r\n", "\n")
    capitals = [t.upper() for t in TITLES[lang]]
    assert capitals[-1] == ("PRECAUCIÓN" if lang == "es" else "CAUTION")
    for title, words in zip(capitals, ["Note body.", "Tip body.", "Important body.",
                                       "Call your doctor", "Caution body."], strict=True):
        assert f"\n{title}: {words}" in text
    indent = " " * (len(capitals[3]) + 2)
    assert f"\n{indent}- fever over 38 degrees\n{indent}- swelling\n" in text
    assert "\n> A plain quote.\n" in text and "\n> [!UNKNOWN] Unknown stays a quote.\n" in text


def test_capitals_follow_the_catalogues_language() -> None:
    from pubkit.i18n import Translations, translations

    assert translations("es").upper("precaución") == "PRECAUCIÓN"
    assert Translations("tr", "tr").upper("dikkat") == "DİKKAT"  # Turkish dots its capital I
    # Without a Turkish catalogue the words are English, and so are their capitals.
    assert translations("tr").upper("tip") == "TIP"
