"""Every page of the site's own in a real browser: no serious axe findings, valid HTML (Nu checker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pubkit.batch.manifest import load_manifest
from tests.batch.conftest import build
from tests.renderers.html.pages_site import make_pages_site
from tests.tools.browser import axe, nu_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = make_pages_site(tmp_path_factory.mktemp("browser") / "site")
    config = (root / "pubkit.toml").read_text()
    (root / "pubkit.toml").write_text(config.replace("[brand]\n", '[brand]\nlogo = "assets/img0.png"\n', 1)
                                      + "\n[pages]\nper_page = 4\n[html]\nfragments = true\n")
    build(root, formats=["html"])
    manifest, _ = load_manifest(root / "output")
    assert manifest.pages is not None
    found = sorted(root / "output" / name for name in manifest.pages.outputs if name.endswith(".html"))
    assert len(found) > 20  # home pages, every tag, A-Z, 404, in two languages
    return found


def test_every_site_page_passes_axe(pages: list[Path], chromium: Any) -> None:
    for path in pages:
        page = chromium.new_page()
        errors: list[str] = []
        sink = errors.append
        page.on("pageerror", lambda e, sink=sink: sink(str(e)))
        page.goto(path.as_uri())
        result = axe(page)
        bad = [(v["id"], v["impact"]) for v in result["violations"]
               if v["impact"] in ("critical", "serious")]
        assert bad == [], (path.name, bad)
        assert result["passes"], "axe ran no checks"
        assert errors == [], (path.name, errors)
        page.close()


def test_every_site_page_is_valid_html(pages: list[Path]) -> None:
    errors = nu_check(pages)
    assert errors == [], [(e.get("url", "")[-40:], e["message"]) for e in errors]


def test_fragments_are_valid_in_a_page(pages: list[Path], tmp_path: Path) -> None:
    """A fragment pasted into a CMS's page: valid HTML there (checked in a minimal document)."""
    out = pages[0].parents[1] if pages[0].parent.name != "html" else pages[0].parent
    fragments = sorted(out.rglob("*.fragment.html"))
    assert fragments
    wrapped = []
    for i, fragment in enumerate(fragments):
        doc = tmp_path / f"cms-{i}.html"
        doc.write_text("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>CMS</title>"
                       "</head><body><main>" + fragment.read_text() + "</main></body></html>")
        wrapped.append(doc)
    errors = nu_check(wrapped)
    assert errors == [], [(e.get("url", "")[-40:], e["message"]) for e in errors]
