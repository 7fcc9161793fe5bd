"""Translations that know each other: the index's relation, language folders, links, staleness.

Pages are rendered and written by the real ``pubkit render`` and ``pubkit
build``, then parsed: every link of a page in a language folder is followed
to a file that exists, and the hreflang alternates are checked both ways.
"""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.site import Site, open_site
from pubkit.site.indexing import build_index
from tests.batch.conftest import build, built

ORIGINAL = """\
---
title: Knee pain
date: 2026-01-10
updated: 2026-03-01
---
Rest your knee.

## Exercises

Gentle ones. See the [intake form](forms/intake.pdf) and ![a knee](images/knee.png).
"""

SPANISH = """\
---
title: Dolor de rodilla
slug: dolor-de-rodilla
lang: es
translation_of: knee-pain
translated_from: "{made_from}"
---
Descanse la rodilla. Lea el [original](knee-pain.md#exercises), el
[formulario](forms/intake.pdf), vea ![una rodilla](images/knee.png), la
[clínica](/locations) y [esta parte](#ejercicios).

## Ejercicios

Suaves.
"""



def png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def pdf() -> bytes:
    import io

    import pikepdf

    buf = io.BytesIO()
    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.save(buf)
    return buf.getvalue()


def files() -> dict[str, str | bytes]:
    return {"content/knee-pain.md": ORIGINAL, "content/forms/intake.pdf": pdf(),
            "content/images/knee.png": png()}


BASE = "https://clinic.example/"


def text_hash(site: Site, source: str) -> str:
    entry = build_index(site, use_cache=False).index.entry(source)
    assert entry is not None
    return entry.text_hash


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    made = make_site(files(), toml=f'base_url = "{BASE}"\n[pdf]\nvariants = ["standard", "large-print"]\n')
    spanish = SPANISH.format(made_from=text_hash(made, "content/knee-pain.md")[:12])
    (made.content_dir / "rodilla.md").write_text(spanish, encoding="utf-8")
    return open_site(made.root)


def render_all(site: Site) -> str:
    result = CliRunner().invoke(app, ["render", "--all", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_index_relates_versions_by_language(site: Site) -> None:
    index = build_index(site).index
    en, es = index.entry("content/knee-pain.md"), index.entry("content/rodilla.md")
    assert en is not None and es is not None
    assert index.original_of(es) == en and index.original_of(en) is None
    assert index.translations_of(en) == [es]
    assert index.versions(en) == index.versions(es) == [en, es]
    assert index.translation(en, "es") == es
    assert index.translation(en, "es-MX") == es  # the newsletter of a Mexican reader
    assert index.translation(es, "en-US") == en
    assert index.translation(en, "fr") is None
    assert index.translation_problems(es) == []
    assert es.name.stem == "es/dolor-de-rodilla" and en.name.stem == "knee-pain"


def test_every_format_publishes_the_translation_in_its_language_folder(site: Site) -> None:
    out = render_all(site)
    root = site.output_dir
    for path in ("html/es/dolor-de-rodilla.html", "pdf/es/dolor-de-rodilla.pdf",
                 "pdf/es/dolor-de-rodilla.large-print.pdf", "docx/es/dolor-de-rodilla.docx",
                 "email/es/dolor-de-rodilla.eml", "html/knee-pain.html",
                 "pdf/knee-pain.large-print.pdf", "html/forms/intake.pdf", "html/images/knee.png"):
        assert (root / path).is_file(), (path, out)
    assert "10 rendered, 0 failed" in out


def test_links_from_a_page_in_a_language_folder_resolve(site: Site) -> None:
    render_all(site)
    web = site.output_dir / "html"
    page = "es/dolor-de-rodilla.html"
    tree = html.fromstring((web / page).read_bytes())
    hrefs = {a.text_content().strip(): a.get("href") for a in tree.iter("a")}
    assert hrefs["original"] == "../knee-pain.html#sec-exercises"
    assert hrefs["formulario"] == "../forms/intake.pdf"
    assert hrefs["clínica"] == "/locations"  # the author's own address, kept
    assert hrefs["esta parte"] == "#sec-ejercicios"
    (src,) = tree.xpath("//img[@alt='una rodilla']/@src")  # a copy beside the picture, named for it
    assert re.fullmatch(r"\.\./images/knee-\d+w\.[0-9a-f]{12}\.png", src), src
    for href in [*hrefs.values(), *tree.xpath("//img/@src")]:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme or href.startswith(("/", "#")):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
        assert (web / target).is_file(), href
        if parts.fragment:
            ids = html.fromstring((web / target).read_bytes()).xpath("//@id")
            assert parts.fragment in ids, href
    # Paper, Word and mail take absolute addresses: the same files.
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO((site.output_dir / "pdf/es/dolor-de-rodilla.pdf").read_bytes()))
    uris = {a.get_object().get("/A", {}).get("/URI") for p in reader.pages for a in p.get("/Annots", [])}
    assert {f"{BASE}knee-pain.html#sec-exercises", f"{BASE}forms/intake.pdf"} <= uris


def _alternates(path: Path) -> dict[str, str]:
    tree = html.fromstring(path.read_bytes())
    return {link.get("hreflang"): link.get("href") for link in tree.xpath("//link[@rel='alternate']")}


def test_hreflang_both_ways_a_switcher_and_json_ld(site: Site) -> None:
    render_all(site)
    web = site.output_dir / "html"
    en_url, es_url = f"{BASE}knee-pain.html", f"{BASE}es/dolor-de-rodilla.html"
    expected = {"en": en_url, "es": es_url, "x-default": en_url}
    assert _alternates(web / "knee-pain.html") == expected
    assert _alternates(web / "es/dolor-de-rodilla.html") == expected
    for page, other, name, lang in (("knee-pain.html", "es/dolor-de-rodilla.html", "español", "es"),
                                    ("es/dolor-de-rodilla.html", "knee-pain.html", "English", "en")):
        tree = html.fromstring((web / page).read_bytes())
        [link] = tree.xpath("//nav[@class='languages']//a")
        assert (link.text_content(), link.get("lang"), link.get("hreflang")) == (name, lang, lang)
        assert posixpath.normpath(posixpath.join(posixpath.dirname(page), link.get("href"))) == other
        data = json.loads(tree.xpath("//script[@type='application/ld+json']")[0].text)
        assert data["inLanguage"] == ("en" if page == "knee-pain.html" else "es")
        if page == "knee-pain.html":
            assert data["workTranslation"] == [{"@type": "MedicalWebPage", "url": es_url,
                                                "inLanguage": "es", "name": "Dolor de rodilla"}]
        else:
            assert data["translationOfWork"]["url"] == en_url
    # A page without translations has no alternates and no switcher.
    (site.content_dir / "alone.md").write_text("---\ntitle: Alone\n---\nx\n", encoding="utf-8")
    render_all(site)
    assert _alternates(web / "alone.html") == {}
    assert b'class="languages"' not in (web / "alone.html").read_bytes()


def test_the_handout_says_where_the_other_language_is(site: Site, tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    render_all(site)
    pdf = site.output_dir / "pdf" / "knee-pain.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Este folleto en español: https://clinic.example/es/dolor-de-rodilla.html" in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [c.text for c in found] == [f"{BASE}es/dolor-de-rodilla.html"]
    spanish = site.output_dir / "pdf" / "es" / "dolor-de-rodilla.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(spanish), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "This handout in English: https://clinic.example/knee-pain.html" in text


def check(site: Site) -> str:
    result = CliRunner().invoke(app, ["check", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_stale_translation_is_warned_with_the_new_hash(site: Site) -> None:
    assert "translation" not in check(site)
    original = site.content_dir / "knee-pain.md"
    original.write_text(ORIGINAL.replace("Gentle ones.", "Gentle ones, twice a day."), encoding="utf-8")
    now = text_hash(site, "content/knee-pain.md")[:12]
    out = check(site)
    assert ("content/rodilla.md: warning: es translation is older than its original "
            f"(changed 2026-03-01): update it from content/knee-pain.md, then set "
            f'translated_from: "{now}"') in out
    # Front matter around the words (a tag) does not make a translation stale.
    original.write_text(ORIGINAL.replace("---\nRest", "tags: [knee]\n---\nRest"), encoding="utf-8")
    assert "older than its original" not in check(site)
    index = build_index(site).index
    assert index.stale_translations() == []


@pytest.mark.parametrize(("front", "said"), [
    ("translation_of: knee-pain\n", 'without translated_from: add translated_from: "'),
    ("translation_of: no-such\n", "translation_of: no other article has the slug 'no-such'"),
    ("lang: en\ntranslation_of: knee-pain\n", "'knee-pain' is in en too"),
])
def test_translation_mistakes_are_warned(make_site: Callable[..., Site], front: str, said: str) -> None:
    site = make_site({**files(),
                      "content/b.md": f"---\ntitle: B\nlang: es\n{front}---\nB.\n".replace(
                          "lang: es\nlang: en", "lang: en")})
    assert said in check(site)


def test_a_new_translation_rebuilds_its_original_and_nothing_else(site: Site) -> None:
    spanish = site.content_dir / "rodilla.md"
    kept = spanish.read_text(encoding="utf-8")
    spanish.unlink()
    (site.content_dir / "other.md").write_text("---\ntitle: Other\n---\nx\n", encoding="utf-8")
    build(site, formats=["html"])
    assert b"hreflang" not in (site.output_dir / "html/knee-pain.html").read_bytes()
    spanish.write_text(kept, encoding="utf-8")
    summary = build(open_site(site.root), formats=["html"])
    assert built(summary) == {("content/knee-pain.md", "html"), ("content/rodilla.md", "html")}
    assert b'hreflang="es"' in (site.output_dir / "html/knee-pain.html").read_bytes()
    assert built(build(open_site(site.root), formats=["html"])) == set()
    spanish.unlink()  # and its original loses the link again
    summary = build(open_site(site.root), formats=["html"])
    assert built(summary) == {("content/knee-pain.md", "html")}
    assert not (site.output_dir / "html/es/dolor-de-rodilla.html").exists()
    assert b"hreflang" not in (site.output_dir / "html/knee-pain.html").read_bytes()
