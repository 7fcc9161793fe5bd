"""The PDF handout, checked with real WeasyPrint output and real PDF readers."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from pubkit.model import nodes as n
from pubkit.model.text import plain_text
from pubkit.model.visitor import walk
from pubkit.pipeline import render_one, render_path
from pubkit.renderers import get
from pubkit.renderers.base import RenderContext
from pubkit.renderers.qr import qr_svg
from pubkit.site import open_site
from pubkit.source.reader import read_article

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITE = REPO / "tests" / "fixtures" / "pdf" / "site"
SAMPLE = REPO / "content" / "ketamine-pain-management.md"
CHECKER = REPO.parent / "shared" / "acceptance" / "check.py"
CHECKER_PYTHON = Path("/tmp/pubkit-acceptance/venv/bin/python")


def pdftotext(data: bytes, tmp: Path, *args: str) -> str:
    src = tmp / "in.pdf"
    src.write_bytes(data)
    return subprocess.run(["pdftotext", *args, str(src), "-"], check=True,
                          capture_output=True, text=True).stdout


def squash(text: str) -> str:
    """Text without whitespace or hyphens: line breaks and hyphenation don't count."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("pdf") / "site"
    shutil.copytree(FIXTURE_SITE, root)
    shutil.copy(SAMPLE, root / "content" / SAMPLE.name)
    return open_site(root)


@pytest.fixture(scope="module")
def rendered(site):  # type: ignore[no-untyped-def]
    """Each article of the fixture site rendered once: slug -> (article, bytes, warnings)."""
    ctx = RenderContext.for_site(site)
    out = {}
    for path in sorted(site.content_dir.glob("*.md")):
        article = read_article(path, site.root)
        ctx.warnings.clear()
        out[article.slug] = (article, get("pdf").render(article, ctx).data, list(ctx.warnings))
    return out


def test_every_heading_and_paragraph_of_the_sample_in_order(rendered, tmp_path: Path) -> None:
    article, data, warnings = rendered["ketamine-pain-management"]
    assert warnings == []
    text = squash(pdftotext(data, tmp_path))
    pos = 0
    blocks = [b for b in walk(article.body) if isinstance(b, n.Paragraph | n.Heading)]
    assert len(blocks) >= 10
    for block in [article.meta.title, *(plain_text(b.children) for b in blocks)]:
        found = text.find(squash(block), pos)
        assert found >= 0, f"missing or out of order: {block[:60]!r}"
        pos = found + len(squash(block))


def test_metadata_and_language_come_from_the_article(rendered) -> None:
    article, data, _ = rendered["features"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Getting Ready for Your Nerve Block"
        assert str(info["/Author"]) == "Dana Whitfield, RN"
        assert str(info["/Subject"]) == article.summary
        assert str(info["/Keywords"]) == "nerve block, procedures, preparation"
        assert str(info["/CreationDate"]).startswith("D:20240304")
        assert str(info["/ModDate"]).startswith("D:20240501")
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True


def test_sample_without_author_names_the_clinic(rendered) -> None:
    _, data, _ = rendered["ketamine-pain-management"]
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "The Role of Ketamine in Pain Management"
    assert meta.author == "Riverside Pain Clinic"
    assert meta["/Keywords"] == "pain management, ketamine, chronic pain"
    assert meta.subject and meta.subject.startswith("Pain, whether acute or chronic")
    assert "/CreationDate" not in meta  # no date in the front matter, and no clock either


def _structure(data: bytes) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.MarkInfo.Marked
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(reversed(list(node)))
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                out.append((str(node.S), str(node.get("/Alt", ""))))
                if "/K" in node:
                    stack.append(node.K)
        xmp = str(pdf.open_metadata())
    out.append(("xmp", xmp))
    return out


def test_tagged_pdf_ua_structure(rendered) -> None:
    tags = _structure(rendered["features"][1])
    kinds = [k for k, _ in tags]
    for kind in ("/Document", "/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TH", "/TD",
                 "/BlockQuote", "/Figure", "/Caption", "/Link"):
        assert kind in kinds, kind
    alts = {alt for kind, alt in tags if kind == "/Figure"}
    assert {"Riverside Pain Clinic logo", "The visit at a glance",
            "QR code linking to https://clinic.example.org/nerve-block.html"} <= alts
    assert 'pdfuaid:part="1"' in tags[-1][1]


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


def test_rerender_is_byte_identical(site, rendered) -> None:
    ctx = RenderContext.for_site(site)
    for slug, (article, data, _) in rendered.items():
        assert get("pdf").render(article, ctx).data == data, slug


def test_handout_parts(rendered, tmp_path: Path) -> None:
    _, data, warnings = rendered["features"]
    assert warnings == []
    pages = pdftotext(data, tmp_path).split("\f")
    text = " ".join(pages)
    assert "Riverside Pain Clinic · Page 1 of 2" in pages[0]
    assert "Riverside Pain Clinic · Page 2 of 2" in pages[1]
    first = " ".join(pages[0].split())
    for part in ("Same-week appointments", "12 River Rd", "What to expect before",
                 "By Dana Whitfield, RN", "Medically reviewed by Dr. Amir Haddad on May 1, 2024",
                 "1 min read", "Your visit, from referral to recovery"):
        assert part in first, part
    flat = squash(text)
    assert squash("(https://www.example.gov/health/procedures/nerve-block)") in flat
    assert squash("Read online: https://clinic.example.org/nerve-block.html") in flat
    # Footnotes sit at the foot of the page that calls them, numbered as in the article.
    assert "Notes" not in text
    foot = " ".join(pages[0].split("Riverside Pain Clinic · Page 1")[0].split()[-40:])
    assert "1. Most blocks wear off within 6 to 24 hours" in foot
    assert "2. Do not stop a blood thinner on your own" in foot
    assert squash("is not a substitute for professional medical advice") in flat


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


def test_qr_code_on_paper_decodes_to_the_canonical_url(rendered, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    _, data, _ = rendered["features"]
    (tmp_path / "h.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", "-singlefile",
                    str(tmp_path / "h.pdf"), str(tmp_path / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == ["https://clinic.example.org/nerve-block.html"]
    assert qr_svg("https://x.example/").startswith(b"<svg")


def test_no_qr_code_without_a_canonical_url(rendered) -> None:
    kinds = _structure(rendered["ketamine-pain-management"][1])
    assert not any(alt.startswith("QR code") for _, alt in kinds)


SCRIPTS = {
    "Latin": "café naïve Ærøskøbing Łódź Nguyễn São Čeština",
    "Greek": "Η ψυχή του ανθρώπου είναι σαν το νερό",
    "Cyrillic": "Съешь же ещё этих мягких французских булок",
    "Arabic": "الألم المزمن يحتاج إلى رعاية مستمرة",
    "Hebrew": "כאב כרוני דורש טיפול מתמשך",
    "CJK": "慢性疼痛需要持续的护理 慢性の痛みには継続的なケアが必要です 만성 통증에는 지속적인",
}


def _glyph_maps(data: bytes) -> tuple[dict[str, set[int]], dict[str, int], set[str]]:
    """char -> glyph ids (from each font's ToUnicode), font -> glyph count, font names."""
    from fontTools.ttLib import TTFont

    chars: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    names: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                base = str(font.BaseFont)
                names.add(base.split("+", 1)[-1])
                desc = font.DescendantFonts[0].FontDescriptor
                stream = desc.get("/FontFile2") or desc.get("/FontFile3")
                raw = stream.read_bytes()
                if "/FontFile3" in desc:
                    counts[base] = 1 << 16  # bare CFF: glyph ids checked through ToUnicode only
                else:
                    counts[base] = len(TTFont(io.BytesIO(raw)).getGlyphOrder())
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for gid, text in _bfchars(cmap):
                    # A glyph the font lacks is drawn as .notdef (0) or as an id past its end.
                    real = gid if 0 < gid < counts[base] else 0
                    for ch in text:
                        chars.setdefault(ch, set()).add(real)
    return chars, counts, names


def _bfchars(cmap: str) -> list[tuple[int, str]]:
    out = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for gid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out.append((int(gid, 16), bytes.fromhex(uni).decode("utf-16-be")))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            start = int.from_bytes(bytes.fromhex(uni), "big")
            for i, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out.append((gid, chr(start + i)))
    return out


def test_every_script_prints_with_real_glyphs(rendered, tmp_path: Path) -> None:
    _, data, _ = rendered["scripts"]
    chars, _, fonts = _glyph_maps(data)
    for script, sample in SCRIPTS.items():
        for ch in sample.replace(" ", ""):
            gids = chars.get(ch)
            assert gids, f"{script}: {ch!r} (U+{ord(ch):04X}) is not in any embedded font"
            assert 0 not in gids, f"{script}: {ch!r} drawn with the missing-glyph box"
    for emoji in "😀💊🩺":
        assert chars.get(emoji), emoji
    assert {"Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-Hebrew", "Noto-Sans-CJK-SC",
            "Noto-Color-Emoji"} <= fonts
    text = unicodedata.normalize("NFC", pdftotext(data, tmp_path))
    words = set(re.sub(r"[.,:]", " ", text).split())
    for script in ("Latin", "Greek", "Cyrillic"):
        for word in unicodedata.normalize("NFC", SCRIPTS[script]).split():
            assert word in words, (script, word)


def test_a_missing_glyph_is_detected(make_site, ctx_for) -> None:
    site = make_site({"content/m.md": "---\ntitle: M\n---\n\nUnassigned: \u0378 here.\n"})
    article = read_article(site.content_dir / "m.md", site.root)
    chars, _, _ = _glyph_maps(get("pdf").render(article, ctx_for(site)).data)
    assert chars["\u0378"] == {0}
    assert 0 not in chars["U"]


def test_digits_do_not_come_from_the_emoji_font(rendered) -> None:
    _, data, _ = rendered["scripts"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            if "Emoji" in str(font.BaseFont):
                mapped = "".join(t for _, t in _bfchars(font.ToUnicode.read_bytes().decode()))
                assert not set(mapped) & set("0123456789 #*"), mapped


def test_right_to_left_article(rendered, tmp_path: Path) -> None:
    article, data, warnings = rendered["rtl"]
    assert warnings == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "ar"
        assert str(pdf.docinfo["/Title"]) == "إدارة الألم المزمن"
    raw = re.sub("[\u202a-\u202e\u2066-\u2069]", "", pdftotext(data, tmp_path))  # bidi marks
    text = " ".join(raw.split())
    # The site's own words stay left to right, in reading order, around the Arabic names.
    assert "Medically reviewed by" in text and "on April 10, 2024 · 1 min read" in text
    assert "Read online: https://clinic.example.org/ar/ chronic-pain.html" in text
    chars, _, fonts = _glyph_maps(data)
    assert "Noto-Sans-Arabic" in fonts
    assert all(0 not in chars[ch] for ch in article.title.replace(" ", ""))


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


def test_time_limit_fails_the_slow_article_alone(make_site, ctx_for) -> None:
    huge = "\n\n".join(f"Paragraph {i} " + "word " * 120 for i in range(900))
    site = make_site({"content/a-small.md": "---\ntitle: Small\n---\n\nShort.\n",
                      "content/b-huge.md": f"---\ntitle: Huge\n---\n\n{huge}\n"},
                     toml="render_timeout = 2.0\n")
    ctx = ctx_for(site)
    warm = read_article(site.content_dir / "a-small.md", site.root)
    get("pdf").render(warm, ctx)  # fonts and stylesheets ready, as in any batch
    results = [r for p in sorted(site.content_dir.glob("*.md")) for r in render_path(p, ["pdf"], ctx)]
    small, huge_result = results
    assert small.ok and small.output is not None and small.output.data.startswith(b"%PDF")
    assert not huge_result.ok and huge_result.output is None
    assert huge_result.error is not None and "longer than 2 s" in huge_result.error.message


def test_time_limit_holds_off_the_main_thread(make_site, ctx_for) -> None:
    """Dask and thread pools get no SIGALRM: the renderer's own deadline fails the article."""
    import threading

    images = "\n\n".join(f"Figure {i}: ![chart {i}](images/c{i}.png)" for i in range(400))
    site = make_site({"content/many.md": f"---\ntitle: Many\n---\n\n{images}\n"},
                     toml="render_timeout = 0.05\n")
    ctx = ctx_for(site)
    article = read_article(site.content_dir / "many.md", site.root)
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(render_one(article, "pdf", ctx)))
    worker.start()
    worker.join(120)
    [result] = box
    assert result.error is not None and "longer than 0.05 s" in result.error.message
    assert result.output is None


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


def test_stylesheet_cache_stays_bounded(site, rendered) -> None:
    from pubkit.renderers import pdf as pdf_module

    article, data, _ = rendered["features"]
    eng = pdf_module.engine()
    for mm in range(10, 10 + pdf_module.STYLESHEET_CACHE_SIZE + 3):
        settings = site.settings.model_copy(deep=True)
        settings.pdf.margin = f"{mm}mm"
        get("pdf").render(article, RenderContext.for_site(type(site)(site.root, settings)))
        assert len(eng.styles) <= pdf_module.STYLESHEET_CACHE_SIZE
    # The first settings were evicted and parsed again: the output has not moved a byte.
    assert get("pdf").render(article, RenderContext.for_site(site)).data == data


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


def test_pictures_without_alt_text_get_words_and_a_warning(make_site, ctx_for) -> None:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (30, 20), (9, 90, 120)).save(png, "PNG")
    site = make_site({"content/a.md": "---\ntitle: Alt\n---\n\n![](knee-injection_site.png)\n",
                      "content/knee-injection_site.png": png.getvalue()})
    ctx = ctx_for(site)
    data = get("pdf").render(read_article(site.content_dir / "a.md", site.root), ctx).data
    alts = [alt for kind, alt in _structure(data) if kind == "/Figure"]
    assert alts == ["knee injection site"]
    assert [(w.line, "no alt text" in w.message) for w in ctx.warnings] == [(5, True)]


def test_variants(site, rendered) -> None:
    article = rendered["features"][0]
    for variant, check in (("pdf/a-3b", 'pdfaid:part="3"'), ("plain", None)):
        settings = site.settings.model_copy(deep=True)
        settings.pdf.variant = variant
        data = get("pdf").render(article, RenderContext.for_site(type(site)(site.root, settings))).data
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if check:
                assert check in str(pdf.open_metadata()) and "/OutputIntents" in pdf.Root
                assert "/StructTreeRoot" in pdf.Root
            else:
                assert "/StructTreeRoot" not in pdf.Root and "/Metadata" not in pdf.Root
            assert str(pdf.docinfo["/Title"]) == article.title


def test_cli_render_pdf_writes_the_same_bytes(site, rendered) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pubkit", "render", "--pdf", "--site", str(site.root),
         str(site.content_dir / "features.md")],
        capture_output=True, text=True, cwd=site.root, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    written = site.root / "output" / "pdf" / "features.pdf"
    assert written.read_bytes() == rendered["features"][1]  # another process, same bytes
    assert "1 rendered, 0 failed" in proc.stdout


def test_acceptance_checker(rendered, tmp_path: Path) -> None:
    if not (CHECKER.is_file() and CHECKER_PYTHON.is_file()):
        pytest.skip("acceptance checker not installed (run ../shared/acceptance/setup.sh)")
    out = tmp_path / "out" / "pdf"
    out.mkdir(parents=True)
    for slug, (_, data, _) in rendered.items():
        (out / f"{slug}.pdf").write_bytes(data)
    report = tmp_path / "report.json"
    subprocess.run([str(CHECKER_PYTHON), str(CHECKER), str(out.parent), "--source",
                    str(SAMPLE.parent), "--skip", "vnu,axe,soffice,caniemail", "--json", str(report)],
                   check=True, capture_output=True, timeout=300)
    records = _pdf_records(json.loads(report.read_text()))
    assert len(records) == len(rendered)
    sample = [r for r in records if r.get("fidelity")]
    assert len(sample) == 1 and sample[0]["fidelity"]["pct"] == 100.0  # every source word printed
    for rec in records:
        assert rec.get("tagged") is True, rec
        assert rec.get("title"), rec
        assert rec.get("all_fonts_embedded") is True, rec
        assert rec.get("qpdf_check") == "ok", rec


def _pdf_records(report: object) -> list[dict]:
    found: list[dict] = []
    stack = [report]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "qpdf_check" in item:
                found.append(item)
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_dates_come_from_the_article_not_the_clock(rendered) -> None:
    article, data, _ = rendered["features"]
    today = dt.date.today().strftime("%Y%m%d").encode()
    assert article.meta.date and article.meta.date.isoformat() == "2024-03-04"
    assert b"D:" + today not in data
