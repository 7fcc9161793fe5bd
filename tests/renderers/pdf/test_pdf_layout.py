"""Print layout of the handout: paper, footnotes, tables, headings, pictures, bookmarks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from pubkit.formats import article_renderer as get
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from pubkit.source.reader import read_article
from tests.renderers.pdf.test_pdf import copy_fixture_site, pdftotext, render_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return copy_fixture_site(tmp_path_factory)


@pytest.fixture(scope="module")
def rendered(site: Site):  # type: ignore[no-untyped-def]
    return render_site(site, ("features",))


def test_bookmarks_follow_the_headings(make_site, ctx_for) -> None:
    site = make_site({"content/b.md": (
        "---\ntitle: Bookmarks\n---\n\n## Dosing *and* timing[^1]\n\nText.\n\n"
        "### Missed a dose?\n\nMore.\n\n[^1]: A note about dosing.\n"
    )})
    data = get("pdf").render(read_article(site.content_dir / "b.md", site.root), ctx_for(site)).data
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as outline:
        [top] = outline.root
        assert top.title == "Bookmarks"
        [h2] = top.children
        assert h2.title == "Dosing and timing"  # no footnote call in the label
        assert [c.title for c in h2.children] == ["Missed a dose?"]


def test_footnotes_as_endnotes(site, rendered, tmp_path: Path) -> None:
    settings = site.settings.model_copy(deep=True)
    settings.pdf.footnotes = "end"
    data = get("pdf").render(rendered["features"][0],
                             RenderContext.for_site(type(site)(site.root, settings))).data
    text = " ".join(pdftotext(data, tmp_path).split())
    notes = text.index("Notes 1. Most blocks wear off")
    assert notes > text.index("Call us if the numbness lasts longer than 48 hours")
    assert "2. Do not stop a blood thinner" in text[notes:]


def test_notes_with_block_content_become_endnotes(make_site, ctx_for, tmp_path: Path) -> None:
    site = make_site({"content/n.md": (
        "---\ntitle: Calls\n---\n\nCall one.[^a] Call two.[^b] Again.[^a]\n\n"
        "[^a]: Plain note.\n\n[^b]: A note with a list:\n\n    - first\n    - second\n"
    )})
    article = read_article(site.content_dir / "n.md", site.root)
    data = get("pdf").render(article, ctx_for(site)).data
    text = " ".join(pdftotext(data, tmp_path).split())
    assert "Notes 1. Plain note. 2. A note with a list: first second" in text.replace("◦ ", "")


def test_a_note_called_twice_is_printed_once(make_site, ctx_for, tmp_path: Path) -> None:
    site = make_site({"content/n.md": (
        "---\ntitle: Calls\n---\n\nFirst call.[^a] Second note.[^b]\n\nCalled again.[^a]\n\n"
        "[^a]: Alpha note.\n\n    Its second paragraph.\n\n[^b]: Beta note.\n"
    )})
    article = read_article(site.content_dir / "n.md", site.root)
    data = get("pdf").render(article, ctx_for(site)).data
    text = " ".join(pdftotext(data, tmp_path).split())
    assert text.count("Alpha note.") == 1 and "Notes" not in text
    assert "1. Alpha note. Its second paragraph. 2. Beta note." in text
    assert "Called again.1" in text


def test_paper_and_margins_from_settings(site, rendered, tmp_path: Path) -> None:
    def box(data: bytes) -> list[float]:
        return [float(v) for v in PdfReader(io.BytesIO(data)).pages[0].mediabox]

    assert box(rendered["features"][1])[2:] == pytest.approx([595.28, 841.89], abs=0.5)  # a4
    letter = site.settings.model_copy(deep=True)
    letter.pdf.paper = "letter"
    letter.pdf.margin = "1in"
    ctx = RenderContext.for_site(type(site)(site.root, letter))
    article = rendered["features"][0]
    data = get("pdf").render(article, ctx).data
    assert box(data)[2:] == pytest.approx([612, 792], abs=0.5)
    bbox = pdftotext(data, tmp_path, "-bbox", "-f", "1", "-l", "1")
    lefts = [float(x) for x in re.findall(r'xMin="([\d.]+)"', bbox)]
    assert min(lefts) == pytest.approx(72, abs=1.5)  # one inch


def _words_inside_page(data: bytes, tmp: Path) -> list[str]:
    bbox = pdftotext(data, tmp, "-bbox")
    pages = re.findall(r'<page width="([\d.]+)"', bbox)
    width = float(pages[0])
    over = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', bbox)
    return [w for x0, x1, w in over if float(x1) > width - 20 or float(x0) < 20]


def test_long_tables_repeat_their_header_and_nothing_runs_off_the_page(make_site, ctx_for,
                                                                        tmp_path: Path) -> None:
    rows = "\n".join(f"| Visit {i} | {'note ' * 12}| {'x' * 90} |" for i in range(90))
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
    site = make_site({"content/long.md": (
        f"---\ntitle: Long table\n---\n\nA {word} word.\n\n"
        f"| Visit | Notes | Code |\n|---|---|---|\n{rows}\n"
    )})
    ctx = ctx_for(site)
    article = read_article(site.content_dir / "long.md", site.root)
    data = get("pdf").render(article, ctx).data
    pages = pdftotext(data, tmp_path).split("\f")[:-1]
    assert len(pages) >= 3
    for page in pages[1:]:
        assert re.search(r"Visit\s+Notes\s+Code", page), "header row not repeated"
    assert _words_inside_page(data, tmp_path) == []


def test_headings_are_kept_with_what_follows(make_site, ctx_for, tmp_path: Path) -> None:
    body = "\n\n".join(f"## Heading number {i}\n\n" + "Body text of this section. " * (6 + i % 9)
                         for i in range(60))
    site = make_site({"content/h.md": f"---\ntitle: Headings\n---\n\n{body}\n"})
    article = read_article(site.content_dir / "h.md", site.root)
    data = get("pdf").render(article, ctx_for(site)).data
    pages = pdftotext(data, tmp_path).split("\f")[:-1]
    assert len(pages) >= 3
    for page in pages:
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        body_lines = [ln for ln in lines if "· Page" not in ln]
        assert not body_lines[-1].startswith("Heading number"), body_lines[-3:]


def test_large_pictures_are_scaled_to_print_resolution(make_site, ctx_for) -> None:
    from PIL import Image

    photo = io.BytesIO()
    Image.linear_gradient("L").resize((3000, 1500)).convert("RGB").save(photo, "PNG")
    files = {"content/p.md": "---\ntitle: Photo\n---\n\n![a gradient](photo.png)\n",
             "content/photo.png": photo.getvalue()}

    def widths(toml: str) -> list[int]:
        site = make_site(files, toml=toml)
        data = get("pdf").render(read_article(site.content_dir / "p.md", site.root),
                                 ctx_for(site)).data
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return [int(o.stream_dict.Width) for o in pdf.objects
                    if isinstance(o, pikepdf.Stream) and o.stream_dict.get("/Subtype") == "/Image"]

    # Printed across the ~7 in column of a Letter page: 300 dpi is about 2,100 pixels.
    [scaled] = widths("")
    assert 1900 < scaled < 2300
    assert widths("[pdf]\nimage_dpi = 0\n") == [3000]
