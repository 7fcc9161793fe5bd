"""A picture without alt text says the same in every format: nothing (decorative) or the fallback."""

from __future__ import annotations

import io
import zipfile

import lxml.html
import pikepdf
import pytest
from lxml import etree
from PIL import Image

from pubkit.i18n import translations
from pubkit.model import nodes as n
from pubkit.renderers.alt import alt_text, is_decorative
from pubkit.site import open_site
from tests.conftest import render_files
from tests.texts import email_parts

FORMATS = ["html", "pdf", "docx", "email"]
EN = """\
---
title: Pictures
---
Before the pictures.

![](knee-injection_site.png)

![](chart.png "Pain scores by week")

![A knee brace](brace.png)
"""
ES = """\
---
title: Imágenes
lang: es
---
Antes de la imagen.

![](knee-injection_site.png)
"""
LEAD = """\
---
title: Lead picture
image: chart.png
---
Words under a lead picture without image_alt.
"""
WANTED = {
    "decorative": {"en": ["", "", "A knee brace"], "es": [""]},
    "fallback": {"en": ["Picture", "Pain scores by week", "A knee brace"], "es": ["Imagen"]},
}
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module", params=list(WANTED))
def rendered(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, bytes]]:
    policy = request.param
    root = tmp_path_factory.mktemp(policy) / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text(f'site_name = "Alt Clinic"\n[images]\nmissing_alt = "{policy}"\n')
    for name, colour in (("knee-injection_site", (200, 30, 30)), ("chart", (30, 120, 30)),
                         ("brace", (30, 30, 200))):
        (root / "content" / f"{name}.png").write_bytes(_png(colour))
    (root / "content" / "pictures.md").write_text(EN, encoding="utf-8")
    (root / "content" / "imagenes.md").write_text(ES, encoding="utf-8")
    (root / "content" / "lead.md").write_text(LEAD, encoding="utf-8")
    files, warnings = render_files(open_site(root), sorted((root / "content").glob("*.md")), FORMATS)
    assert warnings == []
    return policy, files


def _get(files: dict[str, bytes], prefix: str, lang: str) -> bytes:
    slug = {"en": "pictures", "es": "imagenes"}.get(lang, lang)
    return next(v for k, v in files.items() if k.startswith(prefix) and f"/{slug}." in "/" + k
                and k.endswith((".html", ".pdf", ".docx", ".eml")) and not k.endswith(".large-print.pdf"))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_web_page(rendered: tuple[str, dict[str, bytes]], lang: str) -> None:
    policy, files = rendered
    page = lxml.html.fromstring(_get(files, "html/", lang))
    assert [img.get("alt") for img in page.xpath("//article//img")] == WANTED[policy][lang]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_email_html_and_text(rendered: tuple[str, dict[str, bytes]], lang: str) -> None:
    policy, files = rendered
    html, text = email_parts(_get(files, "email/", lang))
    page = lxml.html.fromstring(html)
    assert [img.get("alt") for img in page.xpath("//img[contains(@class, 'content-image')]")] == \
        WANTED[policy][lang]
    label = "Image" if lang == "en" else "Imagen"
    assert [f"[{label}: {words}]" for words in WANTED[policy][lang] if words] == \
        [line.strip() for line in text.splitlines() if line.strip().startswith(f"[{label}:")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_word_document(rendered: tuple[str, dict[str, bytes]], lang: str) -> None:
    policy, files = rendered
    with zipfile.ZipFile(io.BytesIO(_get(files, "docx/", lang))) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    shapes = list(body.iter(WP + "docPr"))
    assert [s.get("descr") for s in shapes] == WANTED[policy][lang]
    marks = [bool(s.xpath(".//*[local-name()='decorative'][@val='1']")) for s in shapes]
    assert marks == [not words for words in WANTED[policy][lang]]


def _figures_and_artifact_images(data: bytes) -> tuple[list[str], int, int]:
    """Alt texts of the Figure tags, and pictures drawn inside artifacts and inside figures."""
    alts: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(reversed(list(node)))
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                if "/K" in node:
                    stack.append(node.K)
        artifacts = figures = 0
        for page in pdf.pages:
            marks: list[str] = []
            for instruction in pikepdf.parse_content_stream(page):
                op = str(instruction.operator)
                if op in ("BDC", "BMC"):
                    marks.append(str(instruction.operands[0]))
                elif op == "EMC":
                    marks.pop()
                elif op == "Do":
                    artifacts += "/Artifact" in marks
                    figures += "/Figure" in marks
    return alts, artifacts, figures


@pytest.mark.parametrize("lang", ["en", "es"])
def test_tagged_pdf(rendered: tuple[str, dict[str, bytes]], lang: str) -> None:
    policy, files = rendered
    alts, artifacts, figures = _figures_and_artifact_images(_get(files, "pdf/", lang))
    wanted = WANTED[policy][lang]
    # A decorative picture is an artifact, outside the tag tree; any other is a Figure with words.
    assert alts == [w for w in wanted if w]
    assert figures == len(alts)
    assert artifacts == wanted.count("")


def test_lead_picture_follows_the_same_rule(rendered: tuple[str, dict[str, bytes]]) -> None:
    policy, files = rendered
    words = "" if policy == "decorative" else "Picture"
    page = lxml.html.fromstring(_get(files, "html/", "lead"))
    assert [img.get("alt") for img in page.xpath("//article//img")] == [words]
    with zipfile.ZipFile(io.BytesIO(_get(files, "docx/", "lead"))) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    assert [s.get("descr") for s in body.iter(WP + "docPr")] == [words]
    alts, artifacts, figures = _figures_and_artifact_images(_get(files, "pdf/", "lead"))
    assert (alts, artifacts, figures) == (([], 1, 0) if policy == "decorative" else (["Picture"], 0, 1))
    html, _ = email_parts(_get(files, "email/", "lead"))
    lead = lxml.html.fromstring(html).xpath("//img[not(contains(@class, 'logo'))]")
    assert lead and {img.get("alt") for img in lead} == {words}


def test_the_rule() -> None:
    t = translations("es")
    bare, titled = n.Image("a.png"), n.Image("a.png", " ", "  Dolor  por semana ")
    assert alt_text(bare, "decorative", t) == "" and alt_text(titled, "decorative", t) == ""
    assert alt_text(bare, "fallback", t) == "Imagen"
    assert alt_text(titled, "fallback", t) == "Dolor por semana"
    assert alt_text(n.Image("a.png", "Rodilla"), "decorative", t) == "Rodilla"
    assert is_decorative(titled, "decorative") and not is_decorative(titled, "fallback")
    assert not is_decorative(n.Image("a.png", "Rodilla"), "decorative")


def test_a_decorative_picture_with_quotes_and_brackets_in_its_name_is_still_drawn(
    tmp_path: pytest.TempPathFactory,
) -> None:
    root = tmp_path / "site"  # type: ignore[operator]
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Alt Clinic"\n')
    (root / "content" / 'odd "name" (1)\\.png').write_bytes(_png((10, 10, 10)))
    (root / "content" / "odd.md").write_text(
        '---\ntitle: Odd\n---\nWords.\n\n![](<odd "name" (1)\\\\.png>)\n', encoding="utf-8")
    files, warnings = render_files(open_site(root), [root / "content" / "odd.md"], ["pdf"])
    assert warnings == []
    assert _figures_and_artifact_images(files["pdf/odd.pdf"]) == ([], 1, 0)
