"""The sample site as ``make sample`` builds it, checked with the software its readers use.

``pubkit render --all`` and ``pubkit newsletter newsletters/sample.md`` on a
copy of the repository's site, then: the Nu HTML checker and axe-core in
Chromium on the web pages; pikepdf, poppler and qpdf on the PDF handouts;
LibreOffice and python-docx on the Word documents; caniemail's data for
Gmail, Outlook and Apple Mail on the emails. These are the figures the
README quotes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from tests.tools.browser import axe, nu_check
from tests.tools.caniemail import caniemail
from tests.tools.message import read_message
from tests.tools.office import docx_to_pdf
from tests.tools.pdf import pdffonts, pdftotext, qpdf_check
from tests.tools.programs import OFFLINE_ENV
from tests.tools.wordprocessing import structure
from tests.tools.words import missing_words, source_text

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

REPO = Path(__file__).resolve().parents[1]
SITE = ("pubkit.toml", "content", "newsletters", "templates", "assets")
"""What ``make sample`` reads from the repository, which is itself a pubkit site."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "site"
    root.mkdir()
    for name in SITE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy(source, root / name)
    for command in (["render", "--all"], ["newsletter", "newsletters/sample.md"]):
        proc = subprocess.run([sys.executable, "-m", "pubkit", *command], cwd=root, env=OFFLINE_ENV,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


def outputs(site: Path, suffix: str) -> list[Path]:
    found = sorted((site / "output").rglob(f"*{suffix}"))
    assert found, f"no {suffix} file in {site / 'output'}"
    return found


def test_every_format_of_the_sample_was_written(site: Path) -> None:
    written = {str(p.relative_to(site / "output")) for p in (site / "output").rglob("*") if p.is_file()}
    slug = "ketamine-pain-management"
    assert {f"html/{slug}.html", f"pdf/{slug}.pdf", f"docx/{slug}.docx", f"email/{slug}.eml",
            "newsletters/sample/newsletter.eml"} <= written


def test_pages_are_valid_html(site: Path) -> None:
    errors = nu_check(outputs(site, ".html"))  # the web pages and the emails' HTML
    assert errors == [], [(e.get("url", "")[-40:], e["message"]) for e in errors]


def test_pages_pass_axe_in_chromium(site: Path, chromium: Any) -> None:
    for path in sorted((site / "output" / "html").glob("*.html")):
        page = chromium.new_page()
        page.goto(path.as_uri())
        result = axe(page)
        bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("critical", "serious")]
        assert bad == [], (path.name, bad)
        assert result["passes"], "axe ran no checks"
        page.close()


def test_handouts_are_tagged_pdf_ua_with_every_word(site: Path) -> None:
    for path in outputs(site, ".pdf"):
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked, path.name
            assert pdf.open_metadata().get("pdfuaid:part") == "1", path.name  # claims PDF/UA-1
            assert str(pdf.docinfo.get("/Title", "")), path.name
        fonts = pdffonts(path)
        assert fonts and all(f.embedded for f in fonts), (path.name, fonts)
        verdict, report = qpdf_check(path)
        assert verdict == "ok", (path.name, report)
        source = (site / "content" / f"{path.stem}.md").read_text(encoding="utf-8")
        assert missing_words(source_text(source), pdftotext(path)) == [], path.name


def test_word_documents_open_in_libreoffice_with_real_headings(site: Path, tmp_path: Path) -> None:
    documents = outputs(site, ".docx")
    converted = docx_to_pdf(documents, tmp_path / "pdf")
    assert sorted(converted.pdfs) == documents, converted.log
    for path in documents:
        doc = structure(path.read_bytes())
        assert doc.headings > 0 and doc.fake_headings == [], (path.name, doc.heading_levels)
        assert doc.title, path.name


def test_emails_work_in_gmail_outlook_and_apple_mail(site: Path) -> None:
    messages = {str(p): read_message(p.read_bytes()) for p in outputs(site, ".eml")}
    for name, message in messages.items():
        assert message.alternative and message.text.strip() and message.html_source.strip(), name
    for name, clients in caniemail({n: m.html_source for n, m in messages.items()}).items():
        assert clients["gmail.desktop-webmail"]["unsupported"] == [], name
        assert clients["apple-mail.macos"]["unsupported"] == [], name
        # Outlook for Windows ignores the phone layout's media query and keeps the 600 px one.
        assert clients["outlook.windows"]["unsupported"] == ["@media"], name
