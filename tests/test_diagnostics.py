"""How a place is printed: one message is one line, whatever the file is called."""

from __future__ import annotations

import unicodedata

from pubkit.diagnostics import Diagnostic, location, printable
from pubkit.verify.compare import Problem


def test_every_character_that_ends_a_line_or_drives_a_terminal_is_escaped() -> None:
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        shown = printable(f"a{ch}b")
        breaks = len(f"a{ch}b".splitlines()) > 1
        if unicodedata.category(ch) == "Cc" or breaks:
            assert len(shown.splitlines()) == 1 and shown.isascii() and shown.isprintable(), hex(code)
        else:
            assert shown == f"a{ch}b", hex(code)


def test_a_file_name_cannot_add_a_line_to_the_messages() -> None:
    forged = "content/x.md\ncontent/other.md:1: error: forged"
    text = str(Diagnostic(forged, 3, "reading grade 12", "warning"))
    assert text == "content/x.md\\ncontent/other.md:1: error: forged:3: warning: reading grade 12"
    assert len(text.splitlines()) == 1
    assert str(Diagnostic("content/\x1b[31mred.md", None, "m")) == "content/\\x1b[31mred.md: m"
    assert location("content/tab\there.md", 2) == "content/tab\\there.md:2"
    assert location("content/plain.md") == "content/plain.md"
    problem = Problem("content/a\u2028b.md", "pdf", 4, "paragraph", "Hello", "pdf/a.pdf")
    assert str(problem) == 'content/a\\u2028b.md:4: pdf: missing paragraph "Hello"'


def test_names_without_control_characters_are_printed_as_they_are() -> None:
    for name in ("content/café.md", "content/ space.md", "content/-dash.md", "content/ü/中文.md",
                 "content/caf\udce9.md"):
        assert printable(name) == name and location(name, 1) == f"{name}:1"


def test_what_workers_send_comes_back_whole() -> None:
    """A diagnostic and an article's check survive pickling field for field (the check's
    workers send thousands; both pickle without dataclasses' per-field machinery)."""
    import dataclasses
    import pickle

    from pubkit.article_check import ArticleCheck

    diagnostic = Diagnostic("content/a.md", 3, "reading grade 9.1 (target 8)", "warning")
    result = ArticleCheck("content/a.md", [diagnostic, Diagnostic("content/a.md", None, "x")],
                          {"path": "content/a.md"}, "ab" * 32, ("img/a.png",))
    result.text()
    assert len(result.__reduce__()[1]) == len(dataclasses.fields(ArticleCheck))  # none left out
    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is ArticleCheck and type(back.diagnostics[0]) is Diagnostic
    for f in dataclasses.fields(ArticleCheck):
        assert getattr(back, f.name) == getattr(result, f.name), f.name
    assert back.printed == "content/a.md:3: warning: reading grade 9.1 (target 8)\ncontent/a.md: x\n"
