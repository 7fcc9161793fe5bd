"""The command line: render, check, init, exit codes, site discovery, start-up cost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pubkit import __version__
from pubkit.cli import app
from pubkit.site import Site

runner = CliRunner()
GOOD = "---\ntitle: Good\n---\nFine text.\n"
BAD = "---\ntitle: Bad\ntags: nope\n---\nText.\n"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pubkit", *args], cwd=cwd, capture_output=True, text=True,
        timeout=120, env={**os.environ, "COLUMNS": "200"},
    )


def test_version_and_help() -> None:
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"pubkit {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("render", "check", "init"):
        assert command in result.stdout


def test_help_imports_no_engine() -> None:
    code = (
        "import sys, runpy; sys.argv=['pubkit','--help']\n"
        "try:\n    runpy.run_module('pubkit', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('weasyprint','docx','dask','distributed','jinja2','markdown_it',"
        "'pydantic','css_inline','nh3') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in out.stderr, out.stderr


def test_render_batch_one_bad_article(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD, "content/bad.md": BAD})
    result = run("render", "--html", "--site", str(site.root))
    assert result.returncode == 1
    assert "content/bad.md:3: front matter: 'tags' must be a list" in result.stderr
    assert (site.output_dir / "html" / "good.html").is_file()
    assert not (site.output_dir / "html" / "bad.html").exists()
    assert not list(site.output_dir.rglob("*.tmp"))
    assert "1 rendered, 1 failed" in result.stdout


def test_render_finds_site_upward_and_uses_default_formats(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/sub/good.md": GOOD})
    result = run("render", cwd=site.content_dir / "sub")
    assert result.returncode == 0, result.stderr
    assert (site.output_dir / "html" / "good.html").is_file()


def test_render_single_file_and_output_option(make_site: Callable[..., Site], tmp_path: Path) -> None:
    site = make_site({"content/good.md": GOOD, "content/other.md": GOOD.replace("Good", "Other")})
    out = tmp_path / "elsewhere"
    result = runner.invoke(app, ["render", str(site.content_dir / "good.md"), "--html",
                                 "--output", str(out), "--site", str(site.root)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "html").iterdir()] == ["good.html"]


def test_render_html_writes_the_icons_and_for_the_whole_site_its_pages(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    from tests.batch.sitegen import PNGS

    site = make_site({"content/good.md": GOOD, "content/other.md": GOOD.replace("Good", "Other"),
                      "assets/logo.png": PNGS[0]}, toml='[brand]\nlogo = "assets/logo.png"\n')
    html = site.output_dir / "html"
    one = run("render", "--html", str(site.content_dir / "good.md"), "--site", str(site.root))
    assert one.returncode == 0, one.stderr
    # Some articles: the icons their pages name, but no listing of pages not rendered.
    assert sorted(p.name for p in html.iterdir()) == ["apple-touch-icon.png", "favicon.png", "good.html"]
    whole = run("render", "--html", "--site", str(site.root))
    assert whole.returncode == 0, whole.stderr
    for name in ("index.html", "a-z.html", "tags/index.html", "sitemap.xml", "feed.xml", "robots.txt",
                 "404.html", "other.html"):
        assert (html / name).is_file(), name
    assert "wrote " in whole.stdout and "index.html" in whole.stdout
    assert b"other.html" in (html / "index.html").read_bytes()


def test_render_reports_a_broken_site_page_template_without_a_traceback(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD,
                      "templates/html/listing.html.j2": "{{ page.kind.no_such() }}"})
    result = run("render", "--html", "--site", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "site pages: UndefinedError" in result.stderr
    assert (site.output_dir / "html" / "good.html").is_file()
    assert "1 rendered, 1 failed" in result.stdout


def test_missing_path_is_a_usage_error(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD})
    result = runner.invoke(app, ["render", "nope.md", "--site", str(site.root)])
    assert result.exit_code == 2


def test_bad_config_exits_2_with_location(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD})
    (site.root / "pubkit.toml").write_text("site_name = \"x\"\n[brand\nx = 1\n")
    result = run("render", "--site", str(site.root))
    assert result.returncode == 2
    assert "pubkit.toml:2: invalid TOML" in result.stderr


def test_unknown_setting_suggests(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD})
    (site.root / "pubkit.toml").write_text("[brand]\nbaner = 'x'\n")
    result = run("check", "--site", str(site.root))
    assert result.returncode == 2
    assert "unknown setting 'brand.baner'; did you mean 'banner'?" in result.stderr


def test_check_reports_problems_without_writing(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/good.md": GOOD,
        "content/bad.md": BAD,
        "content/refs.md": "---\ntitle: R\n---\nIntro.\n\n![](pic.png) [x](missing.pdf)\n",
        "content/pic.png": b"\x89PNG",
    })
    result = run("check", "--site", str(site.root))
    assert result.returncode == 1
    err = result.stderr
    assert "content/bad.md:3: front matter: 'tags' must be a list" in err
    assert "content/refs.md:6: warning: image 'pic.png' has no alt text" in err
    assert "content/refs.md:6: link 'missing.pdf': missing.pdf does not exist" in err
    assert "3 checked, 2 errors, 1 warnings" in result.stdout
    # Only its caches: the site index's, and its own results in .pubkit/.
    assert [p.name for p in site.output_dir.iterdir()] == [".pubkit-index.json"]
    assert not list(site.output_dir.rglob("*.html"))
    shutil.rmtree(site.output_dir)
    shutil.rmtree(site.root / ".pubkit")
    again = run("check", "--no-cache", "--site", str(site.root))
    assert again.returncode == 1 and again.stdout == result.stdout and again.stderr == err
    assert not site.output_dir.exists() and not (site.root / ".pubkit").exists()


def test_check_strict_fails_on_warnings(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\nauthr: me\n---\nText.\n"})
    assert runner.invoke(app, ["check", "--site", str(site.root)]).exit_code == 0
    assert runner.invoke(app, ["check", "--strict", "--site", str(site.root)]).exit_code == 1


def test_init_scaffolds_a_working_site(tmp_path: Path) -> None:
    target = tmp_path / "new-site"
    assert run("init", str(target)).returncode == 0
    for name in ("pubkit.toml", "content/ketamine-pain-management.md", "templates/README.md"):
        assert (target / name).is_file(), name
    assert "html/page.html.j2" in (target / "templates" / "README.md").read_text()
    again = run("init", str(target))
    assert again.returncode == 2 and "already exist" in again.stderr
    rendered = run("render", "--html", cwd=target)
    assert rendered.returncode == 0, rendered.stderr
    assert (target / "output" / "html" / "ketamine-pain-management.html").is_file()


def test_scaffolded_config_documents_every_setting() -> None:
    from pubkit.settings import Settings
    from pubkit.theme import builtin_templates

    text = (builtin_templates() / "init" / "pubkit.toml").read_text()
    for name, field in Settings.model_fields.items():
        if isinstance(field.annotation, type) and hasattr(field.annotation, "model_fields"):
            assert f"[{name}]" in text
            for sub in field.annotation.model_fields:
                assert sub in text, f"{name}.{sub} undocumented"
        else:
            assert name in text, f"{name} undocumented"


@pytest.mark.parametrize("shell", ["bash"])
def test_shell_completion_script(shell: str) -> None:
    """A user at ``shell`` gets its completion script: the option detects the shell it runs
    under, so the command runs as a child of a real one (not of whatever started pytest)."""
    result = subprocess.run([shell, "-c", '"$@"; exit $?', shell, sys.executable, "-m", "pubkit",
                             "--show-completion"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "complete_bash" in result.stdout and "pubkit" in result.stdout


def test_registry_refuses_duplicates_and_hides_unbuilt() -> None:
    from pubkit import formats

    with pytest.raises(ValueError, match="already registered"):
        formats.register(formats.Format("html", "x:Y", "x", ".x", "x"))
    formats.register(formats.Format("test-absent", "pubkit.renderers.no_such_module:X", "t", ".t", "t"))
    try:
        assert "test-absent" not in formats.names()
        assert "html" in formats.names()
    finally:
        formats.unregister("test-absent")


def test_json_ld_is_valid_json_in_rendered_file(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/good.md": GOOD})
    run("render", "--html", "--site", str(site.root))
    html = (site.output_dir / "html" / "good.html").read_text()
    start = html.index('ld+json">') + len('ld+json">')
    assert json.loads(html[start: html.index("</script>", start)])["name"] == "Good"
