"""The home page, a tag's page and articles score 100 in Lighthouse's accessibility, best practices, SEO.

The site is built as a clinic builds it (``pubkit build``) and served over HTTP from
127.0.0.1 with its ``base_url`` set to the address it is served at, as on the real
host: the canonical link, ``og:url`` and the language alternates then name the very
page Lighthouse audits. One Chromium audits every page of the module, each page in
a fresh browser context (``tests/tools/lighthouse.py``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from tests.conftest import REPO
from tests.tools.lighthouse import CATEGORIES, VERSION, Report, lighthouse
from tests.tools.webroot import serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PAGES = [
    "",  # the home page, at the address its canonical link gives (index.html served for /)
    "tags/ketamine.html",  # a tag's page
    "ketamine-pain-management.html",  # an article
    "every-block.html",  # an article of every kind of block, without a paragraph to summarise it
]
"""Pages of the built sample site, by path under the web root; each must score 100.

Not ``404.html``: it asks not to be indexed (``is-crawlable`` fails on purpose), and a host
sends it with the status 404, which Lighthouse's ``http-status-code`` fails as well."""

EVERY_BLOCK = """\
---
title: Every Kind Of Block
tags: [knee pain]
image: images/lead.jpg
image_alt: A knee brace on a table
lang: en
---
| Medicine | Dose | When | With food | Notes for the patient, which go on for a long while |
|---|--:|---|---|---|
| Ibuprofen | 400 mg | every 8 hours | yes | ask the clinic before taking it with other pain medicine |

## Steps

- [ ] call the clinic[^1]
- [x] fill in the [intake form](https://clinic.example/intake)

1. rest
2. ice

> [!WARNING]
> Call 911 if [you feel faint](https://clinic.example/faint).

> A quotation.

```
a long line of code, a long line of code, a long line of code, a long line of code, a long line
```

![An exercise band](images/band.png "Band")

![](images/band.png)

`code`, **bold**, *italics*, ~~struck~~, <https://www.example.org/a/long/address/that/goes/on>

---

### A deeper heading

[^1]: Open 8 to 5.
"""

FLAWED = "lighthouse-finds-faults.html"
"""A page with faults Lighthouse must report, so that a run reporting nothing cannot pass."""
FLAWED_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="robots" content="noindex">
</head><body>
<p style="color:#bbb;background:#fff">Grey on white.</p>
<p><img src="missing.png"> <a href="/">click here</a></p>
<script>console.error("broken")</script>
</body></html>
"""
FLAWED_AUDITS = {
    "accessibility": {"html-has-lang", "color-contrast", "image-alt", "document-title"},
    "best-practices": {"errors-in-console"},
    "seo": {"is-crawlable", "document-title", "meta-description", "link-text"},
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Report]]:
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "pubkit.toml", root / "pubkit.toml")
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "content" / "every-block.md").write_text(EVERY_BLOCK, encoding="utf-8")
    (root / "content" / "images").mkdir()
    Image.new("RGB", (1600, 900), (0, 90, 160)).save(root / "content" / "images" / "lead.jpg")
    Image.new("RGB", (300, 200), (200, 90, 60)).save(root / "content" / "images" / "band.png")
    web_root = root / "output" / "html"
    with serving(web_root) as base_url:
        toml = (root / "pubkit.toml").read_text(encoding="utf-8")
        toml, found = re.subn(r"(?m)^base_url = .*$", f'base_url = "{base_url}"', toml)
        assert found == 1, "the sample pubkit.toml sets base_url once"
        (root / "pubkit.toml").write_text(toml, encoding="utf-8")
        result = CliRunner().invoke(app, ["build", "--format", "html", "--jobs", "1", "--site", str(root)])
        assert result.exit_code == 0, result.output
        for page in PAGES:
            assert (web_root / (page or "index.html")).is_file(), f"the build wrote no {page}"
        (web_root / FLAWED).write_text(FLAWED_PAGE, encoding="utf-8")
        yield lighthouse([base_url + page for page in [*PAGES, FLAWED]])


def _report(reports: dict[str, Report], page: str) -> Report:
    [report] = [r for url, r in reports.items() if url.endswith("/" + page)]
    return report


@pytest.mark.parametrize("page", PAGES)
def test_page_scores_100_in_accessibility_best_practices_and_seo(
    reports: dict[str, Report], page: str,
) -> None:
    report = _report(reports, page)
    assert report.version == VERSION
    assert report.runtime_error is None, report.summary()
    assert report.scores == {category: 1 for category in CATEGORIES}, report.summary()
    assert not any(report.failing.values()), report.summary()


def test_lighthouse_reports_the_faults_of_a_flawed_page(reports: dict[str, Report]) -> None:
    report = _report(reports, FLAWED)
    assert report.runtime_error is None, report.summary()
    for category, expected in FLAWED_AUDITS.items():
        assert expected <= {a.id for a in report.failing[category]}, report.summary()
        score = report.scores[category]
        assert score is not None and score < 0.9, report.summary()
    # A failure names each audit by id and title, with what it points at.
    assert "best-practices: errors-in-console (Browser errors were logged to the console" in report.summary()
    assert "missing.png" in report.summary()
