"""``pubkit check``: reading level, plain-language hints, --strict, --json and worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit.site import Site
from tests.conftest import REPO

SAMPLE = "content/ketamine-pain-management.md"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUBKIT_TODAY": "2026-12-01", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def line_of(path: Path, start: str) -> int:
    return next(i for i, text in enumerate(path.read_text().split("\n"), 1) if text.startswith(start))


def test_sample_is_above_the_target_with_its_hardest_sentences(sample_site: Site) -> None:
    result = run("check", SAMPLE, cwd=sample_site.root)
    assert result.returncode == 0  # warnings only
    source = sample_site.root / SAMPLE
    intro, anesthetic = line_of(source, "Pain, whether"), line_of(source, "**Anesthetic Use:**")
    assert (f"{SAMPLE}:{intro}: warning: reading grade 14.4 (target 8)\n"
            f"  {SAMPLE}:{anesthetic}: grade 20.4: Its ability to induce a dissociative state") \
        in result.stderr
    heading = line_of(source, "## Ketamine as an Anesthetic")
    assert (f"{SAMPLE}:{heading}: warning: section 'Ketamine as an Anesthetic and Analgesic': "
            "reading grade 16.4 (target 8)") in result.stderr
    assert f"{SAMPLE}:{intro}: warning: analgesic: try 'pain reliever'" in result.stderr
    assert "changed since" not in result.stderr and "overdue" not in result.stderr
    assert result.stdout.startswith("1 checked, 0 errors, ")


def test_strict_makes_reading_level_an_error(sample_site: Site) -> None:
    result = run("check", "--strict", SAMPLE, cwd=sample_site.root)
    assert result.returncode == 1
    assert "warning: reading grade" not in result.stderr
    assert f"{SAMPLE}:" in result.stderr and ": reading grade 14.4 (target 8)" in result.stderr
    assert ": analgesic: try 'pain reliever'" in result.stderr
    assert "0 warnings" in result.stdout


def test_target_is_a_setting(sample_site: Site) -> None:
    toml = sample_site.root / "pubkit.toml"
    toml.write_text(toml.read_text().replace("[brand]", "[check]\nreading_grade = 18\n\n[brand]"))
    result = run("check", SAMPLE, cwd=sample_site.root)
    assert "reading grade" not in result.stderr
    for bad in ("0", "21", "inf", "nan"):
        toml.write_text(f"[check]\nreading_grade = {bad}\n")
        refused = run("check", cwd=sample_site.root)
        assert refused.returncode == 2 and "check.reading_grade" in refused.stderr, bad


def test_json_has_every_figure_per_article_and_section(sample_site: Site) -> None:
    result = run("check", "--json", SAMPLE, cwd=sample_site.root)
    data = json.loads(result.stdout)
    assert (data["checked"], data["errors"]) == (1, 0)
    (article,) = data["articles"]
    figures = article["readability"]
    assert figures["language"] == "en" and figures["target"] == 8.0
    assert (figures["words"], figures["sentences"]) == (396, 23)
    assert figures["grade"] == 14.4 and figures["flesch_kincaid"] == pytest.approx(14.43, abs=0.01)
    for key in ("smog", "flesch_reading_ease", "words_per_sentence", "long_word_share",
                "syllables", "long_words", "hardest"):
        assert key in figures, key
    assert figures["words_per_sentence"] == round(396 / 23, 2)
    assert [s["id"] for s in figures["sections"]] == [
        "intro", "sec-ketamine-as-an-anesthetic-and-analgesic",
        "sec-benefits-for-chronic-pain-management", "sec-comparing-ketamine-to-opioids"]
    assert sum(s["words"] for s in figures["sections"]) == 396
    assert all(len(s["hardest"]) == 3 and s["grade"] > 8 for s in figures["sections"])
    assert {"line": line_of(sample_site.root / SAMPLE, "Pain, whether"), "word": "analgesic",
            "try": "pain reliever"} in article["plain_language"]
    assert article["review"]["status"] == "approved" and article["review"]["changed"] is False
    assert any(d["message"].startswith("reading grade 14.4") for d in article["diagnostics"])


def test_spanish_article_reports_its_own_scales(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/es.md": "---\ntitle: E\nlang: es\n---\n"
                      "La administración intravenosa del analgésico requiere vigilancia continua.\n"})
    result = run("check", "--json", cwd=site.root)
    figures = json.loads(result.stdout)["articles"][0]["readability"]
    assert figures["language"] == "es" and figures["grade"] == 16.0
    assert figures["fernandez_huerta"] == pytest.approx(-3.82, abs=0.01)
    assert "inflesz" in figures and "flesch_kincaid" not in figures
    assert "content/es.md:5: warning: reading grade 16.0 (target 8)" in result.stderr
    assert "content/es.md:5: warning: analgésico: try 'calmante, medicina para el dolor'" in result.stderr


def test_site_word_list(make_site: Callable[..., Site]) -> None:
    files: dict[str, str | bytes] = {f"content/z{i:02d}.md": "---\ntitle: Z\n---\nFine.\n"
                                     for i in range(45)}  # enough for worker processes
    site = make_site({**files, "content/a.md": "---\ntitle: A\n---\nTake your analgesic with meals.\n",
                      "plain-language.toml": '[en]\nanalgesic = ""\nmeals = "food"\n'})
    err = run("check", cwd=site.root).stderr
    assert "analgesic" not in err and "content/a.md:4: warning: meals: try 'food'" in err
    (site.root / "plain-language.toml").write_text("[en]\nmeals = 1\n")
    for jobs in ("1", "2"):
        bad = run("check", "--jobs", jobs, cwd=site.root)
        assert bad.returncode == 2 and "plain-language.toml: [en] 'meals' must be a string" in bad.stderr
        assert "Traceback" not in bad.stderr


def test_workers_report_exactly_what_one_process_does(make_site: Callable[..., Site]) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import article
    finally:
        sys.path.remove(str(REPO / "bench"))
    files: dict[str, str | bytes] = {f"content/a{i:03d}.md": article(i, 300) for i in range(48)}
    files["content/a007.md"] = "---\ntitle: [broken\n---\n"
    site = make_site(files)
    one = run("check", "--jobs", "1", "--json", cwd=site.root)
    two = run("check", "--jobs", "2", "--json", cwd=site.root)
    assert one.returncode == two.returncode == 1  # the broken file
    assert one.stderr == two.stderr and one.stdout == two.stdout
    assert json.loads(two.stdout)["checked"] == 48
    assert "content/a007.md:3: invalid front matter" in two.stderr


def test_json_is_the_document_json_itself_writes(make_site: Callable[..., Site]) -> None:
    """Each report is encoded where it was checked; the whole must read as json.dumps writes it,
    with workers, without, and from the kept results."""
    from pubkit.cli.check import PARALLEL_MIN

    files = {f"content/a{i:02d}.md": f"---\ntitle: Guía {i}\nlang: es\n---\n"
             "La administración intravenosa del analgésico requiere vigilancia “continua”.\n"
             for i in range(PARALLEL_MIN)}
    files["content/broken.md"] = "---\ntitle: [unclosed\n---\nBody.\n"
    site = make_site(files)
    outputs = []
    for args in (("--json",), ("--json", "--jobs", "1"), ("--json",)):  # the last from the cache
        result = run("check", *args, cwd=site.root)
        assert result.returncode == 1, result.stderr  # the broken article
        assert result.stdout == json.dumps(json.loads(result.stdout), ensure_ascii=False) + "\n"
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    data = json.loads(outputs[0])
    assert data["checked"] == PARALLEL_MIN + 1 and data["errors"] == 1
    assert '"title": "Guía 0"' in outputs[0] and '"word": "analgésico"' in outputs[0]  # not escaped
    assert data["articles"][-1]["path"] == "content/broken.md" and "error" in data["articles"][-1]
