"""Reading each format's text back: page furniture, hidden HTML, Word notes."""

from __future__ import annotations

from pathlib import Path

import docx

from pubkit.verify.compare import missing_items
from pubkit.verify.expected import Item
from pubkit.verify.extract import docx_text, extract_pdf, html_text, without_furniture


def test_running_footers_are_dropped_so_a_paragraph_runs_on_across_pages() -> None:
    pages = [
        ["Section 4", "Rest the knee for two days and keep", "Clinic · Page 1 of 2"],
        ["it raised on a pillow.", "Section 9", "Clinic · Page 2 of 2"],
    ]
    text = without_furniture(pages)
    assert "Page" not in text
    assert "Section 4" in text and "Section 9" in text  # headings at the top of pages stay
    para = Item("paragraph", 5, "", ("Rest the knee for two days and keep it raised on a pillow.",))
    assert missing_items([para], text) == []
    assert missing_items([para], "\n".join(line for page in pages for line in page)) == [para]


def test_html_text_leaves_out_scripts_comments_and_hidden_elements() -> None:
    page = (b"<html><head><title>T</title></head><body><div style='display: none'>Preheader</div>"
            b"<p>Rest<script>var x</script> well<!-- note -->.</p><table><tr><td>5</td><td>6</td></tr>"
            b"</table><p hidden>gone</p>after</body></html>")
    text = html_text(page)
    assert " ".join(text.split()) == "Rest well. 5 6 after"


def test_word_notes_are_read_from_their_own_part(built_site: Path) -> None:
    path = built_site / "output" / "docx" / "rich.docx"
    note = "Cold packs from the freezer work as well as ice."
    assert note not in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert note in docx_text(path.read_bytes())


def test_the_handout_text_layer_holds_the_article(built_site: Path) -> None:
    [(part, text)] = extract_pdf(built_site / "output" / "pdf" / "rich.pdf")
    assert part == "pdf"
    assert "Nurse line 555-0100" in text and "Cold packs from the freezer" in text
