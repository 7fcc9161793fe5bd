"""The Spanish sample through the project's own third-party checks, as ``make sample`` renders it.

Nu HTML checker (0 errors), axe-core in Chromium (nothing serious or
critical), a tagged PDF/UA handout in both variants, and a Word document that
LibreOffice opens and converts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from tests.conftest import REPO
from tests.tools.browser import axe_source, browser, nu_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
SLUG = "es/ketamina-manejo-del-dolor"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "pubkit.toml", root / "pubkit.toml")
    shutil.copytree(REPO / "content", root / "content")
    result = CliRunner().invoke(app, ["render", "--all", "--large-print", "--site", str(root)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    return root / "output"


def test_the_spanish_page_is_valid_html(output: Path) -> None:
    pages = [output / "html" / f"{SLUG}.html", output / "html" / "ketamine-pain-management.html",
             output / "email" / f"{SLUG}.html"]
    errors = nu_check(pages)
    assert errors == [], [(e.get("url", "")[-40:], e["message"]) for e in errors]


def test_the_spanish_page_passes_axe(output: Path) -> None:
    with browser() as b:
        page = b.new_page()
        page.goto((output / "html" / f"{SLUG}.html").as_uri())
        page.add_script_tag(content=axe_source())
        result = page.evaluate("async () => await axe.run(document)")
        bad = [(v["id"], v["impact"]) for v in result["violations"]
               if v["impact"] in ("critical", "serious")]
        assert bad == []
        assert result["passes"], "axe ran no checks"
        assert page.evaluate("document.documentElement.lang") == "es"
        assert page.locator("nav.languages a").get_attribute("hreflang") == "en"


@pytest.mark.parametrize("name", [f"{SLUG}.pdf", f"{SLUG}.large-print.pdf"])
def test_the_spanish_handouts_are_tagged_pdf_ua(output: Path, name: str) -> None:
    with pikepdf.open(output / "pdf" / name) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "es"
        assert 'pdfuaid:part="1"' in str(pdf.open_metadata())
        assert str(pdf.docinfo["/Title"]) == "La ketamina y el control del dolor"
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is required"
    done = subprocess.run([qpdf, "--check", str(output / "pdf" / name)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_libreoffice_opens_the_spanish_document(output: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is required"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
         "--infilter=MS Word 2007 XML", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
         str(output / "docx" / f"{SLUG}.docx")],
        capture_output=True, text=True, timeout=300,
    )
    converted = tmp_path / "pdf" / "ketamina-manejo-del-dolor.pdf"
    assert converted.is_file(), proc.stdout + proc.stderr
    text = " ".join(subprocess.run(["pdftotext", str(converted), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for words in ("La ketamina y el control del dolor", "Revisión médica: Jane Peck, MD",
                  "Lectura de 2 minutos", "Página 1 de"):
        assert words in text, words
