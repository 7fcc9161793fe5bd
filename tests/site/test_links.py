"""Every kind of link goes to the same place in all four formats.

One article per kind of link, rendered by ``pubkit render --all`` through the
real engines; each test reads one output file the way its reader does (the
page's ``<a href>``, the PDF's link annotations, the Word document's
hyperlink relationships and bookmarks, the email's HTML and text parts) and
compares what the link became with the rule of :mod:`pubkit.site.links`.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree, html

BASE = "https://clinic.example/health/"
PAGE_TEXT = "Target link"
DROPPED = None
"""Expected target when the address is dropped and only the words stay."""

# kind: (Markdown link target, HTML href, absolute URL, same-document anchor for PDF/Word)
KINDS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "article": ("b.md", "custom-slug.html", f"{BASE}custom-slug.html", None),
    "article-anchor": ("b.md#part-one", "custom-slug.html#sec-part-one",
                       f"{BASE}custom-slug.html#sec-part-one", None),
    "article-in-folder": ("guides/c.md", "c.html", f"{BASE}c.html", None),
    "own-anchor": ("#tips", "#sec-tips", f"{BASE}own-anchor.html#sec-tips", "sec-tips"),
    "file": ("forms/intake.pdf", "forms/intake.pdf", f"{BASE}forms/intake.pdf", None),
    "file-with-space": ("<forms/intake form.pdf>", "forms/intake-form.pdf",
                        f"{BASE}forms/intake-form.pdf", None),
    "site-path": ("/locations", "/locations", "https://clinic.example/locations", None),
    "parent-page": ("../about.html", "../about.html", "https://clinic.example/about.html", None),
    "bare-page": ("appointments", "appointments", f"{BASE}appointments", None),
    "external": ("https://www.example.org/pain?a=1", "https://www.example.org/pain?a=1",
                 "https://www.example.org/pain?a=1", None),
    "mail": ("mailto:desk@clinic.example", "mailto:desk@clinic.example",
             "mailto:desk@clinic.example", None),
    "missing-article": ("gone.md", "gone.md", f"{BASE}gone.md", None),
    "missing-file": ("forms/missing.pdf", "forms/missing.pdf", f"{BASE}forms/missing.pdf", None),
    "missing-heading": ("b.md#nowhere", "custom-slug.html#nowhere",
                        f"{BASE}custom-slug.html#nowhere", None),
    "unsafe": ("javascript:alert(1)", DROPPED, DROPPED, None),
    "unsafe-disguised": ("JaVaScRiPt&#x3a;alert(1)", DROPPED, DROPPED, None),
    "data-link": ("data:image/png;base64,iVBORw0KGgo=", DROPPED, DROPPED, None),
}
BROKEN = {"missing-article": 9, "missing-file": 9, "missing-heading": 9}
"""Kinds reported as broken, with the line of the link in their article."""

ARTICLE = """\
---
title: Link kind {kind}
lang: en
---
Some words first.

## Tips

Read the [{text}]({target}) now.
"""


def a_pdf(title: str) -> bytes:
    """A small real PDF (linked files are checked before they are published)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def pdf_title(data: bytes) -> str:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.docinfo["/Title"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("links") / "site"
    (root / "content" / "forms").mkdir(parents=True)
    (root / "content" / "guides").mkdir()
    (root / "pubkit.toml").write_text(f'site_name = "Link Clinic"\nbase_url = "{BASE}"\n')
    (root / "content" / "forms" / "intake.pdf").write_bytes(a_pdf("Intake form"))
    (root / "content" / "forms" / "intake form.pdf").write_bytes(a_pdf("Spaced form"))
    (root / "content" / "b.md").write_text("---\ntitle: B\nslug: custom-slug\n---\n## Part one\n\nx\n")
    (root / "content" / "guides" / "c.md").write_text("---\ntitle: C\n---\nc\n")
    (root / "content" / "none.md").write_text("---\ntitle: No link\n---\nNo link here.\n")
    for kind, (target, *_) in KINDS.items():
        (root / "content" / f"{kind}.md").write_text(
            ARTICLE.format(kind=kind, text=PAGE_TEXT, target=target))
    return root


@pytest.fixture(scope="module")
def rendered(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pubkit", "render", "--all", "--site", str(site)],
                          capture_output=True, text=True, timeout=600)


def out(site: Path, path: str) -> Path:
    return site / "output" / path


# ------------------------------------------------------------- each medium's view
def html_targets(data: bytes) -> set[str | None]:
    tree = html.fromstring(data)
    found = {a.get("href") for a in tree.iter("a") if a.text_content().strip() == PAGE_TEXT}
    words = PAGE_TEXT in tree.text_content()
    return found or ({DROPPED} if words else set())


def pdf_targets(path: Path) -> set[str | None]:
    found: set[str | None] = set()
    for page in pypdf.PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            action = a.get("/A")
            if action is not None and "/URI" in action:
                found.add(str(action["/URI"]))
            elif "/Dest" in a:
                found.add("#" + str(a["/Dest"]))
    return found


def docx_targets(path: Path) -> set[str | None]:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    found: set[str | None] = set()
    for link in body.iter(f"{{{w}}}hyperlink"):
        text = "".join(link.itertext())
        if text.strip() != PAGE_TEXT:
            continue
        rid, anchor = link.get(f"{{{r}}}id"), link.get(f"{{{w}}}anchor")
        found.add(targets[rid] if rid else f"#{anchor}")
    words = PAGE_TEXT in "".join(body.itertext())
    return found or ({DROPPED} if words else set())


def email_targets(path: Path) -> tuple[set[str | None], str]:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html_part = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text_part = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return html_targets(html_part.encode()), text_part


# ---------------------------------------------------------------------- tests
def test_render_reports_broken_links_and_writes_everything(
    rendered: subprocess.CompletedProcess[str],
) -> None:
    assert rendered.returncode == 0, rendered.stderr
    articles = len(KINDS) + 3  # and b.md, guides/c.md, none.md
    assert f"{articles * 4} rendered, 0 failed" in rendered.stdout
    for kind, line in BROKEN.items():
        # One warning per format, each naming the article and the line.
        where = f"content/{kind}.md:{line}: warning: link"
        said = [s for s in rendered.stderr.splitlines() if s.startswith(where)]
        assert len(said) == 4, (kind, rendered.stderr)


@pytest.mark.parametrize("kind", list(KINDS))
def test_web_page(site: Path, rendered: object, kind: str) -> None:
    _, href, _, _ = KINDS[kind]
    assert html_targets(out(site, f"html/{kind}.html").read_bytes()) == {href}


@pytest.mark.parametrize("kind", list(KINDS))
def test_pdf_handout(site: Path, rendered: object, kind: str) -> None:
    _, _, url, anchor = KINDS[kind]
    baseline = pdf_targets(out(site, "pdf/none.pdf"))
    expected = set() if url is DROPPED else {f"#{anchor}" if anchor else url}
    assert pdf_targets(out(site, f"pdf/{kind}.pdf")) - baseline == expected


@pytest.mark.parametrize("kind", list(KINDS))
def test_word_document(site: Path, rendered: object, kind: str) -> None:
    _, _, url, anchor = KINDS[kind]
    expected = {f"#{anchor.replace('-', '_')}" if anchor else url}
    assert docx_targets(out(site, f"docx/{kind}.docx")) == expected


@pytest.mark.parametrize("kind", list(KINDS))
def test_email(site: Path, rendered: object, kind: str) -> None:
    _, _, url, _ = KINDS[kind]
    in_html, text = email_targets(out(site, f"email/{kind}.eml"))
    assert in_html == {url}
    if url is DROPPED:
        assert f"{PAGE_TEXT} [" not in text and PAGE_TEXT in text
    else:
        number = re.search(rf"{PAGE_TEXT} \[(\d+)\]", text)
        assert number and f"[{number.group(1)}] {url}" in text


def test_a_linked_file_is_published_once_for_every_format(site: Path, rendered: object) -> None:
    assert pdf_title(out(site, "html/forms/intake.pdf").read_bytes()) == "Intake form"
    assert pdf_title(out(site, "html/forms/intake-form.pdf").read_bytes()) == "Spaced form"
    # Nothing else of the content folder is published (beside the site's own files: the whole
    # site rendered writes its pages, sitemap and feed).
    from pubkit.site.outputs import SITE_FILES

    published = {p.relative_to(out(site, "html")).as_posix() for p in out(site, "html").rglob("*")
                 if p.is_file() and p.suffix != ".html"}
    assert published - SITE_FILES == {"forms/intake.pdf", "forms/intake-form.pdf"}
    assert {"sitemap.xml", "feed.xml", "robots.txt"} <= published


def test_a_format_alone_publishes_the_files_it_links_to(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "only-docx"
    done = subprocess.run([sys.executable, "-m", "pubkit", "render", "--docx", "--site", str(site),
                           "-o", str(target), str(site / "content" / "file.md")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pdf_title((target / "html/forms/intake.pdf").read_bytes()) == "Intake form"
    assert docx_targets(target / "docx/file.docx") == {f"{BASE}forms/intake.pdf"}


def test_check_flags_the_broken_ones_with_their_lines(site: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pubkit", "check", "--site", str(site)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if ": warning: " not in line]
    assert sorted(e.split(": link")[0] for e in errors) == sorted(
        f"content/{kind}.md:{line}" for kind, line in BROKEN.items())
    assert "content/missing-article.md:9: link 'gone.md': article content/gone.md does not exist" in errors
    assert ("content/missing-heading.md:9: link 'b.md#nowhere': content/b.md has no heading "
            "'nowhere'") in errors
    # The parser itself leaves a javascript: address as plain text (no link is made);
    # a data: address it lets through is dropped, its words kept, with a warning.
    warned = [line for line in done.stderr.splitlines() if ": warning: " in line]
    assert warned == ["content/data-link.md:9: warning: link 'data:image/png;base64,iVBORw0KGgo=' "
                      "dropped: unsafe address"]
