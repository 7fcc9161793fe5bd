"""Word documents as their readers get them: reproducible bytes, LibreOffice, python-docx and pandoc,
every CommonMark example, and ``pubkit render --docx``."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest

from pubkit.formats import article_renderer as get
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site
from pubkit.source.reader import parse_article
from tests.conformance import Example, commonmark_examples
from tests.renderers.docx.test_docx import SAMPLE, make_site, render
from tests.renderers.docx.test_docx_images import emf, image_bytes
from tests.tools.markup import passwd_leaks
from tests.tools.office import Conversion, docx_to_pdf
from tests.tools.pdf import pdftotext
from tests.tools.wordprocessing import structure
from tests.tools.words import missing_words, source_text

WORD = re.compile(r"\w+")


def spec_examples() -> list[Example]:
    return commonmark_examples()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
        return {name: archive.read(name) for name in archive.namelist()}


def differing_parts(a: bytes, b: bytes) -> set[str]:
    """Names of the package parts that differ (pandoc's OOXML golden tests compare this way)."""
    left, right = members(a), members(b)
    assert list(left) == list(right)  # same parts, same order
    return {name for name in left if left[name] != right[name]}


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("docx-clients") / "site")
    header = "| " + " | ".join(f"Column {i}" for i in range(8)) + " |\n|" + ":---:|" * 8 + "\n"
    rows = "".join("| " + " | ".join(f"r{r} c{c}" for c in range(8)) + " |\n" for r in range(60))
    (root / "content" / "big-table.md").write_text(f"---\ntitle: Big Table\n---\n\n{header}{rows}")
    (root / "content" / "img").mkdir()
    (root / "content" / "img" / "diagram.emf").write_bytes(emf())
    (root / "content" / "img" / "photo.bmp").write_bytes(image_bytes("BMP", (900, 300)))
    (root / "content" / "pictures.md").write_text(
        "---\ntitle: Pictures\n---\n\n![A diagram](img/diagram.emf)\n\n"
        "Text ![a photo](img/photo.bmp) inline.\n")
    corpus = "\n\n* * *\n\n".join(e.markdown for e in spec_examples())
    (root / "content" / "commonmark.md").write_text(f"---\ntitle: CommonMark\n---\n\n{corpus}")
    return root


@pytest.fixture(scope="module")
def documents(site_root: Path) -> dict[str, bytes]:
    names = [SAMPLE.name, "everything.md", "big-table.md", "commonmark.md", "pictures.md"]
    return {Path(name).stem: render(site_root, name)[0] for name in names}


def test_same_input_gives_identical_bytes_across_processes(site_root: Path, documents) -> None:
    again = render(site_root, "everything.md")[0]
    assert differing_parts(documents["everything"], again) == set()
    code = (
        "import sys; from pathlib import Path; from tests.renderers.docx.test_docx import render;"
        "sys.stdout.buffer.write(render(Path(sys.argv[1]), 'everything.md')[0])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code, str(site_root)], capture_output=True,
                           check=True, env=env, cwd=Path(__file__).resolve().parents[3]).stdout
    assert differing_parts(documents["everything"], other) == set()
    assert other == documents["everything"]


def test_a_changed_date_changes_only_the_parts_that_show_it(site_root: Path, documents,
                                                            tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    source = root / "content" / "everything.md"
    source.write_text(source.read_text().replace("updated: 2024-06-15", "updated: 2024-07-01"))
    changed = render(root, "everything.md")[0]
    assert differing_parts(documents["everything"], changed) == {
        "docProps/core.xml", "word/document.xml"}


@pytest.fixture(scope="module")
def converted(documents: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Conversion:
    """Every test document through LibreOffice's Word import filter, in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("docx-in")
    for slug, data in documents.items():
        (folder / f"{slug}.docx").write_bytes(data)
    return docx_to_pdf(sorted(folder.iterdir()), tmp_path_factory.mktemp("docx-pdf"))


def test_libreoffice_converts_every_test_document(documents, converted: Conversion) -> None:
    assert "Error" not in converted.log, converted.log
    pdfs = {path.stem: pdf for path, pdf in converted.pdfs.items()}
    assert set(pdfs) == set(documents), converted.log
    for slug, data in documents.items():
        text = " ".join(pdftotext(pdfs[slug]).split())
        title = docx.Document(io.BytesIO(data)).core_properties.title
        assert title in text
    big = pdftotext(pdfs["big-table"])
    assert big.count("\f") >= 2  # more than one page, and the header row on each
    assert " ".join(big.split()).count("Column 7") == big.count("\f")


def test_pandoc_reads_the_structure_back(documents) -> None:
    """A third, independent reader (pandoc's DOCX reader) sees the same structure."""
    import pypandoc

    proc = subprocess.run([pypandoc.get_pandoc_path(), "-f", "docx", "-t", "markdown",
                           "--wrap=none"], input=documents["everything"], capture_output=True,
                          check=True)
    markdown = proc.stdout.decode("utf-8")
    lines = markdown.splitlines()
    for level, word in enumerate(["One", "Two", "Three", "Four", "Five", "Six"], start=1):
        assert f"{'#' * level} Heading {word}" in lines
    for expected in ("- Bullet one", "  - Nested bullet", "    1.  Deep ordered", "3.  Three",
                     "1.  Restart one", "> A quoted paragraph.", "> > A nested quote.",
                     "    def f():", '    \treturn  "tab and  spaces"'):
        assert expected in lines, expected
    assert "*emphasis*, **strong**, ~~struck~~, `inline code`" in markdown
    assert "[link to the clinic](https://example.org/clinic" in markdown
    assert "A note[^1] and another[^2]" in markdown
    assert "[^1]: The first note, with a [link](https://example.org/note)." in markdown
    assert re.search(r"^\s*Left\s+Centre\s+Right$", markdown, re.M)


def test_word_processors_see_real_structure(documents, converted: Conversion, site_root: Path) -> None:
    """What Word's users get: it opens, real Heading styles, a title, alt text, notes, every word."""
    assert {path.stem for path in converted.pdfs} == set(documents), converted.log  # LibreOffice opens each
    found = {slug: structure(data) for slug, data in documents.items()}  # so does python-docx
    for slug, doc in found.items():
        assert doc.fake_headings == [], slug
        assert doc.title, slug
        assert doc.images_without_alt == 0, slug
        assert passwd_leaks(documents[slug], "docx") == [], slug
        if slug not in ("big-table", "pictures"):
            assert doc.headings > 0, slug
    sample = found["ketamine-pain-management"]
    assert sample.heading_levels == {"2": 3, "title": 1}
    source = (site_root / "content" / SAMPLE.name).read_text(encoding="utf-8")
    assert missing_words(source_text(source), sample.text) == []
    assert len(found["everything"].notes) == 2


def _docx_words(data: bytes) -> set[str]:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    texts += [s._inline.docPr.get("descr") or "" for s in document.inline_shapes]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" in archive.namelist():
            notes = archive.read("word/footnotes.xml").decode()
            texts += [html.unescape(t) for t in re.findall(r"<w:t[^>]*>([^<]*)</w:t>", notes)]
    return set(WORD.findall(" ".join(texts)))


def test_every_commonmark_example_renders_without_losing_words(site_root: Path) -> None:
    ctx = RenderContext.for_site(open_site(site_root))
    renderer = get("docx")
    lost = {}
    for example in spec_examples():
        source = b"---\ntitle: Example\n---\n" + example.markdown.encode("utf-8")
        article = parse_article(source, "content/example.md", "content")
        data = renderer.render(article, ctx).data
        expected = ""
        if example.html.strip():
            root = lxml.html.fromstring(f"<div>{example.html}</div>")
            for hidden in root.xpath("//script | //style"):  # sanitised away, never shown
                hidden.drop_tree()
            expected = root.text_content() + " " + " ".join(root.xpath("//img/@alt"))
        missing = set(WORD.findall(expected)) - _docx_words(data)
        if missing:
            lost[example.key] = sorted(missing)
    assert lost == {}


def test_cli_render_docx_writes_output_docx_slug(site_root: Path, documents, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pubkit", "render", "--docx", "--site", str(site_root),
         "--output", str(out), str(site_root / "content" / SAMPLE.name)],
        capture_output=True, text=True, cwd=site_root, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    written = out / "docx" / "ketamine-pain-management.docx"
    assert written.read_bytes() == documents["ketamine-pain-management"]
    assert "1 rendered, 0 failed" in proc.stdout
