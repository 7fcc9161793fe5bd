"""``pubkit verify`` and ``pubkit build --verify`` on a built site, each format damaged in turn."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest

from pubkit.site import open_site
from tests.batch.conftest import run_cli
from tests.conftest import render_files

LINE = 43
"""The line of the paragraph the tests remove ("Call us straight away ...") in content/rich.md."""
WORDS = "Call us straight away"
PARTS = ["docx", "email-html", "email-text", "html", "pdf"]


def verify(root: Path, *args: str) -> tuple[int, str, str]:
    done = run_cli("verify", "--site", str(root), *args)
    return done.returncode, done.stdout, done.stderr


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("content/")]


def assert_caught(root: Path, part: str, kind: str = "paragraph") -> None:
    code, _, err = verify(root)
    assert code == 1, err
    assert problems(err) == [f'content/rich.md:{LINE}: {part}: missing {kind} "{WORDS} if the knee is hot, '
                             'red or cannot bea…"'], err


def test_untouched_outputs_pass(built_site: Path) -> None:
    code, out, err = verify(built_site)
    assert code == 0, err
    assert problems(err) == []
    assert out.startswith("5 articles verified: ")
    assert "0 missing (docx 0, email-html 0, email-text 0, html 0, pdf 0)" in out


def test_a_paragraph_removed_from_the_page_is_caught(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    page = root / "output" / "html" / "rich.html"
    tree = lxml.html.fromstring(page.read_bytes())
    [para] = [p for p in tree.iter("p") if (p.text or "").startswith(WORDS)]
    para.getparent().remove(para)
    page.write_bytes(lxml.html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    assert_caught(root, "html")


def test_a_handout_rendered_without_the_paragraph_is_caught(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    source = root / "content" / "rich.md"
    original = source.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    assert lines[LINE - 1].startswith(WORDS)
    source.write_text("".join(lines[:LINE - 1] + lines[LINE + 1:]), encoding="utf-8")  # both its lines
    files, _ = render_files(open_site(root), [source], ["pdf"])
    (root / "output" / "pdf" / "rich.pdf").write_bytes(files["pdf/rich.pdf"])
    source.write_text(original, encoding="utf-8")
    assert_caught(root, "pdf")


def test_a_rewritten_word_paragraph_is_caught(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    path = root / "output" / "docx" / "rich.docx"
    document = docx.Document(str(path))
    [para] = [p for p in document.paragraphs if p.text.startswith(WORDS)]
    para.text = para.text.replace("cannot bear weight", "can bear some weight")
    document.save(str(path))
    assert_caught(root, "docx")


def _edit_email(root: Path, subtype: str, change: Callable[[str], str]) -> None:
    path = root / "output" / "email" / "rich.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    [part] = [p for p in message.walk() if p.get_content_type() == f"text/{subtype}"]
    text = part.get_content()
    changed = change(text)
    assert changed != text
    part.set_content(changed, subtype=subtype)
    path.write_bytes(message.as_bytes())


def test_an_email_text_part_without_the_paragraph_is_caught(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    _edit_email(root, "plain", lambda text: text.replace(WORDS, "Call us"))
    assert_caught(root, "email-text")


def test_an_email_html_part_without_the_paragraph_is_caught(site_copy: Callable[[], Path]) -> None:
    root = site_copy()

    def drop(html: str) -> str:
        tree = lxml.html.document_fromstring(html)
        [para] = [p for p in tree.iter("p") if (p.text or "").startswith(WORDS)]
        para.getparent().remove(para)
        return lxml.html.tostring(tree, encoding="unicode")

    _edit_email(root, "html", drop)
    assert_caught(root, "email-html")


def test_a_callout_dropped_from_the_handout_and_the_text_part_is_caught(
        site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    source = root / "content" / "rich.md"
    original = source.read_text(encoding="utf-8")
    source.write_text(original.replace("> [!WARNING]\n> Never drive", "> Never drive"), encoding="utf-8")
    files, _ = render_files(open_site(root), [source], ["pdf"])  # a plain quote: no box, no title
    (root / "output" / "pdf" / "rich.pdf").write_bytes(files["pdf/rich.pdf"])
    source.write_text(original, encoding="utf-8")
    _edit_email(root, "plain", lambda text: text.replace("Never drive", "Drive"))
    code, _, err = verify(root)
    assert code == 1
    assert problems(err) == [
        'content/rich.md:32: pdf: missing callout title "Warning"',
        'content/rich.md:33: email-text: missing callout '
        '"Never drive while you take the stronger pain reliever."',
    ]


def test_a_missing_review_line_and_output_are_reported(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    page = root / "output" / "html" / "rich.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Medically reviewed", "Reviewed"),
                    encoding="utf-8")
    (root / "output" / "docx" / "sample.docx").unlink()
    code, _, err = verify(root)
    assert code == 1
    assert problems(err) == [
        'content/rich.md: html: missing review line "Medically reviewed by Jane Peck, MD on November 16, '
        '2026 ·…"',
        "content/sample.md: docx: no output (docx/sample.docx): build it first",
    ]


def test_damaged_outputs_are_reported_not_a_traceback(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    out = root / "output"
    pdf = out / "pdf" / "rich.pdf"
    pdf.write_bytes(pdf.read_bytes()[:3000])
    (out / "docx" / "rich.docx").write_bytes(b"not a zip")
    (out / "email" / "rich.eml").write_bytes(b"\x00\x01")
    (out / "html" / "rich.html").unlink()
    (out / "html" / "rich.html").mkdir()
    code, stdout, err = verify(root, str(root / "content" / "rich.md"))
    assert code == 1 and "Traceback" not in err
    assert stdout.startswith("1 article verified: ")
    found = problems(err)
    assert found[1].startswith("content/rich.md: pdf: cannot read pdf/rich.pdf: not a readable PDF (")
    assert found[:1] + found[2:] == [
        "content/rich.md: html: cannot read html/rich.html: a folder, not a regular file",
        "content/rich.md: docx: cannot read docx/rich.docx: not a Word document (File is not a zip file)",
        "content/rich.md: email-text: cannot read email/rich.eml: not an email message",
        "content/rich.md: email-html: cannot read email/rich.eml: not an email message",
    ]


def test_json_shape(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    page = root / "output" / "html" / "rich.html"
    page.write_text(page.read_text(encoding="utf-8").replace(WORDS, "Call"), encoding="utf-8")
    code, out, _ = verify(root, "--json", str(root / "content" / "rich.md"), "-f", "html")
    assert code == 1
    data = json.loads(out)
    assert data["articles"] == 1 and data["missing"] == 1 and data["errors"] == 0
    assert data["formats"] == {"html": {"checked": data["items"], "missing": 1}}
    assert data["checked"] == data["items"] > 20
    assert data["problems"] == [{"source": "content/rich.md", "format": "html", "line": LINE,
                                 "kind": "paragraph", "text": data["problems"][0]["text"],
                                 "output": "html/rich.html"}]
    assert data["problems"][0]["text"].startswith(WORDS)  # the text expected, from the source


def test_usage_errors_exit_2(built_site: Path) -> None:
    assert verify(built_site, "-f", "newsletter")[0] == 2
    assert verify(built_site, "-f", "nope")[0] == 2
    code, _, err = verify(built_site, "content/absent.md")
    assert code == 2 and "absent.md" in err


def test_build_verify_puts_the_figures_in_the_report(site_copy: Callable[[], Path]) -> None:
    root = site_copy()
    done = run_cli("build", "--site", str(root), "--verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("0 missing")
    report = json.loads((root / "output" / "build-report.json").read_text(encoding="utf-8"))
    figures = report["verify"]
    assert sorted(figures["formats"]) == PARTS
    assert figures["articles"] == 5 and figures["missing"] == 0 and figures["problems"] == []
    assert figures["checked"] == figures["items"] * len(PARTS)
    assert all(f == {"checked": figures["items"], "missing": 0} for f in figures["formats"].values())

    # A same-size edit: the build sees nothing to do, verify sees the word gone.
    page = root / "output" / "html" / "rich.html"
    page.write_text(page.read_text(encoding="utf-8").replace("straight away", "straight awry"),
                    encoding="utf-8")
    again = run_cli("build", "--site", str(root), "--verify", "--json")
    assert again.returncode == 1
    summary = json.loads(again.stdout.splitlines()[-1])
    assert summary["built"] == 0 and summary["verify"]["missing"] == 1
    assert summary["verify"]["formats"]["html"]["missing"] == 1
    assert summary["verify"]["problems"][0].startswith(f"content/rich.md:{LINE}: html: missing paragraph")
    report = json.loads((root / "output" / "build-report.json").read_text(encoding="utf-8"))
    assert report["verify"]["missing"] == 1


def test_workers_report_exactly_what_one_process_does(tmp_path: Path) -> None:
    root = tmp_path / "many"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Many"\n', encoding="utf-8")
    for i in range(45):  # enough for worker processes
        (root / "content" / f"a{i:02d}.md").write_text(
            f"---\ntitle: Article {i}\n---\n\nFirst words of {i}.\n\n- item {i}\n", encoding="utf-8")
    done = run_cli("build", "--site", str(root), "-f", "html", "-f", "docx")
    assert done.returncode == 0, done.stderr
    page = root / "output" / "html" / "a07.html"
    page.write_text(page.read_text(encoding="utf-8").replace("item 7", "item seven"), encoding="utf-8")
    one = verify(root, "--jobs", "1", "-f", "html", "-f", "docx")
    two = verify(root, "--jobs", "2", "-f", "html", "-f", "docx")
    assert one == two
    assert one[0] == 1 and problems(one[2]) == ['content/a07.md:7: html: missing list item "item 7"']
    assert one[1].startswith("45 articles verified: ")


def _dies(paths: list[Path]) -> list[Any]:
    import os

    os._exit(9)  # in the worker: as the kernel's out-of-memory killer would


def test_a_killed_worker_means_verifying_in_this_process(built_site: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from pubkit.site.indexing import build_index
    from pubkit.verify import run as verify_run

    site = open_site(built_site)
    files = sorted((built_site / "content").glob("*.md"))
    monkeypatch.setattr(verify_run, "PARALLEL_MIN", 2)
    monkeypatch.setattr(verify_run, "_verify_in_worker", _dies)
    report = verify_run.verify_site(site, files, ["html", "docx"], build_index(site).index, jobs=2)
    assert report.notes == ["a worker process stopped; verifying in this process"]
    assert [r.source for r in report.results] == [f"content/{p.name}" for p in files]
    assert report.problems == [] and report.figures()["checked"] == 2 * report.figures()["items"]
