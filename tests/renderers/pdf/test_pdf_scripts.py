"""Every script prints with real glyphs: checked in the embedded fonts with fontTools."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from pubkit.formats import article_renderer as get
from pubkit.site import Site
from pubkit.source.reader import read_article
from tests.renderers.pdf.test_pdf import copy_fixture_site, pdftotext, render_site


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    site: Site = copy_fixture_site(tmp_path_factory)
    return render_site(site, ("scripts", "rtl"))


SCRIPTS = {
    "Latin": "café naïve Ærøskøbing Łódź Nguyễn São Čeština",
    "Greek": "Η ψυχή του ανθρώπου είναι σαν το νερό",
    "Cyrillic": "Съешь же ещё этих мягких французских булок",
    "Arabic": "الألم المزمن يحتاج إلى رعاية مستمرة",
    "Hebrew": "כאב כרוני דורש טיפול מתמשך",
    "CJK": "慢性疼痛需要持续的护理 慢性の痛みには継続的なケアが必要です 만성 통증에는 지속적인",
}


def _glyph_maps(data: bytes) -> tuple[dict[str, set[int]], dict[str, int], set[str]]:
    """char -> glyph ids (from each font's ToUnicode), font -> glyph count, font names."""
    from fontTools.ttLib import TTFont

    chars: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    names: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                base = str(font.BaseFont)
                names.add(base.split("+", 1)[-1])
                desc = font.DescendantFonts[0].FontDescriptor
                stream = desc.get("/FontFile2") or desc.get("/FontFile3")
                raw = stream.read_bytes()
                if "/FontFile3" in desc:
                    counts[base] = 1 << 16  # bare CFF: glyph ids checked through ToUnicode only
                else:
                    counts[base] = len(TTFont(io.BytesIO(raw)).getGlyphOrder())
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for gid, text in _bfchars(cmap):
                    # A glyph the font lacks is drawn as .notdef (0) or as an id past its end.
                    real = gid if 0 < gid < counts[base] else 0
                    for ch in text:
                        chars.setdefault(ch, set()).add(real)
    return chars, counts, names


def _bfchars(cmap: str) -> list[tuple[int, str]]:
    out = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for gid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out.append((int(gid, 16), bytes.fromhex(uni).decode("utf-16-be")))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            start = int.from_bytes(bytes.fromhex(uni), "big")
            for i, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out.append((gid, chr(start + i)))
    return out


def test_every_script_prints_with_real_glyphs(rendered, tmp_path: Path) -> None:
    _, data, _ = rendered["scripts"]
    chars, _, fonts = _glyph_maps(data)
    for script, sample in SCRIPTS.items():
        for ch in sample.replace(" ", ""):
            gids = chars.get(ch)
            assert gids, f"{script}: {ch!r} (U+{ord(ch):04X}) is not in any embedded font"
            assert 0 not in gids, f"{script}: {ch!r} drawn with the missing-glyph box"
    for emoji in "😀💊🩺":
        assert chars.get(emoji), emoji
    assert {"Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-Hebrew", "Noto-Sans-CJK-SC",
            "Noto-Color-Emoji"} <= fonts
    text = unicodedata.normalize("NFC", pdftotext(data, tmp_path))
    words = set(re.sub(r"[.,:]", " ", text).split())
    for script in ("Latin", "Greek", "Cyrillic"):
        for word in unicodedata.normalize("NFC", SCRIPTS[script]).split():
            assert word in words, (script, word)


def test_a_missing_glyph_is_detected(make_site, ctx_for) -> None:
    site = make_site({"content/m.md": "---\ntitle: M\n---\n\nUnassigned: \u0378 here.\n"})
    article = read_article(site.content_dir / "m.md", site.root)
    chars, _, _ = _glyph_maps(get("pdf").render(article, ctx_for(site)).data)
    assert chars["\u0378"] == {0}
    assert 0 not in chars["U"]


def test_digits_do_not_come_from_the_emoji_font(rendered) -> None:
    _, data, _ = rendered["scripts"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            if "Emoji" in str(font.BaseFont):
                mapped = "".join(t for _, t in _bfchars(font.ToUnicode.read_bytes().decode()))
                assert not set(mapped) & set("0123456789 #*"), mapped


def test_right_to_left_article(rendered, tmp_path: Path) -> None:
    article, data, warnings = rendered["rtl"]
    # pubkit ships no Arabic catalogue: its own words are English, and it says so once.
    assert [w.message for w in warnings] == [
        "no message catalogue for language 'ar' (templates/locale/ar/LC_MESSAGES/pubkit.po): "
        "pubkit's own words are in English"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "ar"
        assert str(pdf.docinfo["/Title"]) == "إدارة الألم المزمن"
    raw = re.sub("[\u202a-\u202e\u2066-\u2069]", "", pdftotext(data, tmp_path))  # bidi marks
    text = " ".join(raw.split())
    # The site's own words stay left to right, in reading order, around the Arabic names.
    assert "Published April 10, 2024 · 1 min read" in text
    assert "Medically reviewed by" in text and "on April 10, 2024 · Next review April 2025" in text
    assert "Read online: https://clinic.example.org/ar/ chronic-pain.html" in text
    chars, _, fonts = _glyph_maps(data)
    assert "Noto-Sans-Arabic" in fonts
    assert all(0 not in chars[ch] for ch in article.title.replace(" ", ""))
