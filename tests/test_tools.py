"""The test tools themselves: each one finds what it exists to find, and a missing one fails by name.

Without these, an acceptance test whose checker silently reports nothing
would pass for ever.
"""

from __future__ import annotations

import io
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pikepdf
import pytest
from docx.shared import Pt
from PIL import Image

from tests.tools.browser import nu_check
from tests.tools.caniemail import caniemail
from tests.tools.lighthouse import VERSION, lighthouse
from tests.tools.markup import active_content, broken_images, passwd_leaks
from tests.tools.message import read_message
from tests.tools.office import docx_to_pdf
from tests.tools.pdf import pdffonts, pdftotext, qpdf_check
from tests.tools.programs import program, require, run
from tests.tools.wordprocessing import structure
from tests.tools.words import missing_words, source_text

Failed = pytest.fail.Exception


def test_a_missing_tool_fails_the_test_naming_it_and_its_installer(tmp_path: Path) -> None:
    with pytest.raises(Failed) as missing_file:
        require(tmp_path / "widget.jar", "the Widget checker")
    with pytest.raises(Failed) as missing_program:
        program("pubkit-no-such-program", "Gadget")
    for failure in (missing_file, missing_program):
        message = str(failure.value)
        assert "is not installed" in message and "`make test`" in message
        assert "`scripts/setup.sh test`" in message
    assert "the Widget checker" in str(missing_file.value)
    assert "Gadget" in str(missing_program.value) and "pubkit-no-such-program" in str(missing_program.value)


def test_lighthouse_missing_or_of_another_version_fails_naming_it(tmp_path: Path) -> None:
    with pytest.raises(Failed) as missing:
        lighthouse(["http://127.0.0.1:9/"], tools=tmp_path)
    assert f"Lighthouse {VERSION} (npm lighthouse) is not installed" in str(missing.value)
    assert "`scripts/setup.sh test`" in str(missing.value)
    (tmp_path / "lighthouse").mkdir()
    (tmp_path / "lighthouse" / "package.json").write_text('{"version": "13.0.0"}', encoding="utf-8")
    with pytest.raises(Failed) as other:
        lighthouse(["http://127.0.0.1:9/"], tools=tmp_path)
    assert f"Lighthouse 13.0.0 is installed, the tests expect {VERSION}" in str(other.value)


def test_a_tool_that_hangs_is_killed_and_fails_the_test() -> None:
    with pytest.raises(Failed, match=r"did not finish within 0\.5 s"):
        run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)


def test_tools_run_offline() -> None:
    fetch = "import urllib.request; urllib.request.urlopen('http://example.org/', timeout=20)"
    proc = run([sys.executable, "-c", fetch], timeout=60)
    assert proc.returncode != 0 and "Connection refused" in proc.stderr


def test_missing_words_are_named_and_front_matter_is_not_a_word() -> None:
    source = source_text("---\ntitle: Heading\n---\nOne *two* [three](javascript:x) four four.[^1]\n\n"
                         "[^1]: Five.\n")
    assert missing_words(source, "One two four. Five") == ["three", "four"]
    assert missing_words(source, "ONE two three four four five") == []


def _picture() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 160)).save(buf, "PNG")
    buf.seek(0)
    return buf


def test_word_reader_tells_real_headings_from_big_bold_text() -> None:
    document = docx.Document()
    document.core_properties.title = "A title"
    document.add_heading("A real heading", 1)
    run_ = document.add_paragraph().add_run("Bold and big")
    run_.bold, run_.font.size = True, Pt(16)
    document.add_paragraph().add_run("Bold, body size").bold = True
    document.add_picture(_picture())
    out = io.BytesIO()
    document.save(out)
    found = structure(out.getvalue())
    assert found.heading_levels == {"1": 1} and found.headings == 1
    assert found.fake_headings == ["Bold and big"]
    assert (found.title, found.images, found.images_without_alt) == ("A title", 1, 1)


def _pdf_with_unembedded_font() -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.add_blank_page()
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Hello reader) Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdf_readers_flag_fonts_left_out_and_broken_files() -> None:
    data = _pdf_with_unembedded_font()
    [font] = pdffonts(data)
    assert font.name == "Helvetica" and not font.embedded
    assert "Hello reader" in pdftotext(data)
    assert qpdf_check(data)[0] == "ok"
    assert qpdf_check(data[: len(data) // 2])[0] == "errors"


@pytest.mark.slow
def test_nu_checker_reports_invalid_html_only(tmp_path: Path) -> None:
    head = "<!DOCTYPE html><html lang=en><title>x</title>"
    (tmp_path / "good.html").write_text(f"{head}<p>fine</p>", encoding="utf-8")
    (tmp_path / "bad.html").write_text(f"{head}<p><blink>old</blink></p>", encoding="utf-8")
    errors = nu_check([tmp_path / "good.html", tmp_path / "bad.html"])
    assert {e["url"].rsplit("/", 1)[-1] for e in errors} == {"bad.html"}
    assert all("“blink”" in e["message"] for e in errors)


def test_caniemail_reports_what_outlook_lacks() -> None:
    html = "<html><head><style>@media (max-width: 600px) { p { color: red } }</style></head><body></html>"
    found = caniemail({"one": html})
    assert set(found) == {"one"}
    assert "@media" in found["one"]["outlook.windows"]["unsupported"]
    assert found["one"]["apple-mail.macos"]["unsupported"] == []


@pytest.mark.slow
def test_libreoffice_refuses_what_is_not_a_word_document(tmp_path: Path) -> None:
    fake = tmp_path / "in" / "fake.docx"
    fake.parent.mkdir()
    fake.write_text("plain text, not a Word document\n")
    document = docx.Document()
    document.add_paragraph("A real one.")
    real = tmp_path / "in" / "real.docx"
    document.save(str(real))
    converted = docx_to_pdf([fake, real], tmp_path / "out", timeout=180)
    assert list(converted.pdfs) == [real], converted.log


def test_passwd_copies_are_found_inside_packages() -> None:
    passwd = Path("/etc/passwd").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + passwd + b"</w:t>")
        archive.writestr("word/styles.xml", b"<w:styles/>")
    assert passwd_leaks(buf.getvalue(), "docx") == ["word/document.xml"]
    message = EmailMessage()
    message.set_content(passwd.decode(), cte="base64")
    assert passwd_leaks(message.as_bytes(), "eml") == ["text/plain"]
    assert passwd_leaks(b"<p>root:x:0</p>", "html") == []


def test_page_checks_find_script_and_missing_images(tmp_path: Path) -> None:
    (tmp_path / "here.png").write_bytes(b"png")
    page = lxml.html.document_fromstring(
        '<p onclick="x()"><a href=" javascript:alert(1)">a</a><script>1</script>'
        '<img src="here.png" alt=""><img src="gone.png" alt=""><img src="https://e.org/r.png" alt=""></p>')
    assert active_content(page) == {"script": 1, "event_handlers": 1, "javascript_urls": 1, "frames": 0,
                                    "forms": 0}
    assert broken_images(page, tmp_path / "page.html") == ["gone.png"]


def test_message_reader_sees_an_html_only_message() -> None:
    message = EmailMessage()
    message["Subject"] = "Hi"
    message.set_content("<p>Hi</p>", subtype="html")
    found = read_message(message.as_bytes())
    assert not found.alternative and not found.date_parses
    assert found.headers_missing == ["From", "To", "Date", "Message-ID", "List-Unsubscribe",
                                     "List-Unsubscribe-Post"]
    assert found.html.style_blocks == 0 and found.html.widest_px is None


@pytest.mark.slow
def test_chromium_is_offline(chromium: Any) -> None:
    from playwright.sync_api import Error

    page = chromium.new_page()
    with pytest.raises(Error, match="ERR_PROXY_CONNECTION_FAILED"):
        page.goto("http://example.org/")
    page.close()
