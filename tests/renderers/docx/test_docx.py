"""The Word document read back with python-docx: structure, styles, links, pictures, notes."""

from __future__ import annotations

import datetime as dt
import io
import re
import runpy
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from lxml import etree

from pubkit.formats import article_renderer as get
from pubkit.model.nodes import Paragraph
from pubkit.model.text import plain_text
from pubkit.model.visitor import walk
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site
from pubkit.source.reader import parse_article, read_article

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).parent / "fixtures" / "docx"
SAMPLE = REPO / "content" / "ketamine-pain-management.md"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1], "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
TOML = """site_name = "Test Clinic"
[brand]
banner = "Now In-Network With Test Insurers"
contact = "1 Main St"
logo = "assets/logo.svg"
[reviewers]
peck = { name = "Jane Peck", credentials = "MD" }
"""


def make_site(root: Path) -> Path:
    """A site holding the sample article, the fixture and its pictures, and a logo."""
    (root / "content").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "pubkit.toml").write_text(TOML, encoding="utf-8")
    shutil.copy(SAMPLE, root / "content" / SAMPLE.name)
    shutil.copy(FIXTURES / "everything.md", root / "content" / "everything.md")
    shutil.copytree(FIXTURES / "images", root / "content" / "images")
    shutil.copy(FIXTURES / "images" / "circle.svg", root / "assets" / "logo.svg")
    return root


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("docx") / "site")


def render(root: Path, name: str) -> tuple[bytes, list[str]]:
    site = open_site(root)
    ctx = RenderContext.for_site(site)
    article = read_article(root / "content" / name, root)
    data = get("docx").render(article, ctx).data
    return data, [str(w) for w in [*article.warnings, *ctx.warnings]]


@pytest.fixture(scope="module")
def sample(site_root: Path) -> tuple[bytes, list[str]]:
    return render(site_root, SAMPLE.name)


@pytest.fixture(scope="module")
def rich(site_root: Path) -> tuple[bytes, list[str]]:
    return render(site_root, "everything.md")


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def styled(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def test_sample_reads_back_with_every_paragraph_in_order(site_root: Path, sample) -> None:
    data, warnings = sample
    assert warnings == []
    document = docx.Document(io.BytesIO(data))
    paragraphs = styled(document)
    assert paragraphs[0] == ("Banner", "Now In-Network With Test Insurers")
    assert paragraphs[1] == ("Title", "The Role of Ketamine in Pain Management")
    assert paragraphs[2] == ("Subtitle", "Ketamine For Pain Management")
    assert paragraphs[3][0] == "Byline"
    assert re.search(r"\d+ min read", paragraphs[3][1])
    assert paragraphs[4] == ("Byline", "Medically reviewed by Jane Peck, MD on November 16, 2026"
                                       " · Next review November 2027")
    assert paragraphs[-1][0] == "Disclaimer"
    article = read_article(site_root / "content" / SAMPLE.name, site_root)
    expected = [" ".join(plain_text(b.children).split()) for b in walk(article.body)
                if hasattr(b, "children") and b.tagname in ("paragraph", "heading")]
    texts = [" ".join(t.split()) for _, t in paragraphs]
    positions = [texts.index(e) for e in expected]
    assert positions == sorted(positions) and len(expected) == 12
    headings = [(s, t) for s, t in paragraphs if s.startswith("Heading")]
    assert headings == [("Heading 2", e.text) for e in article.outline]
    # No paragraph is a look-alike heading or carries direct fonts or sizes.
    body = part(data, "word/document.xml")
    assert not body.xpath("//w:rPr/w:sz | //w:rPr/w:rFonts | //w:rPr/w:color", namespaces=NS)


def test_properties_come_from_the_article(sample, rich) -> None:
    props = docx.Document(io.BytesIO(sample[0])).core_properties
    assert props.title == "The Role of Ketamine in Pain Management"
    assert props.subject == "Ketamine For Pain Management"
    assert props.author == "Test Clinic"
    assert props.keywords == "pain management, ketamine, chronic pain"
    assert props.language == "en"
    utc = dt.UTC
    assert props.created == props.modified == dt.datetime(2000, 1, 1, tzinfo=utc)  # fixed epoch
    assert len(props.comments) <= 255
    props = docx.Document(io.BytesIO(rich[0])).core_properties
    assert (props.author, props.created, props.modified) == (
        "Jane Writer", dt.datetime(2024, 5, 1, tzinfo=utc), dt.datetime(2024, 6, 15, tzinfo=utc))
    styles = part(rich[0], "word/styles.xml")
    assert styles.xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS) == ["en"]
    app = part(rich[0], "docProps/app.xml")
    assert [(el.tag.split("}")[1], el.text) for el in app] == [
        ("Application", "pubkit"), ("DocSecurity", "0"), ("Company", "Test Clinic")]


def test_headings_use_builtin_styles_and_outline_levels(rich) -> None:
    document = docx.Document(io.BytesIO(rich[0]))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [(f"Heading {i}", f"Heading {w}") for i, w in
                        enumerate(["One", "Two", "Three", "Four", "Five", "Six"], start=1)]
    for level in range(1, 7):
        style = document.styles[f"Heading {level}"]
        assert style.element.xpath("w:pPr/w:outlineLvl/@w:val") == [str(level - 1)]
        assert style.base_style.name == "Normal"


def _numbering(data: bytes) -> list[tuple[str, int, int]]:
    document = docx.Document(io.BytesIO(data))
    out = []
    for p in document.paragraphs:
        num = p._p.pPr.numPr if p._p.pPr is not None else None
        if num is not None:
            out.append((p.text, num.numId.val, num.ilvl.val))
    return out


def test_lists_are_real_numbering_with_levels_and_restarts(rich) -> None:
    items = _numbering(rich[0])
    by_text = {t: (num, lvl) for t, num, lvl in items}
    assert [lvl for _, _, lvl in items[:6]] == [0, 0, 1, 2, 2, 0]
    assert by_text["Bullet one"] == by_text["Bullet three"]
    numbering = part(rich[0], "word/numbering.xml")

    def num_info(num_id: int) -> tuple[str, list[str]]:
        num = numbering.xpath(f'w:num[@w:numId="{num_id}"]', namespaces=NS)[0]
        abstract = num.xpath("w:abstractNumId/@w:val", namespaces=NS)[0]
        lvl = by_num_level(num_id)
        fmt = numbering.xpath(f'w:abstractNum[@w:abstractNumId="{abstract}"]/w:lvl[@w:ilvl="{lvl}"]'
                              "/w:numFmt/@w:val", namespaces=NS)[0]
        starts = num.xpath(f'w:lvlOverride[@w:ilvl="{lvl}"]/w:startOverride/@w:val', namespaces=NS)
        return fmt, starts

    def by_num_level(num_id: int) -> int:
        return next(lvl for _, num, lvl in items if num == num_id)

    assert num_info(by_text["Bullet one"][0])[0] == "bullet"
    assert num_info(by_text["Deep ordered"][0]) == ("decimal", ["1"])
    assert num_info(by_text["Three"][0]) == ("decimal", ["3"])
    assert num_info(by_text["Restart one"][0]) == ("decimal", ["1"])
    assert by_text["Restart one"][0] != by_text["Three"][0]
    # Never a typed bullet or number.
    texts = [p.text for p in docx.Document(io.BytesIO(rich[0])).paragraphs]
    assert not [t for t in texts if re.match(r"^\s*([•◦▪*-]|\d+\.)\s", t)]


def test_links_are_clickable(rich) -> None:
    document = docx.Document(io.BytesIO(rich[0]))
    rels = {r.rId: r.target_ref for r in document.part.rels.values() if r.is_external}
    body = part(rich[0], "word/document.xml")
    links = body.xpath("/w:document/w:body/w:p//w:hyperlink", namespaces=NS)  # not the contents
    external = {rels[h.get(f"{{{NS['r']}}}id")]: "".join(h.itertext()) for h in links
                if h.get(f"{{{NS['r']}}}id")}
    assert external["https://example.org/clinic"] == "link to the clinic"
    assert body.xpath("//w:hyperlink[@w:tooltip='Clinic home']", namespaces=NS)
    anchors = {h.get(W + "anchor"): "".join(h.itertext()) for h in links if h.get(W + "anchor")}
    bookmark = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Heading2']/w:bookmarkStart/@w:name",
                          namespaces=NS)[0]
    assert anchors == {bookmark: "the second heading"}
    assert all(r.xpath("w:rPr/w:rStyle/@w:val", namespaces=NS) == ["Hyperlink"]
               for h in links for r in h.xpath("w:r", namespaces=NS))


def test_table_has_repeating_header_row_and_alignment(rich) -> None:
    document = docx.Document(io.BytesIO(rich[0]))
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Left", "Centre", "Right"]
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [["a", "b", "c"], ["d", "e", "f"]]
    assert table._tbl.tr_lst[0].xpath("w:trPr/w:tblHeader") != []
    assert all(not tr.xpath("w:trPr/w:tblHeader") for tr in table._tbl.tr_lst[1:])
    assert table.style.name == "Article Table"
    aligns = [c.paragraphs[0].alignment for c in table.rows[1].cells]
    assert [str(a) for a in aligns] == ["LEFT (0)", "CENTER (1)", "RIGHT (2)"]


def test_pictures_embedded_scaled_with_alt_text(rich) -> None:
    data, warnings = rich
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    shapes = list(document.inline_shapes)
    assert [s._inline.docPr.get("descr") for s in shapes] == [
        "A blue square", "A vector circle", "A webp picture"]
    assert all(0 < s.width <= text_width for s in shapes)
    assert shapes[2].width == text_width  # 3000 px wide: shrunk to the text width
    assert shapes[0].height * 4 == pytest.approx(shapes[0].width * 3, rel=0.01)
    blips = [s._inline.xpath(".//a:blip")[0] for s in shapes]
    assert [len(b.xpath(".//*[local-name()='svgBlip']")) for b in blips] == [0, 1, 0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        # Three pictures (the SVG also as itself); the logo is the circle again, embedded once.
        assert sorted(n.rsplit(".", 1)[1] for n in media) == ["png", "png", "png", "svg"]
        svg = archive.read(next(n for n in media if n.endswith(".svg")))
        assert b"<circle" in svg and b"passwd" not in svg
        assert not any(b"root:" in archive.read(n) for n in archive.namelist())
    for reason, line in (("truncated", 74), ("not an image format", 76),
                         ("does not exist", 78), ("outside the site", 80)):
        assert any(f"everything.md:{line}:" in w and reason in w for w in warnings), reason
    texts = [p.text for p in document.paragraphs]
    for alt in ("Broken picture", "Text pretending", "Missing picture", "Outside the site"):
        assert alt in texts
    assert "Square title" in texts  # the title became a caption


def test_footnotes_are_real_word_footnotes(rich) -> None:
    data = rich[0]
    notes = part(data, "word/footnotes.xml")
    bodies = {n.get(W + "id"): " ".join(" ".join("".join(p.itertext()).strip() for p in n).split())
              for n in notes.xpath("w:footnote[not(@w:type)]", namespaces=NS)}
    assert bodies == {"1": "The first note, with a link.",
                      "2": "The second note. Second paragraph of the second note."}
    body = part(data, "word/document.xml")
    assert body.xpath("//w:footnoteReference/@w:id", namespaces=NS) == ["1", "2"]
    instructions = body.xpath("/w:document/w:body/w:p//w:instrText/text()", namespaces=NS)
    assert [i.strip() for i in instructions] == ["NOTEREF _RefFn1 \\f \\h"]
    assert body.xpath("//w:bookmarkStart[@w:name='_RefFn1']", namespaces=NS)
    document = docx.Document(io.BytesIO(data))
    footnotes = next(p for p in document.part.package.iter_parts()
                     if str(p.partname) == "/word/footnotes.xml")
    assert [r.target_ref for r in footnotes.rels.values()] == ["https://example.org/note"]


def test_code_keeps_spaces_and_tabs_quote_break_and_raw_html(rich) -> None:
    body = part(rich[0], "word/document.xml")
    (code,) = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='SourceCode']", namespaces=NS)
    assert code.xpath(".//w:tab", namespaces=NS)
    assert "".join(code.xpath(".//w:t/text()", namespaces=NS)) == \
        'def f():return  "tab and  spaces"'
    assert all(r.xpath("w:rPr/w:rStyle/@w:val", namespaces=NS) == ["VerbatimChar"]
               for r in code.xpath("w:r[w:t]", namespaces=NS))
    document = docx.Document(io.BytesIO(rich[0]))
    paragraphs = styled(document)
    assert ("Quote", "A quoted paragraph.") in paragraphs
    assert ("Quote", "A nested quote.") in paragraphs
    assert ("Horizontal Line", "") in paragraphs
    assert ("Normal", "Raw HTML block text") in paragraphs
    assert ("Normal", "Inline raw inline text.") in paragraphs
    opening = next(p for p in document.paragraphs if p.text.startswith("Opening paragraph"))
    runs = {r.text: r.style.name for r in opening.runs}
    assert runs["emphasis"] == "Emphasis" and runs["strong"] == "Strong"
    assert runs["inline code"] == "Verbatim Char"
    assert any(r.font.strike for p in document.paragraphs for r in p.runs if r.text == "struck")


def test_control_characters_are_stripped_with_a_warning(rich, tmp_path: Path) -> None:
    data, warnings = rich
    assert any("everything.md:14:" in w and "U+0001" in w for w in warnings)
    root = make_site(tmp_path / "site")
    toml = (root / "pubkit.toml").read_text().replace("Test Insurers", "Test\\u000bInsurers")
    (root / "pubkit.toml").write_text(toml)
    data, warnings = render(root, SAMPLE.name)
    assert any("U+000B" in w for w in warnings)
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text == "Now In-Network With TestInsurers"


def test_page_header_logo_and_footer_page_field(rich) -> None:
    document = docx.Document(io.BytesIO(rich[0]))
    section = document.sections[0]
    assert section.header.paragraphs[0].text.strip() == "Test Clinic"
    assert section.header.paragraphs[0].style.name == "Header"
    assert section.header._element.xpath(".//wp:docPr/@descr") == ["Test Clinic logo"]
    footer = section.footer._element
    instructions = [t.strip() for t in footer.xpath(".//w:instrText/text()")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert section.footer.paragraphs[0].text.startswith("1 Main St")


def test_site_reference_document_replaces_the_house_style(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    (root / "templates" / "docx").mkdir(parents=True)
    plain = docx.Document()  # python-docx's own template: other styles, no footnote part
    plain.styles["Title"].font.name = "Site Serif"
    plain.save(root / "templates" / "docx" / "reference.docx")
    data, _ = render(root, "everything.md")
    document = docx.Document(io.BytesIO(data))
    assert document.styles["Title"].font.name == "Site Serif"
    assert [t for t, _, _ in _numbering(data)][:2] == ["Bullet one", "Bullet two"]
    assert part(data, "word/footnotes.xml").xpath("count(w:footnote)", namespaces=NS) == 4


def test_large_table_rows_are_all_there(tmp_path: Path) -> None:
    header = "| " + " | ".join(f"H{i}" for i in range(8)) + " |\n|" + "---|" * 8 + "\n"
    rows = "".join("| " + " | ".join(f"r{r}c{c}" for c in range(8)) + " |\n" for r in range(60))
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "t.md").write_text(f"---\ntitle: T\n---\n\n{header}{rows}")
    data, _ = render(root, "t.md")
    (table,) = docx.Document(io.BytesIO(data)).tables
    assert len(table.rows) == 61 and table.cell(60, 7).text == "r59c7"


def test_paragraph_words_of_the_article_all_present(rich, site_root: Path) -> None:
    article = read_article(site_root / "content" / "everything.md", site_root)
    document = docx.Document(io.BytesIO(rich[0]))
    text = " ".join(p.text for p in document.paragraphs)
    text += " ".join(s._inline.docPr.get("descr") for s in document.inline_shapes)
    for block in walk(article.body):
        if isinstance(block, Paragraph):
            for word in re.findall(r"\w+", plain_text(block.children)):
                assert word in text


def test_right_to_left_article(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "ar.md").write_text(
        "---\ntitle: مقال\nlang: ar\n---\n\nفقرة أولى.\n\n| أ | ب |\n|---|---|\n| ١ | ٢ |\n",
        encoding="utf-8")
    data, _ = render(root, "ar.md")
    body = part(data, "word/document.xml")
    paragraphs = body.xpath("/w:document/w:body/w:p", namespaces=NS)
    assert paragraphs and all(p.xpath("w:pPr/w:bidi", namespaces=NS) for p in paragraphs)
    assert body.xpath("//w:tblPr/w:bidiVisual", namespaces=NS)
    for name in ("word/header1.xml", "word/footer1.xml"):
        assert part(data, name).xpath("//w:p/w:pPr/w:bidi", namespaces=NS), name
    styles = part(data, "word/styles.xml")
    lang = styles.xpath("//w:docDefaults//w:lang", namespaces=NS)[0]
    assert (lang.get(W + "val"), lang.get(W + "bidi")) == ("ar", "ar")


def site_with_edited_reference(
    tmp_path: Path, edit: Callable[[str, bytes], bytes | None]
) -> Path:
    """A site whose templates/docx/reference.docx is the built-in one, part by part
    passed through ``edit`` (None leaves the part out)."""
    root = make_site(tmp_path / "site")
    (root / "templates" / "docx").mkdir(parents=True)
    reference = root / "templates" / "docx" / "reference.docx"
    with zipfile.ZipFile(REPO / "templates" / "docx" / "reference.docx") as src, \
            zipfile.ZipFile(reference, "w") as dst:
        for item in src.infolist():
            blob = edit(item.filename, src.read(item.filename))
            if blob is not None:
                dst.writestr(item, blob)
    return root


def test_footnote_ids_follow_the_reference_documents_separators(tmp_path: Path) -> None:
    def separators_as_word_numbers_them(name: str, blob: bytes) -> bytes | None:
        if name in ("word/footnotes.xml", "word/settings.xml"):
            return blob.replace(b'w:id="0"', b'w:id="1"').replace(b'w:id="-1"', b'w:id="0"')
        return blob

    root = site_with_edited_reference(tmp_path, separators_as_word_numbers_them)
    data, _ = render(root, "everything.md")
    notes = part(data, "word/footnotes.xml")
    assert notes.xpath("w:footnote/@w:id", namespaces=NS) == ["0", "1", "2", "3"]
    assert notes.xpath("w:footnote[@w:type]/@w:id", namespaces=NS) == ["0", "1"]
    body = part(data, "word/document.xml")
    assert body.xpath("//w:footnoteReference/@w:id", namespaces=NS) == ["2", "3"]


def test_damaged_reference_document_fails_the_article_with_its_path(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    (root / "templates" / "docx").mkdir(parents=True)
    (root / "templates" / "docx" / "reference.docx").write_text("not a zip")
    with pytest.raises(ValueError, match=r"reference\.docx: not a usable Word reference"):
        render(root, SAMPLE.name)


def test_reference_without_numbering_gets_the_house_lists(tmp_path: Path) -> None:
    def without_numbering(name: str, blob: bytes) -> bytes | None:
        if name == "word/numbering.xml":
            return None
        if name == "word/_rels/document.xml.rels":
            return re.sub(rb'<Relationship [^>]*numbering.xml"/>', b"", blob)
        return blob

    root = site_with_edited_reference(tmp_path, without_numbering)
    data, _ = render(root, "everything.md")
    items = _numbering(data)
    assert [t for t, _, _ in items][:3] == ["Bullet one", "Bullet two", "Nested bullet"]
    numbering = part(data, "word/numbering.xml")
    assert numbering.xpath("w:abstractNum/w:name/@w:val", namespaces=NS) == [
        "pubkit bulleted", "pubkit numbered"]


def test_writer_strips_what_xml_cannot_hold_even_past_the_reader(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Test Clinic"\n')
    ctx = RenderContext.for_site(open_site(root))
    article = parse_article(b"---\ntitle: T\n---\n\nFirst.\n\nSecond `code` here.\n",
                            "content/t.md", "content")
    second = article.body[1]
    second.children[0].text = "Sec\x00ond\ufffe "  # type: ignore[attr-defined]
    second.children[1].text = "co\ud800de"  # type: ignore[attr-defined]
    data = get("docx").render(article, ctx).data
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Second code here." in texts
    messages = [str(w) for w in ctx.warnings]
    assert [m for m in messages if "XML" in m] == [
        "content/t.md:7: warning: removed characters XML cannot hold: U+0000, U+D800, U+FFFE"]
    second.children[2].text = " he\x00re"  # type: ignore[attr-defined]
    ctx.warnings.clear()
    get("docx").render(article, ctx)
    assert [str(w).count("U+0000") for w in ctx.warnings] == [1]  # once for the line


def test_table_of_contents_field_as_on_the_web_page(sample, rich) -> None:
    assert not part(sample[0], "word/document.xml").xpath("//w:sdt", namespaces=NS)  # 3 < 4
    body = part(rich[0], "word/document.xml")
    (sdt,) = body.xpath("//w:sdt", namespaces=NS)
    assert sdt.xpath(".//w:docPartGallery/@w:val", namespaces=NS) == ["Table of Contents"]
    assert [i.strip() for i in sdt.xpath(".//w:instrText/text()", namespaces=NS)] == [
        'TOC \\o "1-3" \\h \\z \\u']
    entries = sdt.xpath(".//w:p[w:hyperlink]", namespaces=NS)
    assert [e.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) for e in entries] == [
        "TOC1", "TOC2", "TOC3"]
    bookmarks = body.xpath("//w:bookmarkStart[starts-with(@w:name, 'sec_')]/@w:name", namespaces=NS)
    assert [e.xpath("string(w:hyperlink/@w:anchor)", namespaces=NS) for e in entries] == bookmarks[:3]
    kinds = [el.get(W + "fldCharType") for el in sdt.iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"]


def test_committed_reference_document_is_what_the_script_makes(tmp_path: Path) -> None:
    script = runpy.run_path(str(REPO / "scripts" / "make_docx_reference.py"))
    script["main"](tmp_path / "reference.docx")
    committed = REPO / "templates" / "docx" / "reference.docx"
    assert (tmp_path / "reference.docx").read_bytes() == committed.read_bytes()
    styles = docx.Document(str(committed)).styles
    for name in ("Title", "Subtitle", "Quote", "Source Code", "Verbatim Char", "Article Table",
                 "footnote text", "footnote reference", "Header", "Footer", "Hyperlink",
                 *(f"Heading {i}" for i in range(1, 7))):
        assert name in [s.name for s in styles], name


def test_brand_colours_from_the_site_settings_recolour_the_house_styles(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    toml = (root / "pubkit.toml").read_text().replace(
        "[brand]\n", '[brand]\nprimary_color = "#aa2200"\naccent_color = "#fff4e0"\n')
    (root / "pubkit.toml").write_text(toml)
    data, _ = render(root, SAMPLE.name)
    styles = docx.Document(io.BytesIO(data)).styles
    assert str(styles["Heading 2"].font.color.rgb) == "AA2200"
    assert str(styles["Title"].font.color.rgb) == "AA2200"
    banner = styles["Banner"].element
    assert banner.xpath("w:pPr/w:shd/@w:fill") == ["FFF4E0"]
    assert not part(data, "word/styles.xml").xpath("//@w:color[.='0B5A7A'] | //@w:val[.='0B5A7A']",
                                                   namespaces=NS)


def test_a_note_no_reference_reaches_still_appears_at_the_end(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    ctx = RenderContext.for_site(open_site(root))
    article = parse_article(b"---\ntitle: T\n---\n\nText[^a].\n\n[^a]: The lonely note.\n",
                            "content/t.md", "content")
    article.body[0].children = article.body[0].children[:1]  # type: ignore[attr-defined]
    data = get("docx").render(article, ctx).data
    texts = [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert texts[-2] == ("footnote text", "[1] The lonely note.")


def test_bookmark_names_are_unique_word_names_even_for_thousands_alike() -> None:
    """Word's names: letters, digits and _, a letter first, at most 40 characters."""
    import random

    from pubkit.renderers.docx.media import bookmark_names

    rng = random.Random(9)
    pieces = ["sec-risks", "sec-risks-2", "sec-" + "long" * 12, "sec-" + "long" * 12 + "-2", "1st", "",
              "sec-é", "sec-risks_2"]
    for _ in range(300):
        ids = list(dict.fromkeys(rng.choice(pieces) + rng.choice(["", "-2", "-3", "x"])
                                 for _ in range(rng.randint(1, 30))))
        names = bookmark_names(ids)
        assert list(names) == ids and len(set(names.values())) == len(ids)
        assert all(re.fullmatch(r"[A-Za-z]\w{0,39}", v, re.ASCII) for v in names.values()), names
    # 5,000 long headings alike (one base once cut to 36 characters): unique, and within 40
    # characters past the thousandth (the numbering counts on, not from 1 each time).
    ids = [f"sec-{'a' * 50}-{i}" for i in range(5000)]
    names = bookmark_names(ids)
    assert len(set(names.values())) == 5000 and max(map(len, names.values())) <= 40
