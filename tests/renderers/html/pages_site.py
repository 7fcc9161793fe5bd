"""A small site for the tests of the site's own pages: two languages, a draft, hostile tags."""

from __future__ import annotations

import json

import shutil
from pathlib import Path

from tests.batch.sitegen import PNGS, generate_site

REPO = Path(__file__).resolve().parents[3]

HOSTILE_TITLE = '</title><script>alert("t")</script> & \'quotes\' ../../etc/passwd ünïcödé'
HOSTILE_TAGS = ["../evil", '<b onclick="x()">bold</b>', "C++", "c", "Pain", "pain ", "niño", "日本語",
                "index", "]]>"]


def article(title: str, slug: str, body: str = "Some words for patients.", extra: str = "") -> str:
    return f"---\ntitle: {json.dumps(title)}\nslug: {slug}\n{extra}---\n\n{body}\n"


def make_pages_site(root: Path, toml: str = "") -> Path:
    """Five generated English articles, the sample and its Spanish translation, two Spanish
    originals (one starting with Ñ), a draft, and one article with a hostile title and tags."""
    generate_site(root, 6, toml)
    # The sample under its own name, so that its Spanish translation finds it.
    (root / "content" / "sample.md").rename(root / "content" / "ketamine-pain-management.md")
    shutil.copy(REPO / "content" / "ketamina-manejo-del-dolor.md", root / "content")
    content = root / "content"
    (content / "draft.md").write_text(article("Draft nobody may see", "draft-article",
                                              extra="status: draft\ntags: [pain]\n"))
    (content / "name.md").write_text(article("Ñame y salud", "name-y-salud",
                                             extra="lang: es\ndate: 2024-02-02\ntags: [dolor]\n"))
    (content / "nauseas.md").write_text(article("Náuseas", "nauseas",
                                                extra="lang: es\ndate: 2024-02-03\ntags: [Dolor]\n"))
    tags = ", ".join(json.dumps(t) for t in HOSTILE_TAGS)
    (content / "hostile.md").write_text(article(
        HOSTILE_TITLE, "hostile", extra=f"date: 2023-01-01\ntags: [{tags}]\n"
        f"summary: {json.dumps('<img src=x onerror=alert(1)> ]]> &amp;')}\nimage: ../assets/lead.png\n"
        "image_alt: A lead picture\n"))
    (root / "assets" / "lead.png").write_bytes(PNGS[0])
    return root
