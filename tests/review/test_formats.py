"""Drafts and the review line in all four formats, read back from the real files.

``pubkit render`` leaves drafts out unless ``--drafts``; then the page, the
PDF (text layer, every page), the Word document and both parts of the email
say DRAFT.  The review line reads the same in every format.
"""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf

from pubkit.site import Site

TOML = """
[reviewers]
peck = { name = "Jane Peck", credentials = "MD" }
"""
NOTICE = "DRAFT: not approved for patients"
REVIEW = "Medically reviewed by Jane Peck, MD on January 15, 2025 · Next review January 2026"
LONG = "\n\n".join(f"Paragraph {i} about resting the knee after the visit, with ice and care."
                   for i in range(90))
DRAFT = f"---\ntitle: Knee Draft\nstatus: draft\n---\n\n{LONG}\n"
APPROVED = """\
---
title: Knee Care
reviewed_by: peck
reviewed_on: 2025-01-15
---

Rest the knee.
"""


def run(*args: str, cwd: Path, today: str = "2025-06-01") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUBKIT_TODAY": today}
    return subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


def texts(out: Path, slug: str) -> dict[str, str]:
    """The readable text of each output of ``slug``, whitespace squashed."""
    page = (out / "html" / f"{slug}.html").read_text()
    body = html_lib.unescape(re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1]))
    pdf = pypdf.PdfReader(out / "pdf" / f"{slug}.pdf")
    pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
    document = docx.Document(str(out / "docx" / f"{slug}.docx"))
    message = email.message_from_bytes((out / "email" / f"{slug}.eml").read_bytes(),
                                       policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    rich = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    rich = html_lib.unescape(re.sub(r"<[^>]+>", " ", rich.split("<body", 1)[1]))
    squash = lambda s: " ".join(s.split())  # noqa: E731
    return {"html": squash(body), "pdf": " | ".join(pages), "pdf_pages": str(len(pages)),
            "pdf_first": pages[0], "pdf_last": pages[-1],
            "docx": " | ".join(p.text for p in document.paragraphs),
            "docx_first": document.paragraphs[0].text,
            "email_text": squash(plain), "email_html": squash(rich)}


def test_drafts_left_out_then_marked_in_every_format(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/knee-draft.md": DRAFT, "content/knee-care.md": APPROVED}, toml=TOML)
    out = site.output_dir
    plain = run("render", "--all", cwd=site.root)
    assert plain.returncode == 0, plain.stderr
    assert "skipped content/knee-draft.md: draft (publish it with --drafts)" in plain.stdout
    assert plain.stdout.rstrip().endswith("4 rendered, 0 failed, 1 drafts left out (--drafts renders them)")
    assert not list(out.rglob("knee-draft*"))
    assert len(list(out.rglob("knee-care.*"))) == 6

    asked = run("render", "--all", "--drafts", cwd=site.root)
    assert asked.returncode == 0, asked.stderr
    draft = texts(out, "knee-draft")
    assert int(draft["pdf_pages"]) >= 2
    assert draft["pdf_first"].count(NOTICE) == 2  # the notice, and the top margin
    assert NOTICE in draft["pdf_last"]  # every page carries it in its top margin
    assert draft["docx_first"] == NOTICE
    for fmt in ("html", "email_text", "email_html"):
        assert NOTICE in draft[fmt], fmt
    page = (out / "html" / "knee-draft.html").read_text()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    care = texts(out, "knee-care")
    for fmt in ("html", "pdf", "docx", "email_text", "email_html"):
        assert "DRAFT" not in care[fmt], fmt


def test_review_line_reads_the_same_in_every_format(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/knee-care.md": APPROVED}, toml=TOML)
    assert run("render", "--all", cwd=site.root).returncode == 0
    found = texts(site.output_dir, "knee-care")
    for fmt in ("html", "pdf", "docx", "email_text", "email_html"):
        assert found[fmt].count(REVIEW) == 1, fmt
    page = (site.output_dir / "html" / "knee-care.html").read_text()
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["reviewedBy"] == {"@type": "Person", "name": "Jane Peck", "honorificSuffix": "MD"}
    assert data["lastReviewed"] == "2025-01-15" and "dateModified" not in data


def test_strict_review_refuses_to_publish(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/knee-care.md": APPROVED},
                     toml=TOML + "\n[review]\nstrict = true\ninterval_months = 3\n")
    result = run("render", "--html", cwd=site.root)
    assert result.returncode == 1
    assert "content/knee-care.md: review overdue since 2025-04-15 (reviewed by Jane Peck, MD on " \
           "2025-01-15)" in result.stderr
    assert "0 rendered, 1 failed" in result.stdout
    assert not site.output_dir.exists()
    relaxed = run("render", "--html", cwd=site.root, today="2025-04-15")
    assert relaxed.returncode == 1 and "has no review stamp" in relaxed.stderr  # typed by hand
    assert run("review", "approve", "content/knee-care.md", "--by", "peck", "--on", "2025-04-01",
               cwd=site.root).returncode == 0
    assert run("render", "--html", cwd=site.root, today="2025-04-15").returncode == 0
