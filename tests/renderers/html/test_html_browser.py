"""The sample page in a real browser: no console errors, no serious axe findings, valid HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pubkit.output import write_files
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from tests.conftest import render_files
from tests.tools.browser import axe, nu_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

HOSTILE = """\
---
title: Hostile
---
Intro with a table and a list.

| A | B |
|---|--:|
| 1 | 2 |

- one
- two

<img src="x" onerror="document.title='pwned'"><script>document.title='pwned'</script>
<a href="javascript:document.title='pwned'">x</a>
"""


CALLOUTS = """\
---
title: Callouts
---
Intro.

""" + "\n".join(f"> [!{kind}]\n> Body of the {kind.lower()} with [a link](https://clinic.example/).\n>\n"
                 f"> - a list item\n" for kind in ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from pubkit.site import open_site
    from tests.conftest import REPO

    out = tmp_path_factory.mktemp("pages")
    site_root = tmp_path_factory.mktemp("site")
    (site_root / "content").mkdir()
    (site_root / "pubkit.toml").write_text((REPO / "pubkit.toml").read_text())
    (site_root / "content" / "ketamine-pain-management.md").write_bytes(
        (REPO / "content" / "ketamine-pain-management.md").read_bytes())
    (site_root / "content" / "hostile.md").write_text(HOSTILE)
    (site_root / "content" / "callouts.md").write_text(CALLOUTS)
    long = "\n\n".join(f"## Part {i}\n\nText[^{i}] for part {i}.\n\n[^{i}]: Note {i}." for i in range(6))
    (site_root / "content" / "long.md").write_text(f"---\ntitle: Long\nlang: en\n---\n{long}\n")
    site: Site = open_site(site_root)
    ctx = RenderContext.for_site(site)
    sources = sorted(site.content_dir.glob("*.md"))
    files, _ = render_files(site, sources, ["html"], ctx)
    write_files(out, files)
    return {md.stem: out / "html" / f"{md.stem}.html" for md in sources}


def test_pages_load_without_console_errors_and_pass_axe(pages: dict[str, Path], chromium: Any) -> None:
    for name, path in pages.items():
        page = chromium.new_page()
        errors: list[str] = []
        sink = errors.append  # bound now, not looked up when the browser calls back
        page.on("console", lambda m, sink=sink: sink(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, sink=sink: sink(str(e)))
        page.goto(path.as_uri())
        assert errors == [], (name, errors)
        assert page.title() != "pwned"
        result = axe(page)
        bad = [(v["id"], v["impact"]) for v in result["violations"]
               if v["impact"] in ("critical", "serious")]
        assert bad == [], (name, bad)
        assert result["passes"], "axe ran no checks"
        page.close()


def test_pages_are_valid_html(pages: dict[str, Path]) -> None:
    errors = nu_check(list(pages.values()))
    assert errors == [], [(e.get("url", "")[-30:], e["message"]) for e in errors]


def test_phone_width_has_no_horizontal_scroll(pages: dict[str, Path], chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(pages["ketamine-pain-management"].as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.close()


@pytest.mark.parametrize("media", [{}, {"media": "print"}, {"forced_colors": "active"},
                                   {"color_scheme": "dark"}])
def test_callouts_keep_their_box_on_screen_on_paper_and_in_forced_colours(
    pages: dict[str, Path], chromium: Any, media: dict[str, str],
) -> None:
    page = chromium.new_page()
    page.goto(pages["callouts"].as_uri())
    page.emulate_media(**media)
    boxes = page.evaluate("""() => [...document.querySelectorAll('aside.callout')].map(a => {
        const s = getComputedStyle(a), t = getComputedStyle(a.querySelector('.callout-title'));
        return [s.borderLeftStyle, parseFloat(s.borderLeftWidth), parseFloat(s.borderTopWidth),
                t.fontWeight, a.getAttribute('aria-labelledby') === a.firstElementChild.id];
    })""")
    assert len(boxes) == 5
    for style, left, top, weight, labelled in boxes:
        assert style == "solid" and left >= 4 and top >= 1, media
        assert int(weight) >= 700 and labelled
    page.close()
