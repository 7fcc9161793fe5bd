"""GitHub's extensions come out the same in the page, the PDF, the Word document and the email."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pubkit.sanitize import FILTERED_TAGS
from tests.texts import docx_runs, docx_text, email_parts, page_text, pdf_text, read

ARTICLE = """\
---
title: Extensions
---
Before the list.

- [ ] call the clinic
- [x] fill in the form
- plain item

Struck: ~one~ and ~~two~~ but not ~~~three~~~.
"""

@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gfm") / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "GFM Clinic"\n')
    (root / "content" / "ext.md").write_text(ARTICLE)
    for tag in FILTERED_TAGS:
        (root / "content" / f"tag-{tag}.md").write_text(
            f"---\ntitle: Tag {tag}\n---\nInline {tag}: <{tag}> words after {tag}.\n\n"
            f"<{tag}>\nBlock after {tag}.\n\nClosing {tag} words.\n")
    done = subprocess.run([sys.executable, "-m", "pubkit", "render", "--all", "--site", str(root)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return root / "output"


def texts(out: Path, slug: str) -> dict[str, str]:
    email_html, email_text = email_parts(read(out, f"email/{slug}.eml"))
    return {
        "html": page_text(read(out, f"html/{slug}.html")),
        "pdf": pdf_text(read(out, f"pdf/{slug}.pdf")),
        "docx": docx_text(read(out, f"docx/{slug}.docx")),
        "email html": page_text(email_html.encode()),
        "email text": " ".join(email_text.split()),
    }


def test_task_lists_are_checkboxes_in_the_page_and_ballot_boxes_elsewhere(out: Path) -> None:
    page = read(out, "html/ext.html").decode()
    boxes = re.findall(r"<input [^>]*>", page)
    assert len(boxes) == 2 and all('type="checkbox"' in b and "disabled" in b for b in boxes)
    assert "checked" not in boxes[0] and "checked" in boxes[1]
    for medium, text in texts(out, "ext").items():
        if medium == "html":
            continue
        assert "☐ call the clinic" in text and "☑ fill in the form" in text, medium
        assert "☐ plain" not in text and "☑ plain" not in text, medium


def test_one_or_two_tildes_strike_three_do_not(out: Path) -> None:
    page = read(out, "html/ext.html").decode()
    assert "<s>one</s> and <s>two</s> but not ~~~three~~~." in page
    email_html, email_text = email_parts(read(out, "email/ext.eml"))
    assert re.search(r"<s\b[^>]*>one</s> and <s\b[^>]*>two</s> but not ~~~three~~~", email_html)
    assert "~~~three~~~" in email_text
    runs = docx_runs(read(out, "docx/ext.docx"))
    assert ("one", True) in runs and ("two", True) in runs
    assert any("~~~three~~~" in text and not struck for text, struck in runs)
    assert "one and two but not ~~~three~~~" in pdf_text(read(out, "pdf/ext.pdf"))


@pytest.mark.parametrize("tag", FILTERED_TAGS)
def test_filtered_tags_never_swallow_the_text_after_them(out: Path, tag: str) -> None:
    for medium, text in texts(out, f"tag-{tag}").items():
        for words in (f"words after {tag}", f"Block after {tag}", f"Closing {tag} words"):
            assert words in text, (medium, words, text[-300:])
    page = read(out, f"html/tag-{tag}.html").decode()
    body = page[page.index('<div class="article-body">'):]
    # Inline, the lone tag is dropped; the unclosed block tag is shown as text; neither is live.
    assert body.count(f"&lt;{tag}") == 1 and f"<{tag}" not in body
