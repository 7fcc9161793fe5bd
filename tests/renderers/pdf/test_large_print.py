"""The large-print handout, measured in the PDF itself (pdfplumber), and tables in both variants."""

from __future__ import annotations

import io
import itertools
import statistics
from collections.abc import Callable

import pdfplumber
import pikepdf
import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from tests.batch.conftest import build, built

SCHEDULE = """\
| Week | Goal | Monday | Tuesday | Wednesday | Thursday | Friday | Weekend |
|---|---|---|---|---|---|---|---|
| 1 | Protect | Rest | Ice | Rest | Ice | Walk | Rest |
| 2 | Strength | Stretch | Walk | Strength | Stretch | Walk | Rest |
| 3 | Strength | Strength | Stretch | Strength | Walk | Strength | Swim |
"""
SMALL = "| Time | Dose |\n|---|---|\n| Morning | One tablet |\n"

ARTICLE = f"""\
---
title: After your knee injection
subtitle: What to do at home
author: Ana Ruiz
reviewed_by: Dr. Peck
date: 2026-01-10
---
Most people go home the same day. *Rest* your knee and keep it **up** for a day; the
numbness wears off in a few hours.[^1] A long paragraph goes on to show the line spacing:
walk a little every hour, drink water, and call us if the knee gets hot, red or swollen, or
if you get a fever. Keep the bandage dry for one day.

## Your week by week plan

{SCHEDULE}
## A short table

{SMALL}
### Call us

1. If the pain gets worse.
2. If you have a fever.

> A quote, printed upright.

[^1]: Usually two to six hours.
"""
WORDS = {"Protect", "Strength", "Stretch", "Wednesday", "Thursday", "Weekend", "Tuesday"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from pubkit.site import open_site

    root = tmp_path_factory.mktemp("large") / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Knee Clinic"\n', encoding="utf-8")
    (root / "content" / "knee.md").write_text(ARTICLE, encoding="utf-8")
    site = open_site(root)
    results = render_path(site.content_dir / "knee.md", ["pdf", "large-print"],
                          RenderContext.for_site(site))
    for r in results:
        assert r.output is not None, r.error
        assert r.warnings == [], r.warnings
    return {r.format: r.output.data for r in results if r.output}


def chars(data: bytes) -> list[dict]:  # type: ignore[type-arg]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [c for page in pdf.pages for c in page.chars if c["text"].strip()]


def test_every_letter_is_18_pt_or_more_in_a_plain_sans_serif(pdfs: dict[str, bytes]) -> None:
    found = chars(pdfs["large-print"])
    assert len(found) > 800
    sizes = [round(c["size"], 1) for c in found]
    assert min(sizes) >= 18.0, sorted(set(sizes))[:5]
    assert statistics.mode(sizes) == 18.0  # the running text
    fonts = {c["fontname"].split("+")[-1] for c in found}
    assert all("Sans" in f for f in fonts), fonts
    assert not [f for f in fonts if "Italic" in f or "Oblique" in f], fonts  # no italic anywhere
    # The standard handout is much smaller, so the variant really is a variant.
    assert statistics.mode(round(c["size"], 1) for c in chars(pdfs["pdf"])) < 12


def test_headings_are_bold_and_larger(pdfs: dict[str, bytes]) -> None:
    found = chars(pdfs["large-print"])
    by_size: dict[float, set[str]] = {}
    for c in found:
        by_size.setdefault(round(c["size"]), set()).add(c["fontname"].split("+")[-1])
    larger = [s for s in by_size if s > 18]
    assert len(larger) >= 3  # title, h2, h3
    for size in larger:
        assert all("Bold" in f for f in by_size[size]), (size, by_size[size])


def test_lines_are_one_and_a_half_apart_and_ragged_right(pdfs: dict[str, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(pdfs["large-print"])) as pdf:
        lines = sorted(pdf.pages[0].extract_text_lines(), key=lambda ln: ln["top"])
        words = pdf.pages[0].extract_words()
    first = next(i for i, ln in enumerate(lines) if ln["text"].startswith("Most people"))
    last = next(i for i, ln in enumerate(lines) if "bandage" in ln["text"])
    lines = lines[first:last + 1]
    paragraph = lines
    assert len(paragraph) >= 4
    gaps = [b["top"] - a["top"] for a, b in itertools.pairwise(paragraph)]
    assert all(25 <= g <= 30 for g in gaps), gaps  # 1.5 x 18 pt = 27 pt
    assert len({round(ln["x0"]) for ln in paragraph}) == 1  # left aligned
    assert len({round(ln["x1"]) for ln in paragraph[:-1]}) > 1  # not justified
    # Generous margins: nothing within an inch of the left edge.
    assert min(w["x0"] for w in words) >= 70


def test_still_a_tagged_pdf_ua(pdfs: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(pdfs["large-print"])) as pdf:
        assert pdf.Root.MarkInfo.Marked
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en"
        assert 'pdfuaid:part="1"' in str(pdf.open_metadata())


@pytest.mark.parametrize("variant", ["pdf", "large-print"])
def test_no_word_of_the_schedule_is_broken(pdfs: dict[str, bytes], variant: str) -> None:
    with pdfplumber.open(io.BytesIO(pdfs[variant])) as pdf:
        words = {w["text"].strip(".,:") for page in pdf.pages for w in page.extract_words()}
    assert words >= WORDS, WORDS - words
    cells = set(SCHEDULE.replace("|", " ").split())
    broken = {w for w in words - cells for whole in WORDS if whole.startswith(w) and len(w) >= 3}
    assert broken == set(), broken


def test_a_table_too_wide_for_large_print_is_printed_row_by_row(pdfs: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(pdfs["large-print"])) as pdf:
        tables = _tables(pdf)
    # Three one-row records of the 8-column schedule, then the small table as it is.
    assert [shape for shape in tables] == [(8, 2), (8, 2), (8, 2), (2, 2)], tables
    with pikepdf.open(io.BytesIO(pdfs["pdf"])) as pdf:
        assert _tables(pdf) == [(4, 8), (2, 2)]  # the standard handout keeps the whole table


def _tables(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(rows, cells in the first row) of every tagged table, in order."""
    out = []
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.S == "/Table":
                rows = [r for r in _kids(node) if r.get("/S") == "/TR"]
                for section in _kids(node):
                    if section.get("/S") in ("/THead", "/TBody"):
                        rows += [r for r in _kids(section) if r.get("/S") == "/TR"]
                cells = [c for c in _kids(rows[0]) if c.get("/S") in ("/TH", "/TD")]
                out.append((len(rows), len(cells)))
            elif "/K" in node:
                stack.append(node.K)
    return out


def _kids(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    k = node.get("/K")
    items = list(k) if isinstance(k, pikepdf.Array) else [k]
    return [i for i in items if isinstance(i, pikepdf.Dictionary)]


def test_cli_and_build_make_the_variants_asked_for(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/knee.md": ARTICLE})
    runner = CliRunner()
    result = runner.invoke(app, ["render", "--pdf", "--large-print", "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    pdf_dir = site.output_dir / "pdf"
    assert sorted(p.name for p in pdf_dir.iterdir()) == ["knee.large-print.pdf"]
    # By default a build makes the standard handout only; [pdf] variants adds large print.
    assert ("content/knee.md", "large-print") not in built(build(site))
    (site.root / "pubkit.toml").write_text(
        'site_name = "Test Clinic"\n[pdf]\nvariants = ["standard", "large-print"]\n', encoding="utf-8")
    from pubkit.site import open_site

    summary = build(open_site(site.root))
    assert {("content/knee.md", "pdf"), ("content/knee.md", "large-print")} <= built(summary)
    assert built(build(open_site(site.root))) == set()
    # A site's own large-print stylesheet rebuilds the large-print handout alone.
    own = site.root / "templates" / "pdf" / "large-print.css"
    own.parent.mkdir(parents=True)
    own.write_text("html { font-size: 20pt; }\n", encoding="utf-8")
    assert built(build(open_site(site.root))) == {("content/knee.md", "large-print")}
