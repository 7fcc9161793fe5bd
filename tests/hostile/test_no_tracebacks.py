"""No tracebacks: every command turns every error into one line naming the path or option,
with its documented exit code.

Each case runs ``python -m pubkit`` as a real process on real paths: a read-only output
folder (root's overriding capabilities dropped), a full disk (``RLIMIT_FSIZE``), an ASCII
locale with non-ASCII file names, odd file names, FIFOs, and bad option values.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from tests.hostile.conftest import ARTICLE, cli, drop_root_overrides, no_traceback, png, write_site

NEWSLETTER = "---\nsubject: News\narticles: [knee]\n---\nHi {{ name | default('there') }}.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "site", {"content/knee.md": ARTICLE, "newsletters/n.md": NEWSLETTER,
                                          "people.csv": "email,name\nann@example.org,Ann\n"})
    (root / "output").mkdir()
    return root


def one_line_error(stderr: str, words: str) -> None:
    """Exactly one line of the errors says ``words``, starting with the command's name."""
    lines = [line for line in stderr.splitlines() if words in line]
    assert len(lines) == 1, stderr


@pytest.mark.parametrize("command", [
    ["render", "--html"], ["build", "-f", "html"], ["newsletter", "newsletters/n.md"],
    ["send", "newsletters/n.md", "--to", "people.csv"],
])
def test_a_read_only_output_folder_is_one_line_and_exit_1(site: Path, command: list[str]) -> None:
    (site / "output").chmod(0o555)
    try:
        run = cli(command, site, preexec=drop_root_overrides)
    finally:
        (site / "output").chmod(0o755)
    no_traceback(run)
    assert run.code == 1, run.text
    one_line_error(run.stderr, "Permission denied")
    assert str(site / "output") in run.stderr, run.stderr
    assert list((site / "output").iterdir()) == []


def full_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("command", [["render", "--html", "--docx"], ["build", "-f", "html", "-f", "docx"],
                                     ["newsletter", "newsletters/n.md"]])
def test_a_full_disk_is_one_line_per_output_and_exit_1(site: Path, command: list[str]) -> None:
    (site / "content/knee.md").write_text(ARTICLE + "Long text. " * 2000, encoding="utf-8")
    run = cli(command, site, preexec=full_disk)
    no_traceback(run)
    assert run.code == 1, run.text
    assert "File too large" in run.stderr, run.stderr
    for line in run.stderr.splitlines():
        if "File too large" in line:
            assert str(site / "output") in line or "output/" in line, line
    leftovers = [p for p in (site / "output").rglob(".pubkit-*.tmp")]
    assert leftovers == []  # a write that failed leaves no temporary file


ASCII_LOCALE = {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "", "LC_CTYPE": ""}


@pytest.mark.parametrize("command", [["render", "--html"], ["build", "-f", "html"], ["check"], ["index"],
                                     ["render", "content/niño.md", "--docx"]])
def test_an_ascii_locale_with_non_ascii_file_names(site: Path, command: list[str]) -> None:
    (site / "content/niño.md").write_text(
        "---\ntitle: El niño y la rodilla\n---\nDescanse. ![Rodilla](imágenes/rodilla-ñ.png)\n",
        encoding="utf-8")
    (site / "content/imágenes").mkdir()
    (site / "content/imágenes/rodilla-ñ.png").write_bytes(png(8, 8))
    run = cli(command, site, env=ASCII_LOCALE)
    no_traceback(run)
    assert run.code == 0, run.text
    assert "left out" not in run.stderr and "does not exist" not in run.stderr, run.stderr
    if command[0] in ("render", "build") and "--docx" not in command:
        page = (site / "output/html/nino.html").read_text(encoding="utf-8")
        assert "El niño y la rodilla" in page
        # Published under an ASCII name, with the page's copies of it (as WebP and PNG) beside it.
        pictures = [p.relative_to(site / "output/html").as_posix()
                    for p in (site / "output/html").rglob("*") if p.suffix in (".png", ".webp")]
        assert len(pictures) == 3 and all(p.isascii() for p in pictures), pictures
        assert sum(p in page for p in pictures) == 2, pictures  # the copies; the original is not shown


ODD = {
    b"new\nline.md": "new-line", b"-dash.md": "dash", b"l" * 240 + b".md": "l" * 80,
    b"\x1b[31mred.md": "31mred", b" space.md": "space", b"tab\there.md": "tab-here",
}


@pytest.mark.parametrize("command", [["render", "--html"], ["build", "-f", "html"], ["check"], ["index"]])
def test_odd_file_names(site: Path, command: list[str]) -> None:
    for name in [*ODD, b"caf\xe9.md"]:  # the last is not UTF-8
        with open(os.fsencode(site / "content") + b"/" + name, "wb") as fh:
            fh.write(ARTICLE.encode())
    run = cli(command, site)
    no_traceback(run)
    assert run.code == 1, run.text
    not_utf8 = [line for line in run.stderr.splitlines() if "not valid UTF-8" in line]
    assert not_utf8 and all("caf\\udce9.md" in line for line in not_utf8), run.stderr
    # A name holding a newline or an escape is printed escaped: one name, one line, no colour.
    assert "\x1b" not in run.text, run.text
    assert not any(line.startswith("line.md") for line in run.text.splitlines()), run.text
    if command[0] in ("build", "index"):  # the commands that name every source they read
        assert "new\\nline.md" in run.text and "tab\\there.md" in run.text, run.text
    if command[0] in ("render", "build"):
        made = {p.stem for p in (site / "output/html").glob("*.html")}
        assert made >= {*ODD.values(), "knee"}, made


def test_a_leading_dash_named_on_the_command_line(site: Path) -> None:
    (site / "content/-x.md").write_text(ARTICLE, encoding="utf-8")
    run = cli(["render", "--html", "--", "content/-x.md"], site)
    no_traceback(run)
    assert run.code == 0 and (site / "output/html/x.html").is_file(), run.text


@pytest.mark.parametrize(("args", "words"), [
    (["render", "content/pipe.md", "--html"], "content/pipe.md: cannot read: a FIFO"),
    (["send", "newsletters/n.md", "--to", "pipe.csv"], "pipe.csv: cannot read: a FIFO"),
    (["check", "content/pipe.md"], "content/pipe.md: cannot read: a FIFO"),
])
def test_fifos_named_on_the_command_line_never_block(site: Path, args: list[str], words: str) -> None:
    os.mkfifo(site / "content/pipe.md")
    os.mkfifo(site / "pipe.csv")
    run = cli(args, site, timeout=60)
    no_traceback(run)
    assert run.code in (1, 2), run.text
    one_line_error(run.stderr, words)


@pytest.mark.parametrize(("args", "code", "words"), [
    (["build", "--executor", "dask", "--scheduler", "bogus://x"], 2, "--scheduler 'bogus://x'"),
    (["build", "--executor", "dask", "--scheduler", "::::"], 2, "--scheduler '::::'"),
    (["build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:99999"], 2, "--scheduler"),
    (["build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--force"], 2,
     "cannot reach the Dask scheduler tcp://127.0.0.1:1: Connection refused"),
    (["build", "--scheduler", "tcp://127.0.0.1:8786"], 2, "--scheduler needs --executor dask"),
    (["build", "-f", "nope"], 2, "unknown format 'nope'"),
    (["build", "--executor", "spark"], 2, "--executor must be local or dask"),
    (["build", "--jobs", "-1"], 2, "'--jobs'"),
    (["render", "--format", "html"], 2, "--format"),
    (["serve", "--port", "99999"], 2, "'--port'"),
    (["send", "newsletters/n.md", "--to", "people.csv", "--smtp-port", "0"], 2, "'--smtp-port'"),
    (["send", "newsletters/n.md", "--to", "missing.csv"], 2, "missing.csv"),
    (["render", "--html", "--site", "/nonexistent/site"], 2, "/nonexistent/site"),
    (["render", "--html", "--output", "/proc/1"], 1, "/proc/1"),
])
def test_bad_option_values_are_one_line_with_the_option(site: Path, args: list[str], code: int,
                                                        words: str) -> None:
    run = cli(args, site, timeout=60)
    no_traceback(run)
    assert run.code == code, run.text
    assert words in run.stderr, run.stderr


@pytest.mark.parametrize("command", [["check"], ["render", "--html"]])
def test_a_fifo_among_the_templates_never_blocks(site: Path, command: list[str]) -> None:
    catalogue = site / "templates/locale/en/LC_MESSAGES/pubkit.po"
    catalogue.parent.mkdir(parents=True)
    os.mkfifo(catalogue)
    os.mkfifo(site / "templates/page.css")
    run = cli(command, site, timeout=60)
    no_traceback(run)
    assert run.code in (1, 2), run.text
    assert "pubkit.po: cannot read: a FIFO" in run.stderr, run.stderr


DEEP = {
    "emphasis": "**" * 3000 + "a" + "**" * 3000,
    "html": "<div>" * 30000,
}


@pytest.mark.parametrize("kind", DEEP)
def test_markup_too_deep_to_walk_is_one_line_and_the_other_articles_are_built(site: Path, kind: str) -> None:
    """It used to end in Python's RecursionError (emphasis) or minutes of work (HTML)."""
    (site / "content/deep.md").write_text(f"---\ntitle: Deep\n---\n\nFine.\n\n{DEEP[kind]}\n",
                                          encoding="utf-8")
    for command in (["check"], ["build", "-f", "html", "-f", "docx", "-f", "pdf"]):
        run = cli(command, site)
        no_traceback(run)
        assert run.code == 1, run.text
        assert "content/deep.md:7: " in run.stderr and "levels deep" in run.stderr, run.stderr
    assert sorted(p.name for p in (site / "output").rglob("knee.*")) == ["knee.docx", "knee.html", "knee.pdf"]
    assert not list((site / "output").rglob("deep.*"))


def test_markup_at_the_limits_is_built_and_verified_in_every_format(site: Path) -> None:
    """As deep as the parser lets anything nest: every renderer walks it, verify finds it all."""
    body = ("".join("  " * i + "- x\n" for i in range(8)) + "  " * 8 + "- " + "**" * 39 + "deep"
            + "**" * 39 + "\n\n" + "> " * 19 + "~~a " * 10 + "*" * 50 + "b" + "*" * 50 + " c~~" * 10
            + "\n\n<div>" + "<section>" * 99 + "x" + "</section>" * 99 + "</div>\n")
    (site / "content/deep.md").write_text(f"---\ntitle: Deep\n---\n\n{body}", encoding="utf-8")
    run = cli(["build", "--verify"], site)
    no_traceback(run)
    assert run.code == 0, run.text
    assert run.stdout.rstrip().endswith("0 missing"), run.stdout
    assert sorted(p.name for p in (site / "output").rglob("deep.*")) == [
        "deep.docx", "deep.eml", "deep.html", "deep.html", "deep.pdf", "deep.txt"]
