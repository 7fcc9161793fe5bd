"""The PDF handout, checked with real WeasyPrint output and real PDF readers."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from pubkit.formats import article_renderer as get
from pubkit.model import nodes as n
from pubkit.model.text import plain_text
from pubkit.model.visitor import walk
from pubkit.pipeline import render_one, render_path
from pubkit.renderers.base import RenderContext
from pubkit.renderers.pdf.qr import qr_svg
from pubkit.site import Site, open_site
from pubkit.source.reader import read_article
from tests.tools import pdf as tools_pdf
from tests.tools.words import missing_words, source_text

REPO = Path(__file__).resolve().parents[3]
FIXTURE_SITE = REPO / "tests" / "fixtures" / "pdf" / "site"
SAMPLE = REPO / "content" / "ketamine-pain-management.md"


def pdftotext(data: bytes, tmp: Path, *args: str) -> str:
    """poppler's text layer of ``data`` (``tmp`` is kept for the callers in the other PDF modules)."""
    return tools_pdf.pdftotext(data, *args)


def squash(text: str) -> str:
    """Text without whitespace or hyphens: line breaks and hyphenation don't count."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def copy_fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The handout fixture site (tests/fixtures/pdf/site) plus the sample article, in a temp folder."""
    root = tmp_path_factory.mktemp("pdf") / "site"
    shutil.copytree(FIXTURE_SITE, root)
    shutil.copy(SAMPLE, root / "content" / SAMPLE.name)
    return open_site(root)


def render_site(site: Site, slugs: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    """Articles of ``site`` rendered once: slug -> (article, bytes, warnings)."""
    ctx = RenderContext.for_site(site)
    out = {}
    for path in sorted(site.content_dir.glob("*.md")):
        if slugs and path.stem not in slugs:
            continue
        article = read_article(path, site.root)
        ctx.warnings.clear()
        out[article.slug] = (article, get("pdf").render(article, ctx).data, list(ctx.warnings))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return copy_fixture_site(tmp_path_factory)


@pytest.fixture(scope="module")
def rendered(site: Site):  # type: ignore[no-untyped-def]
    return render_site(site)


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
                 "By Dana Whitfield, RN", "Medically reviewed by Dr. Amir Haddad on May 1, 2024"
                 " · Next review May 2025",
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


def test_qr_code_on_paper_decodes_to_the_canonical_url(rendered, tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    _, data, _ = rendered["features"]
    page = tools_pdf.pdftoppm(data, 2, 150, tmp_path / "page")
    found = zxingcpp.read_barcodes(Image.open(page))
    assert [code.text for code in found] == ["https://clinic.example.org/nerve-block.html"]
    assert qr_svg("https://x.example/").startswith(b"<svg")


def test_no_qr_code_without_a_canonical_url(rendered) -> None:
    kinds = _structure(rendered["ketamine-pain-management"][1])
    assert not any(alt.startswith("QR code") for _, alt in kinds)


def test_time_limit_fails_the_slow_article_alone(make_site, ctx_for) -> None:
    huge = "\n\n".join(f"Paragraph {i} " + "word " * 120 for i in range(900))
    site = make_site({"content/a-small.md": "---\ntitle: Small\n---\n\nShort.\n",
                      "content/b-huge.md": f"---\ntitle: Huge\n---\n\n{huge}\n"},
                     toml="render_timeout = 5.0\n")  # the small one finishes in time on a busy machine
    ctx = ctx_for(site)
    warm = read_article(site.content_dir / "a-small.md", site.root)
    get("pdf").render(warm, ctx)  # fonts and stylesheets ready, as in any batch
    results = [r for p in sorted(site.content_dir.glob("*.md")) for r in render_path(p, ["pdf"], ctx)]
    small, huge_result = results
    assert small.ok and small.output is not None and small.output.data.startswith(b"%PDF")
    assert not huge_result.ok and huge_result.output is None
    assert huge_result.error is not None and "longer than 5 s" in huge_result.error.message


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


def test_stylesheet_cache_stays_bounded(site, rendered) -> None:
    from pubkit.renderers.pdf import renderer as pdf_module

    article, data, _ = rendered["features"]
    eng = pdf_module.engine()
    for mm in range(10, 10 + pdf_module.STYLESHEET_CACHE_SIZE + 3):
        settings = site.settings.model_copy(deep=True)
        settings.pdf.margin = f"{mm}mm"
        get("pdf").render(article, RenderContext.for_site(type(site)(site.root, settings)))
        assert len(eng.styles) <= pdf_module.STYLESHEET_CACHE_SIZE
    # The first settings were evicted and parsed again: the output has not moved a byte.
    assert get("pdf").render(article, RenderContext.for_site(site)).data == data


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


def test_other_readers_accept_every_handout(rendered) -> None:
    """poppler and qpdf, not the library that wrote the files: tagged, titled, fonts embedded, sound."""
    for slug, (_, data, _) in rendered.items():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert "/StructTreeRoot" in pdf.Root, slug
            assert str(pdf.docinfo.get("/Title", "")) or pdf.open_metadata().get("dc:title"), slug
        fonts = tools_pdf.pdffonts(data)
        assert fonts and [f.name for f in fonts if not f.embedded] == [], (slug, fonts)
        verdict, report = tools_pdf.qpdf_check(data)
        assert verdict == "ok", (slug, report)
    # Every word of the sample's source is in the text layer (copy, search, screen readers).
    sample = rendered["ketamine-pain-management"][1]
    assert missing_words(source_text(SAMPLE.read_text(encoding="utf-8")), tools_pdf.pdftotext(sample)) == []


def test_dates_come_from_the_article_not_the_clock(rendered) -> None:
    article, data, _ = rendered["features"]
    today = dt.date.today().strftime("%Y%m%d").encode()
    assert article.meta.date and article.meta.date.isoformat() == "2024-03-04"
    assert b"D:" + today not in data
