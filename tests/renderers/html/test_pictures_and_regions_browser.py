"""In Chromium: wide tables and code blocks scroll by keyboard and are named (axe's
``scrollable-region-focusable``), and pictures load the WebP copy a phone needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pubkit.output import write_files
from pubkit.site import Site, open_site
from tests.conftest import render_files
from tests.media import photos
from tests.tools.browser import axe, nu_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

WIDE = ("| Medicine | " + " | ".join(f"Column {c} with long words" for c in range(10)) + " |\n"
        "|" + "---|" * 11 + "\n"
        + "".join("| Ketamine | " + " | ".join(f"cell {r}-{c} value" for c in range(10)) + " |\n"
                  for r in range(3)))
CODE = "```\n" + "dose = " + " + ".join(f"part_{i}" for i in range(60)) + "\n```\n"


def _article(lang: str) -> str:
    return (f"---\ntitle: Wide {lang}\nlang: {lang}\nimage: images/lead.jpg\nimage_alt: Lead\n---\n"
            f"Intro words.\n\n{WIDE}\n{CODE}\n![A body photo](images/body.jpg)\n\n"
            + "Text.\n\n" * 3)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("site")
    (root / "content/images").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Clinic"\n')
    (root / "content/images/lead.jpg").write_bytes(photos.jpeg((2000, 1500)))
    (root / "content/images/body.jpg").write_bytes(photos.jpeg((1200, 900)))
    (root / "content/wide.md").write_text(_article("en"))
    (root / "content/ancho.md").write_text(_article("es"))
    site: Site = open_site(root)
    files, _ = render_files(site, sorted(site.content_dir.glob("*.md")), ["html"])
    out = tmp_path_factory.mktemp("out")
    write_files(out, files)
    return {"en": out / "html/wide.html", "es": out / "html/ancho.html"}


@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_axe_finding_on_a_page_with_a_wide_table_and_code(
        pages: dict[str, Path], chromium: Any, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 800})
    page.goto(pages["en"].as_uri())
    # The control: both regions really scroll (otherwise the axe rule has nothing to judge).
    scrolls = page.evaluate("""() => [...document.querySelectorAll('.scroll')].map(
        r => r.scrollWidth > r.clientWidth)""")
    assert scrolls == [True, True]
    result = axe(page)
    bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert "scrollable-region-focusable" in {p["id"] for p in result["passes"]}
    page.close()


def test_the_regions_are_reached_and_scrolled_by_keyboard_with_a_name(
        pages: dict[str, Path], chromium: Any) -> None:
    for lang, names in (("en", ["Table: Medicine", "Code example"]),
                        ("es", ["Tabla: Medicine", "Ejemplo de código"])):
        page = chromium.new_page(viewport={"width": 360, "height": 800})
        page.goto(pages[lang].as_uri())
        reached = []
        for _ in range(40):
            page.keyboard.press("Tab")
            label = page.evaluate("document.activeElement.getAttribute('aria-label')")
            if page.evaluate("document.activeElement.classList.contains('scroll')"):
                reached.append(label)
                page.keyboard.press("ArrowRight")
                page.keyboard.press("ArrowRight")
                page.wait_for_function("document.activeElement.scrollLeft > 0")
            if len(reached) == 2:
                break
        assert reached == names
        page.close()


def test_a_phone_loads_a_small_webp_copy_and_the_lead_picture_first(
        pages: dict[str, Path], chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 360, "height": 800}, device_scale_factor=1)
    page.goto(pages["en"].as_uri())
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the lazy one comes into view
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    shown = page.evaluate("""() => [...document.images].map(i => ({src: i.currentSrc,
        natural: i.naturalWidth, width: i.getAttribute('width'), loading: i.getAttribute('loading'),
        priority: i.getAttribute('fetchpriority'), decoding: i.getAttribute('decoding')}))""")
    lead, body = shown
    for picture in shown:
        # The 480-pixel WebP (naturalWidth is in CSS pixels: 480 shown at the 328 of sizes).
        assert "-480w." in picture["src"] and picture["src"].endswith(".webp"), picture
        assert 300 < picture["natural"] < 480, picture
        assert picture["decoding"] == "async"
    assert lead["loading"] is None and lead["priority"] == "high"
    assert body["loading"] == "lazy"
    assert (lead["width"], body["width"]) == ("1440", "1200")  # the widest copy: 1440, or its own
    page.close()


def test_the_pages_are_valid_html(pages: dict[str, Path]) -> None:
    errors = nu_check(list(pages.values()))
    assert errors == [], [e["message"] for e in errors]
